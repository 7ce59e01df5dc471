"""95% intervals that hold at small n and at the extremes (issue 13), in plain Python.

- Shares (CSAT, FCR, deflection, response rate): the Wilson score interval.
- NPS: the adjusted Wald interval of Rocks (2016, "Interval estimation for the Net Promoter
  Score"): three pseudo-answers (3/4 promoter, 3/4 detractor, 3/2 passive) are added before the
  Wald formula, so the interval keeps a sensible width at n = 1 and when every answer is a
  promoter or a detractor, where the plain Wald interval collapses to zero width.
- Means (CES, AHT, customer value): Student's t interval, mean ± t(0.975, n-1) · s / sqrt(n),
  clipped to the scale (CES 1-7, AHT from 0, CV 0.2-5).

The t quantile is found by bisection on the t distribution function, written with the
regularised incomplete beta function (a continued fraction, as in Numerical Recipes 6.4), so
the package needs no SciPy at run time; the tests compare it with SciPy.
"""

from __future__ import annotations

import math
from functools import lru_cache

Z_95 = 1.959963984540054
NPS_PSEUDO = (0.75, 0.75, 3.0)
"""Adjusted Wald pseudo-counts: promoters, detractors, answers in all."""

WILSON = "wilson"
ADJUSTED_WALD = "adjusted-wald"
STUDENT_T = "t"
METHODS = {
    WILSON: "Wilson score",
    ADJUSTED_WALD: "adjusted Wald (+3 pseudo-answers: 3/4 promoter, 3/4 detractor)",
    STUDENT_T: "Student t, clipped to the scale",
}


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile (p > 0.5) of Student's t with ``df`` degrees of freedom."""
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    low, high = 0.0, 10.0
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


def t_interval(
    average: float, variance: float, n: int, bounds: tuple[float | None, float | None]
) -> tuple[float, float]:
    """mean ± t(0.975, n-1) · sqrt(variance / n), clipped to ``bounds`` (None: open)."""
    half = t_quantile(0.975, n - 1) * math.sqrt(variance / n)
    low, high = average - half, average + half
    if bounds[0] is not None:
        low = max(bounds[0], low)
    if bounds[1] is not None:
        high = min(bounds[1], high)
    return low, high


def adjusted_wald_nps(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """The adjusted Wald 95% interval of NPS (-100..100) for the given counts."""
    extra_p, extra_d, extra_n = NPS_PSEUDO
    total = n + extra_n
    p, d = (promoters + extra_p) / total, (detractors + extra_d) / total
    centre = p - d
    half = Z_95 * math.sqrt(max(0.0, p + d - centre * centre) / total)
    return 100 * max(-1.0, centre - half), 100 * min(1.0, centre + half)
