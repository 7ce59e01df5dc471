"""Relative importance against an independent computation, planted drivers and null data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import sqrtm
from sklearn.linear_model import LinearRegression
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from scoring.insights.drivers import build_drivers
from scoring.periods import Window
from scoring.value import DIMENSIONS
from storage.engine import session_factory
from tests.conftest import empty_tables
from tests.scoring.insights.seed import Population, Survey, seed

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=90), NOW)


def _population(
    rng: np.random.Generator, customers: int, planted: str | None, teams: int = 1
) -> tuple[Population, pd.DataFrame]:
    ratings = rng.integers(1, 6, size=(customers, len(DIMENSIONS)))
    frame = pd.DataFrame(ratings, columns=list(DIMENSIONS))
    noise = rng.normal(0, 1.5, size=customers)
    effect = -1.6 * (frame[planted] - 3) if planted else 0
    frame["nps"] = np.clip(np.round(7 + effect + noise), 0, 10).astype(int)
    frame["csat"] = rng.integers(1, 6, size=customers)
    population = Population(agents={f"agent{t}": f"team{t}" for t in range(teams)})
    for i, row in frame.iterrows():
        name = f"c{i:05d}"
        agent = f"agent{int(i) % teams}"
        population.customers[name] = "en"
        at = NOW - timedelta(days=int(rng.integers(1, 80)), seconds=int(i))
        population.surveys.append(
            Survey(name, agent, "value", {d: int(row[d]) for d in DIMENSIONS}, at)
        )
        population.surveys.append(Survey(name, agent, "nps", {"nps": int(row["nps"])}, at))
        population.surveys.append(Survey(name, agent, "csat", {"csat": int(row["csat"])}, at))
    return population, frame


def _johnson(frame: pd.DataFrame, predictors: list[str], target: str) -> np.ndarray:
    """Relative weights the textbook way: R^1/2 from scipy's matrix square root."""
    corr = frame[[*predictors, target]].corr().to_numpy()
    r_xx, r_xy = corr[:-1, :-1], corr[:-1, -1]
    lam = np.real(sqrtm(r_xx))
    beta = np.linalg.solve(lam, r_xy)
    return (lam**2) @ (beta**2)


async def test_weights_equal_an_independent_computation_and_sum_to_r2(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    population, frame = _population(np.random.default_rng(1), 300, "price")
    await seed(engine, population, NOW)
    result = await build_drivers(
        session, target="nps", by="all", window=WINDOW, extras=["csat"], replicates=500
    )
    (row,) = result.rows
    predictors = [*DIMENSIONS, "csat"]
    expected = dict(zip(predictors, _johnson(frame, predictors, "nps"), strict=True))
    assert row.n == 300
    for driver in row.drivers:
        assert driver.weight.value == pytest.approx(expected[driver.name], abs=1e-9)
    x = frame[predictors].to_numpy(float)
    r2 = LinearRegression().fit(x, frame["nps"]).score(x, frame["nps"])
    assert row.r2.value == pytest.approx(r2, abs=1e-9)
    assert sum(d.share or 0 for d in row.drivers) == pytest.approx(100)


async def test_bootstrap_intervals_match_a_plain_row_bootstrap(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    population, frame = _population(np.random.default_rng(2), 250, "stress")
    await seed(engine, population, NOW)
    result = await build_drivers(
        session, target="nps", by="all", window=WINDOW, replicates=2000, seed=7
    )
    rng = np.random.default_rng(99)
    draws = np.array(
        [
            _johnson(frame.iloc[rng.integers(0, len(frame), len(frame))], list(DIMENSIONS), "nps")
            for _ in range(1000)
        ]
    )
    for driver in result.rows[0].drivers:
        column = draws[:, list(DIMENSIONS).index(driver.name)]
        low, high = np.percentile(column, [2.5, 97.5])
        width = high - low
        assert driver.weight.low == pytest.approx(low, abs=0.2 * width + 1e-3)
        assert driver.weight.high == pytest.approx(high, abs=0.2 * width + 1e-3)


@pytest.mark.parametrize("planted", ["price", "reputation"])
async def test_the_planted_driver_ranks_first_and_its_interval_excludes_the_others(
    engine: AsyncEngine, session: AsyncSession, planted: str
) -> None:
    population, _ = _population(np.random.default_rng(3), 400, planted)
    await seed(engine, population, NOW)
    result = await build_drivers(session, target="nps", by="all", window=WINDOW)
    first, *others = result.rows[0].drivers
    assert first.name == planted and first.direction == -1 and not first.overlaps_zero
    assert first.weight.low > max(d.weight.high or 0 for d in others)


async def test_per_team_rows(engine: AsyncEngine, session: AsyncSession) -> None:
    population, _ = _population(np.random.default_rng(4), 600, "price", teams=2)
    await seed(engine, population, NOW)
    result = await build_drivers(session, target="nps", by="team", window=WINDOW, replicates=300)
    assert [(r.key, r.n, r.drivers[0].name) for r in result.rows] == [
        ("team0", 300, "price"),
        ("team1", 300, "price"),
    ]


async def test_with_no_planted_effect_nothing_is_marked_a_driver(engine: AsyncEngine) -> None:
    flagged = 0
    for data_seed in range(10):
        await empty_tables(engine)
        population, _ = _population(np.random.default_rng(100 + data_seed), 200, None)
        await seed(engine, population, NOW)
        async with session_factory(engine)() as session:
            result = await build_drivers(
                session, target="nps", by="all", window=WINDOW, replicates=1000, seed=data_seed
            )
        flagged += any(not d.overlaps_zero for d in result.rows[0].drivers)
    assert flagged <= 1


async def test_too_few_customers_gives_n_and_no_drivers(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    population, _ = _population(np.random.default_rng(5), 8, "price")
    await seed(engine, population, NOW)
    result = await build_drivers(session, target="value", by="all", window=WINDOW)
    assert (result.rows[0].n, result.rows[0].drivers) == (8, [])
