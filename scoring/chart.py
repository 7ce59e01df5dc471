"""The report chart a team lead can put on a slide: four panels in one PNG.

CSAT and NPS over time with their 95% interval bands, CSAT per agent with interval whiskers,
and the distribution of customer value. Drawn with matplotlib's Agg canvas directly (no pyplot
state), so it works in servers and tests without a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from statistics import median

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from scoring.periods import Window
from scoring.report import Report, Row

MAX_AGENTS = 15
BLUE, ORANGE, GREY, GREEN, RED = "#2563eb", "#ea580c", "#9ca3af", "#16a34a", "#dc2626"


def trend_period(window: Window) -> str:
    """Day buckets up to a month, weeks up to half a year, months beyond (and for 'all')."""
    if window.since is None:
        return "month"
    span = window.until - window.since
    if span <= timedelta(days=31):
        return "day"
    if span <= timedelta(days=183):
        return "week"
    return "month"


def _dates(rows: Sequence[Row]) -> list[date]:
    return [date.fromisoformat(str(row.key)) for row in rows]


def _empty(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", color=GREY, transform=axes.transAxes)


def _x_range(window: Window, x: Sequence[date]) -> tuple[date, date]:
    """The report window on the time axis; around the data when the window is open-ended."""
    if window.since is not None:
        last_day = (window.until - timedelta(microseconds=1)).date()
        return window.since.date(), last_day + timedelta(days=1)
    return min(x) - timedelta(days=7), max(x) + timedelta(days=7)


def _trend(
    axes: Axes, rows: Sequence[Row], figure: str, color: str, period: str, window: Window
) -> None:
    points = [row for row in rows if getattr(row, figure).n > 0]
    if figure == "csat":
        axes.set(ylim=(0, 100), ylabel="CSAT % (4-5 of 5)", title="CSAT over time, 95% interval")
    else:
        axes.set(ylim=(-100, 100), ylabel="NPS (-100 to 100)", title="NPS over time, 95% interval")
        axes.axhline(0, color=GREY, linewidth=0.8)
    axes.set_xlabel(f"{period} starting")
    axes.grid(alpha=0.3)
    if not points:
        _empty(axes, "no answers in this period")
        return
    days = _dates(points)
    x = date2num(days)
    values = [getattr(r, figure).value for r in points]
    low = [getattr(r, figure).low for r in points]
    high = [getattr(r, figure).high for r in points]
    axes.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0, label="95% interval")
    if len(points) == 1:
        axes.vlines(x, low, high, color=color, alpha=0.5, linewidth=6)
    axes.set_xlim(*date2num(_x_range(window, days)))
    locator = AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.plot(x, values, color=color, marker="o", linewidth=2, label=figure.upper())
    sparse = [
        (d, v) for d, v, r in zip(x, values, points, strict=True) if getattr(r, figure).low_sample
    ]
    if sparse:
        sparse_x, sparse_y = zip(*sparse, strict=True)
        axes.scatter(
            sparse_x,
            sparse_y,
            s=60,
            facecolor="white",
            edgecolor=color,
            zorder=3,
            label="fewer than 5 answers",
        )
    axes.legend(loc="lower left", fontsize=8, frameon=False)
    axes.tick_params(axis="x", labelsize=8)


def _agents(axes: Axes, rows: Sequence[Row]) -> None:
    scored = sorted((r for r in rows if r.csat.n > 0), key=lambda r: r.csat.n, reverse=True)
    scored = sorted(scored[:MAX_AGENTS], key=lambda r: r.csat.value or 0)
    axes.set(xlim=(0, 100), xlabel="CSAT % with 95% interval", title="CSAT per agent")
    axes.grid(axis="x", alpha=0.3)
    if not scored:
        _empty(axes, "no CSAT answers in this period")
        return
    names = [str(r.key) if r.key is not None else "(no agent)" for r in scored]
    values = [r.csat.value or 0.0 for r in scored]
    errors = [
        [v - (r.csat.low or 0) for v, r in zip(values, scored, strict=True)],
        [(r.csat.high or 0) - v for v, r in zip(values, scored, strict=True)],
    ]
    colors = [GREY if r.csat.low_sample else BLUE for r in scored]
    axes.barh(names, values, xerr=errors, color=colors, ecolor="#374151", capsize=3)
    for index, row in enumerate(scored):
        axes.text(1, index, f"n={row.csat.n}", va="center", fontsize=7, color="white")
    axes.set_ylabel("agent" + (f" (top {MAX_AGENTS} by answers)" if len(rows) > MAX_AGENTS else ""))
    axes.tick_params(axis="y", labelsize=8)


def _values(axes: Axes, values: Sequence[float]) -> None:
    axes.set(
        xlabel="customer value CV = benefits / costs",
        ylabel="customers",
        title="Customer value distribution (latest survey)",
    )
    axes.grid(axis="y", alpha=0.3)
    if not values:
        _empty(axes, "no value surveys in this period")
        return
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.hist(values, bins=min(30, max(5, len(values) // 3)), color=GREEN, alpha=0.8)
    axes.axvline(1, color=RED, linestyle="--", linewidth=1.2, label="CV = 1 (break-even)")
    middle = median(values)
    axes.axvline(middle, color="#111827", linewidth=1.2, label=f"median {middle:.2f}")
    above = 100 * sum(v > 1 for v in values) / len(values)
    axes.legend(title=f"{above:.0f}% of {len(values):,} above 1", fontsize=8, frameon=False)


def draw_chart(window: Window, trend: Report, agents: Report, values: Sequence[float]) -> Figure:
    """The four panels; ``trend`` is a report by day, week or month, ``agents`` one by agent."""
    figure = Figure(figsize=(14, 9), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    since = window.since.date().isoformat() if window.since else "the beginning"
    until = (window.until - timedelta(microseconds=1)).date().isoformat()
    figure.suptitle(f"Customer feedback, {since} to {until}", fontsize=15, fontweight="bold")
    (csat, nps), (per_agent, value) = figure.subplots(2, 2)
    _trend(csat, trend.rows, "csat", BLUE, trend.by, window)
    _trend(nps, trend.rows, "nps", ORANGE, trend.by, window)
    _agents(per_agent, agents.rows)
    _values(value, values)
    return figure


def render_chart(
    path: Path, window: Window, trend: Report, agents: Report, values: Sequence[float]
) -> Path:
    """Write the chart of ``draw_chart`` to ``path`` as PNG."""
    draw_chart(window, trend, agents, values).savefig(path, format="png")
    return path
