"""A report as CSV (one column per figure part, dotted: ``csat.low``) and back again.

``report_csv`` and ``read_report_csv`` round-trip the rows of ``Report.to_json``: numbers come
back as numbers, empty cells as None, ``low_sample`` as a boolean.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from scoring.report import make_row

_INTEGERS = ("n", "promoters", "detractors")


def _flatten(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, item in data.items():
        if isinstance(item, dict):
            yield from _flatten(item, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", item


def columns() -> list[str]:
    """Every CSV column, in order; the same for any report, even one with no rows."""
    return [name for name, _ in _flatten(make_row(None, None, None, None, None).to_json())]


def _cell(item: Any) -> Any:
    if item is None:
        return ""
    if isinstance(item, bool):
        return "true" if item else "false"
    return item


def report_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The rows of ``Report.to_json()["rows"]`` as CSV text with a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = columns()
    writer.writerow(header)
    for row in rows:
        flat = dict(_flatten(row))
        writer.writerow([_cell(flat.get(name)) for name in header])
    return out.getvalue()


def _parse(name: str, text: str) -> Any:
    last = name.rsplit(".", 1)[-1]
    if name == "key":
        return text or None
    if last == "low_sample":
        return text == "true"
    if last.endswith("method"):
        return text or None
    if text == "":
        return None
    if last in _INTEGERS:
        return int(text)
    return float(text)


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for name, item in flat.items():
        *path, last = name.split(".")
        target = nested
        for part in path:
            target = target.setdefault(part, {})
        target[last] = item
    return nested


def read_report_csv(text: str) -> list[dict[str, Any]]:
    """Parse ``report_csv`` output back into rows shaped like ``Report.to_json()["rows"]``."""
    reader = csv.DictReader(io.StringIO(text))
    return [_nest({name: _parse(name, cell) for name, cell in line.items()}) for line in reader]
