"""The dashboard's charts: matplotlib drawn server-side as SVG, shown as ``<img>`` data URIs.

Nothing is fetched from elsewhere and no script runs: the page arrives with its charts, and each
chart sits next to a table with the same numbers (the accessible version, and the CSV). The
SVG keeps its text as text (``svg.fonttype: none``), so it stays small and sharp at any width.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

BLUE, GREY, RED = "#1d4ed8", "#6b7280", "#b91c1c"


def _styled() -> AbstractContextManager[None]:
    return matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.size": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


@dataclass(frozen=True)
class Point:
    """One period of a trend: its first day, the figure, its 95% interval and n."""

    day: date
    value: float
    low: float | None
    high: float | None
    n: int
    low_sample: bool


def _x(point: Point) -> float:
    return float(date2num(point.day))


def _data_uri(figure: Figure) -> str:
    out = io.StringIO()
    FigureCanvasSVG(figure).print_svg(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue().encode()).decode()


def trend_chart(
    points: Sequence[Point],
    *,
    limits: tuple[float, float] | None,
    label: str,
    span: tuple[date, date],
    reference: float | None = None,
) -> str | None:
    """A line with its 95% band over ``span``; hollow markers where n < 5. None without points."""
    if not points:
        return None
    with _styled():
        figure = Figure(figsize=(5.2, 2.4), layout="constrained")
        axes = figure.add_subplot()
        days = [_x(p) for p in points]
        banded = [p for p in points if p.low is not None and p.high is not None]
        if banded:
            axes.fill_between(
                [_x(p) for p in banded],
                [p.low or 0.0 for p in banded],
                [p.high or 0.0 for p in banded],
                color=BLUE,
                alpha=0.15,
                linewidth=0,
                label="95% interval",
            )
        axes.plot(days, [p.value for p in points], color=BLUE, linewidth=1.8)
        solid = [p for p in points if not p.low_sample]
        hollow = [p for p in points if p.low_sample]
        axes.plot([_x(p) for p in solid], [p.value for p in solid], "o", color=BLUE, ms=4)
        axes.plot(
            [_x(p) for p in hollow], [p.value for p in hollow], "o", mfc="white", color=BLUE, ms=4
        )
        if reference is not None:
            axes.axhline(reference, color=GREY, linewidth=0.8)
        if limits is not None:
            axes.set_ylim(*limits)
        start, end = span
        if start >= end:
            start, end = start - timedelta(days=3), end + timedelta(days=3)
        axes.set_xlim(float(date2num(start)), float(date2num(end)))
        locator = AutoDateLocator(maxticks=7)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.set_ylabel(label)
        axes.grid(alpha=0.25)
        return _data_uri(figure)


def histogram_chart(
    bins: Sequence[tuple[float, float, int]], *, label: str, marker: float | None = None
) -> str | None:
    """Bars over ``(low, high, count)`` bins, with a vertical line at ``marker``."""
    if not any(count for _, _, count in bins):
        return None
    with _styled():
        figure = Figure(figsize=(5.2, 2.4), layout="constrained")
        axes = figure.add_subplot()
        axes.bar(
            [low for low, _, _ in bins],
            [count for _, _, count in bins],
            width=[high - low for low, high, _ in bins],
            align="edge",
            color=BLUE,
            edgecolor="white",
        )
        if marker is not None:
            axes.axvline(marker, color=RED, linewidth=1.2)
        axes.set_xlabel(label)
        axes.set_ylabel("customers")
        axes.grid(axis="y", alpha=0.25)
        return _data_uri(figure)
