"""Outcome rates by score band against an independent pandas + statsmodels computation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from scoring.insights.outcomes import build_outcomes, parse_horizon
from scoring.periods import Window
from storage.engine import session_factory
from storage.models import CustomerEvent, OutcomeType
from storage.privacy import erase_customer
from tests.scoring.insights.seed import Population, Survey, seed

HORIZON = timedelta(days=90)
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
KINDS = list(OutcomeType)


def _population(rng: random.Random, now: datetime, customers: int) -> Population:
    population = Population(agents={"dana": "tier1", "eli": "tier2", "fay": "tier2"})
    for index in range(customers):
        name = f"c{index:04d}"
        population.customers[name] = "en"
        for _ in range(rng.choice((1, 1, 2))):
            at = now - timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 86399))
            score = rng.randint(0, 10)
            agent = rng.choice(("dana", "eli", "fay"))
            population.surveys.append(Survey(name, agent, "nps", {"nps": score}, at))
            if rng.random() < (0.75 if score >= 9 else 0.2):
                moment = at + timedelta(days=rng.randint(0, 80), seconds=rng.randint(0, 9999))
                population.events.append((name, OutcomeType.RENEWAL, min(moment, now), 120.0))
            for _ in range(rng.randint(0, 2)):
                kind = rng.choice(KINDS)
                moment = at + timedelta(days=rng.randint(-30, 150), seconds=rng.randint(0, 9999))
                amount = None if kind is OutcomeType.CHURN else float(rng.randint(1, 500))
                population.events.append((name, kind, min(moment, now), amount))
    return population


def _expected(population: Population, now: datetime, since: datetime | None) -> pd.DataFrame:
    scores = pd.DataFrame(
        [
            (s.customer, s.agent, s.at, s.answers["nps"])
            for s in population.surveys
            if since is None or s.at >= since
        ],
        columns=["customer", "agent", "at", "nps"],
    )
    latest = scores.sort_values("at").groupby("customer").tail(1)
    latest = latest[latest["at"] <= now - HORIZON].copy()
    latest["band"] = np.select(
        [latest["nps"] >= 9, latest["nps"] <= 6], ["promoter", "detractor"], "passive"
    )
    events = pd.DataFrame(population.events, columns=["customer", "type", "when", "amount"])
    joined = latest.merge(events, on="customer", how="left")
    inside = (joined["when"] >= joined["at"]) & (joined["when"] < joined["at"] + HORIZON)
    joined = joined[inside]
    kind = joined["type"].astype(str)
    joined = joined.assign(
        buy=kind.isin(["renewal", "purchase"]),
        churn=kind == "churn",
        money=np.where(
            kind.isin(["renewal", "purchase"]),
            joined["amount"].fillna(0),
            np.where(kind == "refund", -joined["amount"].fillna(0), 0.0),
        ),
    )
    per = joined.groupby("customer").agg(
        repeat=("buy", "max"), churned=("churn", "max"), revenue=("money", "sum")
    )
    latest = latest.set_index("customer").join(per)
    latest[["repeat", "churned"]] = latest[["repeat", "churned"]].fillna(False).astype(bool)
    latest["revenue"] = latest["revenue"].fillna(0.0)
    return latest


def _close(actual: float | None, expected: float) -> None:
    assert actual == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("seed_value", [3, 11])
async def test_rates_and_intervals_equal_pandas_and_statsmodels(
    engine: AsyncEngine, session: AsyncSession, seed_value: int
) -> None:
    now = NOW
    population = _population(random.Random(seed_value), now, 500)
    await seed(engine, population, now)
    since = now - timedelta(days=380)
    result = await build_outcomes(
        session,
        score="nps",
        by="all",
        window=Window(since, now),
        horizon=HORIZON,
        observed_until=now,
    )
    expected = _expected(population, now, since)
    (row,) = result.rows
    scored = sum(1 for s in population.surveys if s.at >= since)
    assert scored > 0 and result.not_yet_observed > 0
    groups = {}
    for band in row.bands:
        part = expected[expected["band"] == band.band]
        groups[band.band] = part
        n = len(part)
        assert band.n == n
        for figure, column in ((band.repeat, "repeat"), (band.churn, "churned")):
            hits = int(part[column].sum())
            low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
            _close(figure.value, 100 * hits / n)
            _close(figure.low, 100 * low)
            _close(figure.high, 100 * high)
        low, high = DescrStatsW(part["revenue"].to_numpy()).tconfint_mean()
        _close(band.revenue.value, part["revenue"].mean())
        _close(band.revenue.low, low)
        _close(band.revenue.high, high)
    promoters, detractors = groups["promoter"], groups["detractor"]
    for diff, column in ((row.repeat_difference, "repeat"), (row.churn_difference, "churned")):
        low, high = confint_proportions_2indep(
            int(promoters[column].sum()),
            len(promoters),
            int(detractors[column].sum()),
            len(detractors),
            method="newcomb",
            compare="diff",
        )
        _close(diff.value, 100 * (promoters[column].mean() - detractors[column].mean()))
        _close(diff.low, 100 * low)
        _close(diff.high, 100 * high)
    low, high = CompareMeans(
        DescrStatsW(promoters["revenue"].to_numpy()), DescrStatsW(detractors["revenue"].to_numpy())
    ).zconfint_diff(usevar="unequal")
    _close(row.revenue_difference.low, low)
    _close(row.revenue_difference.high, high)
    # The planted effect: promoters renew more, and the interval says so.
    assert row.repeat_difference.low is not None and row.repeat_difference.low > 0


async def test_by_team_splits_customers_by_the_agent_of_their_score(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    now = NOW
    population = _population(random.Random(5), now, 200)
    await seed(engine, population, now)
    result = await build_outcomes(
        session,
        score="nps",
        by="team",
        window=Window(None, now),
        horizon=HORIZON,
        observed_until=now,
    )
    expected = _expected(population, now, None)
    expected["team"] = expected["agent"].map(population.agents)
    assert [r.key for r in result.rows] == ["tier1", "tier2"]
    for row in result.rows:
        part = expected[expected["team"] == row.key]
        assert {b.band: b.n for b in row.bands} == {
            band: int((part["band"] == band).sum()) for band in ("promoter", "passive", "detractor")
        }


async def test_small_and_extreme_samples(engine: AsyncEngine, session: AsyncSession) -> None:
    now = NOW
    old = now - timedelta(days=200)
    population = Population(
        customers={"a": "en", "b": "en", "c": "en"},
        agents={"dana": "tier1"},
        surveys=[
            Survey("a", "dana", "nps", {"nps": 10}, old),
            Survey("b", "dana", "nps", {"nps": 9}, old),
            Survey("c", "dana", "nps", {"nps": 2}, old),
        ],
        events=[
            ("a", OutcomeType.RENEWAL, old + timedelta(days=10), 100.0),
            ("b", OutcomeType.PURCHASE, old + timedelta(days=89), 50.0),
            ("b", OutcomeType.REFUND, old + timedelta(days=90), 50.0),  # at the horizon: out
            ("c", OutcomeType.CHURN, old - timedelta(seconds=1), None),  # before the score: out
        ],
    )
    await seed(engine, population, now)
    result = await build_outcomes(
        session,
        score="nps",
        by="all",
        window=Window(None, now),
        horizon=HORIZON,
        observed_until=now,
    )
    bands = {b.band: b for b in result.rows[0].bands}
    assert bands["promoter"].repeat.value == 100.0 and bands["promoter"].n == 2
    low, high = proportion_confint(2, 2, method="wilson")
    _close(bands["promoter"].repeat.low, 100 * low)
    _close(bands["promoter"].repeat.high, 100 * high)
    assert bands["promoter"].revenue.value == 75.0
    assert bands["detractor"].churn.value == 0.0 and bands["detractor"].n == 1
    assert bands["passive"].n == 0 and bands["passive"].repeat.value is None
    assert result.rows[0].revenue_difference.value is None  # one detractor: no variance
    low, high = confint_proportions_2indep(2, 2, 0, 1, method="newcomb", compare="diff")
    _close(result.rows[0].repeat_difference.low, 100 * low)
    _close(result.rows[0].repeat_difference.high, 100 * high)


async def test_value_bands_follow_the_latest_value_survey(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    now = NOW
    old = now - timedelta(days=100)
    population = Population(
        customers={"a": "en", "b": "en"},
        surveys=[
            Survey("a", None, "value", {"quality": 5, "price": 2}, old),
            Survey("b", None, "value", {"quality": 2, "price": 4}, old),
        ],
        events=[("a", OutcomeType.RENEWAL, old + timedelta(days=3), 10.0)],
    )
    await seed(engine, population, now)
    result = await build_outcomes(
        session,
        score="value",
        by="all",
        window=Window(None, now),
        horizon=HORIZON,
        observed_until=now,
    )
    bands = {b.band: b for b in result.rows[0].bands}
    assert (bands["above"].n, bands["above"].repeat.value) == (1, 100.0)
    assert (bands["below"].n, bands["below"].repeat.value) == (1, 0.0)


def test_horizon_parsing() -> None:
    assert parse_horizon("26w") == timedelta(weeks=26)
    assert parse_horizon(None) == timedelta(days=180)
    with pytest.raises(Exception, match="horizon"):
        parse_horizon("soon")


async def test_an_erasure_leaves_the_outcome_figures_as_they_were(engine: AsyncEngine) -> None:
    await seed(engine, _population(random.Random(7), NOW, 200), NOW)
    sessions = session_factory(engine)

    async def figures() -> dict[str, object]:
        async with sessions() as session:
            result = await build_outcomes(
                session,
                score="nps",
                by="agent",
                window=Window(None, NOW),
                horizon=HORIZON,
                observed_until=NOW,
            )
        return result.to_json()

    before = await figures()
    async with sessions() as session, session.begin():
        owners = await session.scalars(
            sa.select(CustomerEvent.customer_id).distinct().order_by(CustomerEvent.customer_id)
        )
        erased = list(owners)[::3]
        for customer_id in erased:
            await erase_customer(session, customer_id, NOW)
    assert len(erased) > 20
    assert await figures() == before
