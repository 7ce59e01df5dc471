"""The figures of a period and their trend, for the overview and each agent's page.

Both come from ``scoring.report.build_report``: ``by="all"`` for the headline figures and the
chart's period (day, week or month, as the report chart picks it) for the trend, so every number
here is the number ``feedbackbot report --format json`` gives for the same window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dashboard.charts import Point, trend_chart
from bot.dashboard.common import Period
from bot.dashboard.tables import (
    Cell,
    Column,
    Table,
    mean_cell,
    nps_cell,
    share_cell,
    text_cell,
    value_cell,
)
from scoring.chart import trend_period
from scoring.report import Report, Row, build_report

FIGURE_COLUMNS = (
    Column("csat", "CSAT %", numeric=True, figure=True),
    Column("nps", "NPS", numeric=True, figure=True),
    Column("ces", "CES (1-7)", numeric=True, figure=True),
    Column("value", "Customer value", numeric=True, figure=True),
    Column("response_rate", "Response rate %", numeric=True, figure=True),
)


def figure_cells(row: Row) -> list[Cell]:
    """The cells of ``FIGURE_COLUMNS`` for one report row."""
    return [
        share_cell(row.csat),
        nps_cell(row.nps),
        mean_cell(row.ces.mean),
        value_cell(row.value),
        share_cell(row.response_rate),
    ]


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    uri: str | None


@dataclass(frozen=True)
class Trend:
    total: Row
    period: str
    table: Table
    charts: list[Chart]


ChartSpec = tuple[str, str, tuple[float, float] | None, float | None, Callable[[Row], Cell]]
"""Title, what it measures, the y-axis limits, a reference line, the figure of a row."""
_CHARTS: tuple[ChartSpec, ...] = (
    ("CSAT %", "share of 4 and 5 of 5", (0, 100), None, lambda r: share_cell(r.csat)),
    ("NPS", "promoters minus detractors", (-100, 100), 0.0, lambda r: nps_cell(r.nps)),
    (
        "Customer value",
        "mean B / C; above 1: more benefit than cost",
        None,
        1.0,
        lambda r: value_cell(r.value),
    ),
    (
        "Response rate %",
        "answered / sent invitations",
        (0, 100),
        None,
        lambda r: share_cell(r.response_rate),
    ),
)


def _points(rows: Sequence[Row], cell: Callable[[Row], Cell]) -> list[Point]:
    points = []
    for row in rows:
        shown = cell(row)
        if shown.value is None:
            continue
        points.append(
            Point(
                date.fromisoformat(str(row.key)),
                float(shown.value),
                shown.low,
                shown.high,
                shown.n or 0,
                shown.low_sample,
            )
        )
    return points


def _charts(trend: Report, period: Period) -> list[Chart]:
    charts = []
    days = [date.fromisoformat(str(row.key)) for row in trend.rows]
    for title, description, limits, reference, cell in _CHARTS:
        uri = trend_chart(
            _points(trend.rows, cell),
            limits=limits,
            label=title,
            span=period.span(days),
            reference=reference,
        )
        charts.append(Chart(title, description, uri))
    return charts


async def build_trend(
    session: AsyncSession,
    period: Period,
    weights: dict[str, float],
    agent: str | None = None,
) -> Trend:
    """The headline row, the trend table and its four charts (drawn off the event loop)."""
    total = (await build_report(session, "all", period.window, weights, agent=agent)).rows[0]
    bucket = trend_period(period.window)
    trend = await build_report(session, bucket, period.window, weights, agent=agent)
    table = Table(
        "trend",
        f"By {bucket}",
        (Column("period", f"{bucket.capitalize()} starting"), *FIGURE_COLUMNS),
        [[text_cell(str(row.key)), *figure_cells(row)] for row in trend.rows],
    )
    charts = await asyncio.to_thread(_charts, trend, period)
    return Trend(total, bucket, table, charts)


def summary_table(row: Row) -> Table:
    """The headline figures, one per row (for the CSV; the page shows them as cards)."""
    table = Table(
        "summary",
        "Figures",
        (
            Column("figure", "Figure"),
            Column("value", "Value", numeric=True, figure=True),
        ),
    )
    for column, cell in zip(FIGURE_COLUMNS, figure_cells(row), strict=True):
        table.rows.append([text_cell(column.title), cell])
    return table
