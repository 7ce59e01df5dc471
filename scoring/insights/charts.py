"""One PNG per analysis, drawn on matplotlib's Agg canvas (no pyplot state, no display)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from scoring.insights.drivers import Drivers
from scoring.insights.outcomes import Outcomes
from scoring.insights.themes import FLAG_Z, Themes

BLUE, ORANGE, GREY, GREEN, RED = "#2563eb", "#ea580c", "#9ca3af", "#16a34a", "#dc2626"
BAND_COLOURS = {
    "promoter": GREEN,
    "passive": GREY,
    "detractor": RED,
    "above": GREEN,
    "below": RED,
}
MAX_GROUPS = 12
KIND_COLOURS = {"benefit": GREEN, "cost": RED, "answer": BLUE}


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _whiskers(
    values: Sequence[float | None], lows: Sequence[float | None], highs: Sequence[float | None]
) -> list[list[float]]:
    below = [
        0.0 if v is None or lo is None else max(0.0, v - lo)
        for v, lo in zip(values, lows, strict=True)
    ]
    above = [
        0.0 if v is None or hi is None else max(0.0, hi - v)
        for v, hi in zip(values, highs, strict=True)
    ]
    return [below, above]


def _grouped_bars(axes: Axes, outcomes: Outcomes, metric: str, title: str) -> None:
    rows = outcomes.rows[:MAX_GROUPS]
    bands = [b.band for b in rows[0].bands] if rows else []
    width = 0.8 / max(1, len(bands))
    for index, band in enumerate(bands):
        figures = [getattr(next(b for b in r.bands if b.band == band), metric) for r in rows]
        values = [f.value for f in figures]
        x = [i + index * width for i in range(len(rows))]
        axes.bar(
            x,
            [v or 0.0 for v in values],
            width,
            yerr=_whiskers(values, [f.low for f in figures], [f.high for f in figures]),
            capsize=3,
            color=BAND_COLOURS.get(band, BLUE),
            label=f"{band}",
        )
    axes.set_xticks([i + width * (len(bands) - 1) / 2 for i in range(len(rows))])
    axes.set_xticklabels([r.key or "all" for r in rows], rotation=30 if len(rows) > 4 else 0)
    axes.set_title(title)
    axes.legend(fontsize="small")


def draw_outcomes(outcomes: Outcomes) -> Figure:
    """Repeat business %, churn % and revenue per customer by band, with 95% whiskers."""
    figure = _figure(12, 4)
    left, middle, right = figure.subplots(1, 3)
    horizon = round(outcomes.horizon.total_seconds() / 86400)
    _grouped_bars(left, outcomes, "repeat", f"Repeat business within {horizon} days, %")
    _grouped_bars(middle, outcomes, "churn", f"Churn within {horizon} days, %")
    _grouped_bars(right, outcomes, "revenue", "Revenue per customer")
    figure.suptitle(f"Outcomes by {outcomes.score.upper()} band (95% intervals)")
    return figure


def save(figure: Figure, path: Path) -> Path:
    figure.savefig(path, format="png")
    return path


def draw_drivers(result: Drivers) -> Figure:
    """Each predictor's relative weight (its part of R²; the weights add up to R²) with its
    95% whisker, strongest on top; pale bars cannot be told apart from noise."""
    rows = [r for r in result.rows if r.drivers][:4] or result.rows[:1]
    figure = _figure(6 * len(rows), 5)
    axes_list = figure.subplots(1, len(rows), squeeze=False)[0]
    for axes, row in zip(axes_list, rows, strict=True):
        title = f"{row.key or 'all'} (n={row.n}"
        title += f", R²={row.r2.value:.2f})" if row.r2.value is not None else ")"
        axes.set_title(title)
        if not row.drivers:
            axes.text(
                0.5, 0.5, "too few customers", ha="center", color=GREY, transform=axes.transAxes
            )
            continue
        drivers = list(reversed(row.drivers))
        values = [d.weight.value for d in drivers]
        axes.barh(
            [f"{d.name} {'+' if d.direction > 0 else '-'}" for d in drivers],
            [v or 0.0 for v in values],
            xerr=_whiskers(
                values, [d.weight.low for d in drivers], [d.weight.high for d in drivers]
            ),
            capsize=3,
            color=[
                to_rgba(KIND_COLOURS[d.kind], 0.35 if d.overlaps_zero else 1.0) for d in drivers
            ],
        )
        axes.set_xlabel("relative weight: variance explained (weights add up to R²)")
    figure.suptitle(
        f"What drives {result.target.upper()}: relative weights with 95% intervals "
        "(green benefit, red cost, blue answer; pale = indistinguishable from noise)"
    )
    return figure


def draw_themes(result: Themes) -> Figure:
    """Per group (up to four), each theme's z-score: red beyond the flag line, where
    detractors write about it clearly more than promoters."""
    rows = [r for r in result.rows if any(s.z is not None for s in r.themes)][:4]
    figure = _figure(6 * max(1, len(rows)), 5)
    axes_list = figure.subplots(1, max(1, len(rows)), squeeze=False)[0]
    if not rows:
        axes_list[0].text(
            0.5,
            0.5,
            "no detractor and promoter comments to compare",
            ha="center",
            color=GREY,
            transform=axes_list[0].transAxes,
        )
    for axes, row in zip(axes_list, rows, strict=False):
        scores = [s for s in row.themes if s.z is not None][:12][::-1]
        axes.barh(
            [f"{s.theme}: {', '.join(s.words[:3])}" for s in scores],
            [s.z or 0.0 for s in scores],
            color=[RED if s.flagged else GREY for s in scores],
        )
        axes.axvline(FLAG_Z, color=RED, linestyle="--", linewidth=1)
        axes.axvline(0, color="black", linewidth=0.5)
        axes.set_title(row.key or "all")
        axes.set_xlabel(
            "z (> 0: detractors write about it more)\n"
            f"{row.detractors} detractor, {row.promoters} promoter comments"
        )
    figure.suptitle("Themes detractors raise more than promoters (log-odds z)")
    return figure
