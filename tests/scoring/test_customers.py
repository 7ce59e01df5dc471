"""The lowest-value customers and what pulls each down, against pandas."""

import math
import random
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.customers import lowest_value_customers, strongest_pull
from scoring.periods import Window
from scoring.value import BENEFITS, COSTS, DIMENSIONS
from tests.factories import Factory
from tests.scoring.helpers import answered


async def test_lowest_values_and_their_pull_agree_with_pandas(
    factory: Factory, session: AsyncSession, now: datetime
) -> None:
    rng = random.Random(42)
    dana = await factory.agent("dana")
    rows = []
    for i in range(15):
        customer = await factory.customer(f"c{i:02d}")
        ratings = {d: rng.randint(1, 5) for d in DIMENSIONS if rng.random() < 0.85}
        ratings.setdefault("quality", 3)
        ratings.setdefault("price", 3)
        await answered(factory, customer, dana, "value", ratings, at=now - timedelta(days=i))
        rows.append({"customer": customer.external_id, **ratings})
    frame = pd.DataFrame(rows).set_index("customer")
    benefit = frame[[d for d in BENEFITS if d in frame]].mean(axis=1)
    cost = frame[[d for d in COSTS if d in frame]].mean(axis=1)
    frame["cv"] = benefit / cost
    averages = {d: frame[d].mean() if d in frame else None for d in DIMENSIONS}
    window = Window(now - timedelta(days=30), now + timedelta(hours=1))

    found = await lowest_value_customers(session, window, averages, limit=5)

    expected = frame.sort_values(["cv"]).head(5)
    assert [c.customer for c in found] == list(expected.index)
    for item in found:
        row = frame.loc[item.customer]
        assert item.value == pytest.approx(row["cv"])
        effects = {}
        for d in DIMENSIONS:
            if d not in frame or math.isnan(row[d]):
                continue
            group = BENEFITS if d in BENEFITS else COSTS
            rated = sum(1 for g in group if g in frame and not math.isnan(row[g]))
            scale = benefit[item.customer] if d in BENEFITS else -cost[item.customer]
            effects[d] = (row[d] - averages[d]) / rated / scale
        worst = min(effects, key=effects.__getitem__)
        if effects[worst] < 0:
            assert item.pull is not None and item.pull.dimension == worst
            assert item.pull.effect == pytest.approx(effects[worst])
        else:
            assert item.pull is None


def test_a_customer_above_average_everywhere_has_no_pull() -> None:
    weights = dict.fromkeys(DIMENSIONS, 1.0)
    ratings = {"quality": 5.0, "price": 1.0}
    averages = {"quality": 3.0, "price": 3.0}
    assert strongest_pull(ratings, averages, weights, benefit=5.0, cost=1.0) is None
    pulled = strongest_pull({"quality": 3.0, "price": 5.0}, averages, weights, 3.0, 5.0)
    assert pulled is not None and pulled.dimension == "price" and pulled.is_cost
