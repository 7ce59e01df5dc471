"""The figures and their formulas, computed from counts and sums the database returned.

Every figure carries its sample size ``n`` and ``low_sample`` (n below ``LOW_SAMPLE``). A figure
with n = 0 has no value (``None``), never a made-up zero. Figures are immutable, so the ones made
from counts alone are cached: a report over 100,000 customers with a few answers each shares them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from scoring.intervals import (
    ADJUSTED_WALD,
    STUDENT_T,
    WILSON,
    Z_95,
    adjusted_wald_nps,
    t_interval,
)

LOW_SAMPLE = 5
CES_SCALE = (1.0, 7.0)
CV_SCALE = (0.2, 5.0)
"""CV = B / C with B and C means of 1-5 ratings."""


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


class _Figure:
    """What every figure shares: ``n``, the low-sample flag and its JSON (floats rounded)."""

    n: int

    @property
    def low_sample(self) -> bool:
        return self.n < LOW_SAMPLE

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            f.name: _round(v) if isinstance(v, float) else v
            for f in fields(self)  # type: ignore[arg-type]
            for v in (getattr(self, f.name),)
        }
        data["low_sample"] = self.low_sample
        return data


@dataclass(frozen=True)
class Share(_Figure):
    """A percentage (0-100) of ``n`` with its Wilson 95% interval ``low``-``high``."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    method: str = WILSON


@dataclass(frozen=True)
class NetScore(_Figure):
    """NPS from -100 to 100 with its standard error ``se`` and adjusted Wald 95% interval."""

    value: float | None
    se: float | None
    low: float | None
    high: float | None
    n: int
    promoters: int = 0
    detractors: int = 0
    method: str = ADJUSTED_WALD


@dataclass(frozen=True)
class Mean(_Figure):
    """A mean of ``n`` values with a Student t 95% interval clipped to the scale (none below
    n = 2)."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    method: str = STUDENT_T


@dataclass(frozen=True)
class Effort:
    """CES: the mean on 1-7 (with its interval) and the % who agree (5-7)."""

    mean: Mean
    agree: Share

    @property
    def n(self) -> int:
        return self.mean.n

    def to_json(self) -> dict[str, Any]:
        return {
            **self.mean.to_json(),
            "agree": _round(self.agree.value),
            "agree_low": _round(self.agree.low),
            "agree_high": _round(self.agree.high),
            "agree_method": self.agree.method,
        }


@dataclass(frozen=True)
class Value:
    """Customer value: the mean CV = B / C over ``n`` customers, and the mean B, C and ratings.

    ``dimensions`` maps each benefit and cost to the mean rating (1-5) and how many of the
    customers rated it, so a team sees which benefit or cost drives the ratio. ``low``-``high``
    is the mean CV's 95% interval (as ``mean``, clipped to 0.2-5; none below 2 customers).
    """

    value: float | None
    benefit: float | None
    cost: float | None
    n: int
    dimensions: dict[str, Mean] = field(default_factory=dict)
    low: float | None = None
    high: float | None = None
    method: str = STUDENT_T

    @property
    def low_sample(self) -> bool:
        return self.n < LOW_SAMPLE

    def to_json(self) -> dict[str, Any]:
        return {
            "value": _round(self.value, 3),
            "low": _round(self.low, 3),
            "high": _round(self.high, 3),
            "method": self.method,
            "benefit": _round(self.benefit, 3),
            "cost": _round(self.cost, 3),
            "n": self.n,
            "low_sample": self.low_sample,
            "dimensions": {
                name: {"value": _round(m.value, 3), "n": m.n} for name, m in self.dimensions.items()
            },
        }


@lru_cache(maxsize=8192)
def share(hits: int, n: int) -> Share:
    """``100 * hits / n`` with the Wilson score 95% interval.

    Wilson: centre = (p + z²/2n) / (1 + z²/n), half-width = z / (1 + z²/n) ·
    sqrt(p(1-p)/n + z²/4n²), z = 1.96. Unlike p ± z·se it stays inside 0-100 and is honest at
    p = 0 or 1 and small n.
    """
    if n <= 0:
        return Share(None, None, None, 0)
    p = hits / n
    z2 = Z_95 * Z_95
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z_95 / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Share(100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half), n)


@lru_cache(maxsize=8192)
def net_score(promoters: int, detractors: int, n: int) -> NetScore:
    """NPS = 100 · (p - d), p = promoters (9-10) / n, d = detractors (0-6) / n.

    Its standard error is 100 · sqrt((p + d - (p - d)²) / n) (the variance of a variable that is
    +1 for a promoter, -1 for a detractor, 0 otherwise). The 95% interval is the adjusted Wald
    one (``scoring.intervals``): the same formula after adding 3/4 promoter, 3/4 detractor and
    3/2 passive, which keeps its width at n = 1 and when all answers fall in one group.
    """
    if n <= 0:
        return NetScore(None, None, None, None, 0)
    p, d = promoters / n, detractors / n
    score = 100 * (p - d)
    se = 100 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
    low, high = adjusted_wald_nps(promoters, detractors, n)
    return NetScore(score, se, low, high, n, promoters, detractors)


def mean(
    total: float,
    squares: float | None,
    n: int,
    bounds: tuple[float | None, float | None] = (None, None),
) -> Mean:
    """``total / n`` with mean ± t(0.975, n-1) · s / sqrt(n), clipped to ``bounds``.

    s is the sample standard deviation; no interval below n = 2.
    """
    if n <= 0:
        return Mean(None, None, None, 0)
    average = total / n
    if squares is None or n < 2:
        return Mean(average, None, None, n)
    variance = max(0.0, (squares - n * average * average) / (n - 1))
    low, high = t_interval(average, variance, n, bounds)
    return Mean(average, low, high, n)


def effort(total: float, squares: float, agree: int, n: int) -> Effort:
    """CES = mean rating on 1-7; % agree = ratings of 5-7 / n · 100."""
    return Effort(mean(total, squares, n, CES_SCALE), share(agree, n))
