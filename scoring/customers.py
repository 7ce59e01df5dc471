"""The lowest-value customers, each with the benefit or cost that pulls their value down.

CV = B / C, so log CV = log B - log C. Against a reference (the average rating of each
dimension over the same customers), a benefit rated ``r`` instead of the average ``m`` moves
log CV by about ``w / W_B · (r - m) / B`` and a cost by ``-w / W_C · (r - m) / C`` (``w`` the
dimension's weight, ``W`` the weights of the dimensions the customer rated). The dimension
with the most negative effect is the one that pulls the customer down the most; a customer no
dimension pulls below the average has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.aggregate import CUSTOMER, latest_values
from scoring.periods import Window
from scoring.value import BENEFITS, DIMENSIONS, resolve_weights


@dataclass(frozen=True)
class Pull:
    """The dimension that lowers a customer's CV most: their rating, the average, the effect
    on log CV (negative)."""

    dimension: str
    is_cost: bool
    rating: float
    average: float
    effect: float


@dataclass(frozen=True)
class LowValueCustomer:
    customer: str
    name: str | None
    answered_at: datetime
    value: float
    benefit: float
    cost: float
    ratings: dict[str, float | None]
    pull: Pull | None


def strongest_pull(
    ratings: Mapping[str, float | None],
    averages: Mapping[str, float | None],
    weights: Mapping[str, float],
    benefit: float,
    cost: float,
) -> Pull | None:
    """The rated dimension with the most negative first-order effect on log CV, if any."""
    benefit_weight = sum(weights[d] for d in BENEFITS if ratings.get(d) is not None)
    cost_weight = sum(
        weights[d] for d in DIMENSIONS if d not in BENEFITS and ratings.get(d) is not None
    )
    best: Pull | None = None
    for dimension in DIMENSIONS:
        rating, average = ratings.get(dimension), averages.get(dimension)
        if rating is None or average is None:
            continue
        is_cost = dimension not in BENEFITS
        if is_cost:
            effect = -weights[dimension] / cost_weight * (rating - average) / cost
        else:
            effect = weights[dimension] / benefit_weight * (rating - average) / benefit
        if effect < 0 and (best is None or effect < best.effect):
            best = Pull(dimension, is_cost, float(rating), float(average), effect)
    return best


async def lowest_value_customers(
    session: AsyncSession,
    window: Window | None,
    averages: Mapping[str, float | None],
    weights: Mapping[str, float] | None = None,
    limit: int = 20,
) -> list[LowValueCustomer]:
    """The ``limit`` customers with the lowest CV (latest value survey in ``window``), lowest
    first, each with what pulls them down against ``averages`` (each dimension's mean rating,
    e.g. the report's ``value.dimensions``)."""
    resolved = resolve_weights(weights)
    latest = latest_values(window, resolved)
    query = (
        sa.select(CUSTOMER.c.external_id, CUSTOMER.c.name, latest)
        .join_from(latest, CUSTOMER, CUSTOMER.c.id == latest.c.customer_id)
        .where(latest.c.cv.is_not(None))
        .order_by(latest.c.cv, CUSTOMER.c.external_id)
        .limit(limit)
    )
    found = []
    for row in await session.execute(query):
        values = row._mapping
        ratings = {d: None if values[d] is None else float(values[d]) for d in DIMENSIONS}
        benefit, cost = float(values["benefit"]), float(values["cost"])
        found.append(
            LowValueCustomer(
                customer=values["external_id"],
                name=values["name"],
                answered_at=values["at"],
                value=float(values["cv"]),
                benefit=benefit,
                cost=cost,
                ratings=ratings,
                pull=strongest_pull(ratings, averages, resolved, benefit, cost),
            )
        )
    return found
