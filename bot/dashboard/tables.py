"""Tables as the dashboard shows them and as their CSV downloads: one definition for both.

A figure cell keeps the report's numbers (value, 95% interval, n) next to the text shown; the
page prints the text and carries the numbers in ``data-`` attributes, and the CSV writes each as
its own column (``csat``, ``csat_low``, ``csat_high``, ``csat_n``). Text cells that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) are written with a
leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from scoring import stats

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Cell:
    """What one cell shows (``text``), sorts and downloads by (``value``), and links to."""

    text: str
    value: Any = None
    link: str | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    low_sample: bool = False
    interval: str = ""
    figure: bool = False


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    numeric: bool = False
    figure: bool = False


@dataclass
class Table:
    """A named table of a page; ``name`` is its CSV file name and its ``table=`` parameter."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    stack: bool = False
    """On a phone, show each row as a block of "column: value" lines instead of a wide row."""

    def sorted_by(self, column: str, descending: bool) -> Table:
        """The rows ordered by ``column`` (empty values last either way); unknown: unchanged."""
        names = [c.name for c in self.columns]
        if column not in names:
            return self
        index = names.index(column)
        present = [r for r in self.rows if r[index].value is not None]
        missing = [r for r in self.rows if r[index].value is None]
        present.sort(key=lambda r: r[index].value, reverse=descending)
        return replace(self, rows=present + missing)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        header: list[str] = []
        for column in self.columns:
            header.append(column.name)
            if column.figure:
                header += [f"{column.name}_low", f"{column.name}_high", f"{column.name}_n"]
        writer.writerow(header)
        for row in self.rows:
            line: list[Any] = []
            for column, cell in zip(self.columns, row, strict=True):
                line.append(_csv_value(cell.value))
                if column.figure:
                    line += [_csv_value(cell.low), _csv_value(cell.high), _csv_value(cell.n)]
            writer.writerow(line)
        return out.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _figure_cell(
    value: float | None,
    low: float | None,
    high: float | None,
    n: int,
    *,
    shown: str,
    digits: int,
    separator: str = "–",
) -> Cell:
    """A figure as the report's JSON rounds it (``digits``), shown with ``shown`` (a format)."""
    if value is None:
        return Cell("–", None, n=0, figure=True)
    has_interval = low is not None and high is not None
    return Cell(
        format(value, shown),
        _round(value, digits),
        low=_round(low, digits),
        high=_round(high, digits),
        n=n,
        low_sample=n < stats.LOW_SAMPLE,
        interval=f"{low:{shown}}{separator}{high:{shown}}" if has_interval else "",
        figure=True,
    )


def share_cell(figure: stats.Share) -> Cell:
    """A percentage with its Wilson interval: ``71.4%`` and ``65.0%–77.1%``."""
    cell = _figure_cell(figure.value, figure.low, figure.high, figure.n, shown=".1f", digits=2)
    return cell if cell.value is None else replace(cell, text=cell.text + "%")


def nps_cell(figure: stats.NetScore) -> Cell:
    return _figure_cell(
        figure.value, figure.low, figure.high, figure.n, shown="+.1f", digits=2, separator=" to "
    )


def mean_cell(figure: stats.Mean) -> Cell:
    return _figure_cell(figure.value, figure.low, figure.high, figure.n, shown=".2f", digits=2)


def value_cell(figure: stats.Value) -> Cell:
    """Customer value CV = B / C with its interval (rounded as the report's JSON: 3 digits)."""
    return _figure_cell(figure.value, figure.low, figure.high, figure.n, shown=".2f", digits=3)


def text_cell(text: str | None, link: str | None = None) -> Cell:
    return Cell(text or "", text, link=link)


def number_cell(number: float | int | None, text: str | None = None) -> Cell:
    if number is None:
        return Cell("–", None)
    return Cell(text if text is not None else f"{number:g}", number)
