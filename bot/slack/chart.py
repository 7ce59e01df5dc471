"""The weekly team chart: CSAT and NPS per agent over the weeks, as PNG bytes (matplotlib Agg)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from bot.slack.figures import Figures


def trend_png(weeks: Sequence[str], series: Mapping[str, Sequence[Figures]]) -> bytes:
    """Two panels, CSAT % and NPS, one line per agent (``series`` maps a name to one Figures
    per week); a week without answers leaves a gap rather than a zero."""
    figure = Figure(figsize=(10, 6.5), dpi=110, layout="constrained")
    csat_axes, nps_axes = figure.subplots(2, 1, sharex=True)
    positions = range(len(weeks))
    for name, weekly in series.items():
        csat = [f.csat.value for f in weekly]
        nps = [f.nps.value for f in weekly]
        csat_axes.plot(positions, _gaps(csat), marker="o", label=name)
        nps_axes.plot(positions, _gaps(nps), marker="o", label=name)
    csat_axes.set_ylabel("CSAT (%)")
    csat_axes.set_ylim(0, 105)
    csat_axes.set_title("CSAT and NPS per agent, by week")
    nps_axes.set_ylabel("NPS")
    nps_axes.set_ylim(-105, 105)
    nps_axes.axhline(0, color="grey", linewidth=0.8)
    nps_axes.set_xlabel("Week starting")
    nps_axes.set_xticks(list(positions), list(weeks), rotation=30, ha="right")
    for axes in (csat_axes, nps_axes):
        axes.grid(alpha=0.3)
    if series:
        figure.legend(*csat_axes.get_legend_handles_labels(), loc="outside right upper")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _gaps(values: Sequence[float | None]) -> list[float]:
    return [float("nan") if v is None else v for v in values]
