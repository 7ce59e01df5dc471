"""The report's 95% intervals against SciPy and statsmodels, at small n and at the extremes."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import stats as sp
from statsmodels.stats.proportion import proportion_confint

from scoring import stats
from scoring.intervals import NPS_PSEUDO, t_cdf, t_quantile


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 6, 9, 14, 29, 60, 120, 1000, 100_000])
def test_the_t_quantile_and_distribution_match_scipy(df: int) -> None:
    assert t_quantile(0.975, df) == pytest.approx(sp.t.ppf(0.975, df), abs=1e-9)
    for t in (-4.0, -1.3, 0.0, 0.4, 2.2, 9.0):
        assert t_cdf(t, df) == pytest.approx(sp.t.cdf(t, df), abs=1e-10)


@pytest.mark.parametrize(
    ("hits", "n"), [(0, 1), (1, 1), (0, 2), (1, 2), (2, 3), (0, 20), (20, 20), (8, 10), (517, 900)]
)
def test_shares_are_wilson_intervals_as_statsmodels_computes_them(hits: int, n: int) -> None:
    figure = stats.share(hits, n)
    low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
    assert figure.low == pytest.approx(100 * low, abs=1e-9)
    assert figure.high == pytest.approx(100 * high, abs=1e-9)
    assert figure.to_json()["method"] == "wilson"


def _adjusted_wald(scores: list[int]) -> tuple[float, float]:
    """Rocks (2016) written out independently: pseudo-answers, then the Wald interval."""
    extra_promoters, extra_detractors, extra = NPS_PSEUDO
    n = len(scores) + extra
    p = (sum(s >= 9 for s in scores) + extra_promoters) / n
    d = (sum(s <= 6 for s in scores) + extra_detractors) / n
    z = sp.norm.ppf(0.975)
    half = z * math.sqrt((p + d - (p - d) ** 2) / n)
    return max(-100.0, 100 * (p - d - half)), min(100.0, 100 * (p - d + half))


@pytest.mark.parametrize(
    "scores",
    [
        [6],
        [7],
        [8],
        [9],
        [10],
        [0],
        [9, 9, 9, 9, 9],
        [0, 1, 2],
        [6, 7, 8, 9],
        [10] * 40,
        [3] * 40,
        [9, 6],
        [7, 8, 7, 8],
    ],
)
def test_nps_intervals_keep_their_width_at_small_n_and_at_the_extremes(scores: list[int]) -> None:
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    figure = stats.net_score(promoters, detractors, len(scores))
    low, high = _adjusted_wald(scores)
    assert figure.low == pytest.approx(low, abs=1e-9)
    assert figure.high == pytest.approx(high, abs=1e-9)
    assert figure.high - figure.low > 10  # never the plain Wald interval's zero width
    assert -100 <= figure.low <= figure.high <= 100
    assert figure.to_json()["method"] == "adjusted-wald"
    values = np.array([1 if s >= 9 else -1 if s <= 6 else 0 for s in scores], dtype=float)
    assert figure.value == pytest.approx(100 * values.mean())
    assert figure.se == pytest.approx(100 * values.std(ddof=0) / math.sqrt(len(scores)))


def test_one_nps_of_each_class_is_detractor_passive_passive_promoter() -> None:
    assert [stats.net_score(int(s >= 9), int(s <= 6), 1).value for s in (6, 7, 8, 9)] == [
        -100.0,
        0.0,
        0.0,
        100.0,
    ]


def _t_interval(values: list[float], low: float | None, high: float | None) -> tuple[float, float]:
    sample = np.array(values, dtype=float)
    if sample.std(ddof=1) == 0:
        a = b = float(sample.mean())
    else:
        a, b = sp.t.interval(0.95, len(sample) - 1, loc=sample.mean(), scale=sp.sem(sample))
    return (a if low is None else max(low, a)), (b if high is None else min(high, b))


@pytest.mark.parametrize(
    "ratings", [[1, 7], [7, 7], [1, 1, 2], [6, 7, 7, 7], [4, 5], [2, 4, 6], [1, 7, 1, 7, 1]]
)
def test_ces_intervals_are_t_intervals_clipped_to_1_7(ratings: list[int]) -> None:
    total, squares = sum(ratings), sum(r * r for r in ratings)
    figure = stats.effort(total, squares, sum(r >= 5 for r in ratings), len(ratings)).mean
    low, high = _t_interval([float(r) for r in ratings], 1.0, 7.0)
    assert figure.low == pytest.approx(low, abs=1e-9) and figure.high == pytest.approx(
        high, abs=1e-9
    )
    assert 1 <= figure.low <= figure.value <= figure.high <= 7


def test_aht_intervals_never_go_below_zero() -> None:
    rng = random.Random(13)
    for n in (2, 3, 5, 30):
        seconds = [rng.choice([30, 60, 5000]) for _ in range(n)]
        figure = stats.mean(sum(seconds), sum(s * s for s in seconds), n, (0.0, None))
        low, high = _t_interval([float(s) for s in seconds], 0.0, None)
        assert figure.low == pytest.approx(low, rel=1e-9, abs=1e-6)
        assert figure.high == pytest.approx(high, rel=1e-9)
        assert figure.low >= 0


def test_customer_value_interval_is_a_t_interval_over_customers_within_0_2_and_5() -> None:
    cvs = [0.2, 5.0, 1.25]
    figure = stats.mean(sum(cvs), sum(v * v for v in cvs), len(cvs), stats.CV_SCALE)
    low, high = _t_interval(cvs, 0.2, 5.0)
    assert (figure.low, figure.high) == (pytest.approx(low), pytest.approx(high))
    assert figure.low == 0.2 and figure.high == 5.0
