"""The customers page: the value distribution, the lowest-value customers and what pulls each
down."""

from __future__ import annotations

import asyncio
import math

from aiohttp import web

from bot.dashboard.access import context, page
from bot.dashboard.charts import histogram_chart
from bot.dashboard.common import read_period, reading, respond, weights
from bot.dashboard.signin import Viewer
from bot.dashboard.tables import Cell, Column, Table, number_cell, text_cell, value_cell
from scoring.customers import lowest_value_customers
from scoring.report import build_report, customer_values

BIN_WIDTH = 0.25
LABELS = {
    "quality": "product/service quality",
    "accessibility": "support accessibility",
    "proactivity": "team proactivity",
    "personal": "personal approach",
    "reputation": "reputation",
    "price": "price paid",
    "installation": "installation effort",
    "maintenance": "maintenance/renewal effort",
    "research": "time researching",
    "learning": "time learning",
    "stress": "stress",
    "poor_service": "poor service",
}


def value_bins(values: list[float]) -> list[tuple[float, float, int]]:
    """Counts per 0.25-wide bin from 0 up to the largest CV (CV ranges 0.2-5)."""
    if not values:
        return []
    top = max(math.ceil(max(values) / BIN_WIDTH), 1)
    counts = [0] * top
    for cv in values:
        counts[min(int(cv / BIN_WIDTH), top - 1)] += 1
    return [(i * BIN_WIDTH, (i + 1) * BIN_WIDTH, n) for i, n in enumerate(counts)]


@page(admin_only=True)
async def customers(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    period = read_period(request.query)
    resolved = weights(request)
    async with reading(request) as session:
        total = (await build_report(session, "all", period.window, resolved)).rows[0]
        values = await customer_values(session, period.window, resolved)
        averages = {d: m.value for d, m in total.value.dimensions.items()}
        lowest = await lowest_value_customers(session, period.window, averages, resolved)
    bins = value_bins(values)
    distribution = Table(
        "distribution",
        "Customers by value",
        (
            Column("from", "CV from", numeric=True),
            Column("to", "to", numeric=True),
            Column("customers", "Customers", numeric=True),
        ),
        [[number_cell(low), number_cell(high), number_cell(n)] for low, high, n in bins],
    )
    low_table = Table(
        "lowest",
        "Lowest-value customers",
        (
            Column("customer", "Customer"),
            Column("value", "CV", numeric=True),
            Column("benefit", "B", numeric=True),
            Column("cost", "C", numeric=True),
            Column("pulled_down_by", "Pulled down most by"),
            Column("rating", "Their rating", numeric=True),
            Column("average", "Average", numeric=True),
            Column("answered_at", "Answered"),
        ),
        stack=True,
    )
    for found in lowest:
        pull = found.pull
        low_table.rows.append(
            [
                text_cell(found.name or found.customer),
                number_cell(round(found.value, 3), f"{found.value:.2f}"),
                number_cell(round(found.benefit, 3), f"{found.benefit:.1f}"),
                number_cell(round(found.cost, 3), f"{found.cost:.1f}"),
                Cell(
                    f"{'cost' if pull.is_cost else 'benefit'}: {LABELS[pull.dimension]}"
                    if pull
                    else "–",
                    pull.dimension if pull else None,
                ),
                number_cell(pull.rating if pull else None),
                number_cell(
                    round(pull.average, 2) if pull else None,
                    f"{pull.average:.1f}" if pull else None,
                ),
                Cell(f"{found.answered_at:%Y-%m-%d}", found.answered_at.isoformat()),
            ]
        )
    chart = await asyncio.to_thread(
        histogram_chart, bins, label="customer value CV = B / C", marker=1.0
    )
    return respond(
        request,
        "customers.html",
        context(
            viewer, period=period, page="customers", value=value_cell(total.value), chart=chart
        ),
        [distribution, low_table],
    )
