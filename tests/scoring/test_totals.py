"""``by="all"`` (one row in total), the ``agent`` filter and the mean CV's interval."""

import math
import random
from datetime import datetime, timedelta

import pandas as pd
import pytest
from scipy.stats import t as t_dist
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.periods import Window
from scoring.report import build_report
from tests.factories import Factory
from tests.scoring.helpers import answered


@pytest.fixture
def month(now: datetime) -> Window:
    return Window(now - timedelta(days=30), now + timedelta(hours=1))


async def test_the_total_of_nothing_is_one_row_with_no_figures(
    session: AsyncSession, month: Window
) -> None:
    report = await build_report(session, "all", month)
    assert [row.key for row in report.rows] == ["all"]
    assert report.rows[0].csat.n == 0 and report.rows[0].csat.value is None


async def test_total_and_agent_filter_agree_with_an_independent_computation(
    factory: Factory, session: AsyncSession, month: Window, now: datetime
) -> None:
    rng = random.Random(15)
    agents = [await factory.agent("dana"), await factory.agent("eli", team="tier2")]
    customers = [await factory.customer(f"c{i}") for i in range(12)]
    records = []
    for customer in customers:
        for _ in range(2):
            agent = rng.choice(agents)
            at = now - timedelta(days=rng.randint(0, 40))
            csat = rng.randint(1, 5)
            await answered(factory, customer, agent, "csat", {"csat": csat}, at=at)
            records.append(("csat", agent.external_id, customer.external_id, at, csat, None))
        agent = rng.choice(agents)
        at = now - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))
        quality, price = rng.randint(1, 5), rng.randint(1, 5)
        await answered(
            factory, customer, agent, "value", {"quality": quality, "price": price}, at=at
        )
        records.append(
            ("value", agent.external_id, customer.external_id, at, quality / price, None)
        )
    frame = pd.DataFrame(records, columns=["survey", "agent", "customer", "at", "score", "_"])
    inside = frame[(frame["at"] >= month.since) & (frame["at"] < month.until)]

    total = (await build_report(session, "all", month)).rows[0]
    csat = inside[inside.survey == "csat"].score
    assert total.csat.n == len(csat)
    assert total.csat.value == pytest.approx(100 * (csat >= 4).mean())
    values = inside[inside.survey == "value"].score
    assert total.value.n == len(values)
    assert total.value.value == pytest.approx(values.mean())
    half = t_dist.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    assert total.value.low == pytest.approx(max(0.2, values.mean() - half))
    assert total.value.high == pytest.approx(min(5.0, values.mean() + half))

    by_agent = {row.key: row for row in (await build_report(session, "agent", month)).rows}
    for agent in ("dana", "eli"):
        alone = (await build_report(session, "all", month, agent=agent)).rows[0]
        assert {**alone.to_json(), "key": agent} == by_agent[agent].to_json()
    assert total.csat.n == sum(row.csat.n for row in by_agent.values())
