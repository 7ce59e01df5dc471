"""Drivers: which value dimensions (and which other answers) explain NPS or customer value most.

One row per customer: the ratings of their latest value survey in the window, the target (their
latest NPS answer, or the CV of that value survey) and, if asked for, their latest answer to
other questions (``csat``, ``ces``, ``fcr``, ``nps``); customers missing any of these are left
out. The database returns only moments: per bucket of customers, n, Σx and Σxxᵀ of every
variable. Relative weights (``relative_weights``) split R² among the predictors; bootstrap
replicates resample the buckets (with fewer customers than ``BUCKETS`` each bucket is one
customer, so this is the ordinary bootstrap; with more it resamples random groups of customers,
which estimates the same spread). A predictor whose weight cannot be told apart from that of a
pure-noise predictor added to the model (Tonidandel, LeBreton & Johnson 2009: the bootstrap
interval of weight - noise weight includes zero) is marked ``overlaps_zero``; that interval is
Bonferroni-widened (1 - 0.05/p), so with no real driver among p predictors the chance that any of
them is marked a driver stays near 5%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoring import questions as qk
from scoring.aggregate import latest_values
from scoring.errors import InvalidParameter
from scoring.insights.relative_weights import Array, correlations, covariances, relative_weights
from scoring.insights.sql import check_group, group_key, latest_value_of
from scoring.periods import Window
from scoring.value import BENEFITS, COSTS, DIMENSIONS, resolve_weights

TARGETS = ("nps", "value")
EXTRAS = (qk.CSAT, qk.CES, qk.FCR, qk.NPS)
BUCKETS = 400
REPLICATES = 2000
NOISE_MODULUS = 4294967291
NOISE_MULTIPLIER = 2654435761


@dataclass(frozen=True)
class Interval:
    value: float | None
    low: float | None
    high: float | None

    def to_json(self) -> dict[str, float | None]:
        return {k: None if v is None else round(v, 4) for k, v in vars(self).items()}


@dataclass(frozen=True)
class Driver:
    name: str
    kind: str
    rank: int
    weight: Interval
    """The share of the target's variance this predictor accounts for (0-1, sums to R²)."""
    share: float | None
    """``weight`` as % of R²."""
    direction: int
    """+1 when a higher rating goes with a higher target, -1 when with a lower one."""
    versus_noise: Interval

    @property
    def overlaps_zero(self) -> bool:
        return self.versus_noise.low is None or self.versus_noise.low <= 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "rank": self.rank,
            "weight": self.weight.to_json(),
            "share": None if self.share is None else round(self.share, 2),
            "direction": self.direction,
            "versus_noise": self.versus_noise.to_json(),
            "overlaps_zero": self.overlaps_zero,
        }


@dataclass(frozen=True)
class DriverRow:
    key: str | None
    n: int
    r2: Interval
    drivers: list[Driver]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "n": self.n,
            "r2": self.r2.to_json(),
            "drivers": [d.to_json() for d in self.drivers],
        }


@dataclass(frozen=True)
class Drivers:
    target: str
    by: str
    window: Window
    predictors: tuple[str, ...]
    replicates: int
    rows: list[DriverRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "analysis": "drivers",
            "target": self.target,
            "by": self.by,
            **self.window.to_json(),
            "predictors": list(self.predictors),
            "replicates": self.replicates,
            "rows": [row.to_json() for row in self.rows],
        }


def _kind(name: str) -> str:
    return "benefit" if name in BENEFITS else "cost" if name in COSTS else "answer"


def _pairs(q: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(q) for j in range(i, q)]


async def driver_moments(
    session: AsyncSession,
    target: str,
    extras: Sequence[str],
    by: str,
    window: Window,
    weights: Mapping[str, float] | None = None,
    buckets: int = BUCKETS,
) -> dict[str | None, Array]:
    """Per group, an array ``(buckets, 1 + q + q(q+1)/2)``: n, Σx and Σxᵢxⱼ (i <= j) per bucket.

    The variables are the target, the predictors (value dimensions, then ``extras``) and a
    noise variable made from the customer id.
    """
    latest = latest_values(window, resolve_weights(weights))
    columns: list[Any] = [
        latest_value_of(qk.NPS, latest.c.customer_id, window) if target == "nps" else latest.c.cv,
        *(latest.c[d] for d in DIMENSIONS),
        *(latest_value_of(extra, latest.c.customer_id, window) for extra in extras),
        (sa.cast(latest.c.customer_id, sa.BigInteger) * NOISE_MULTIPLIER % NOISE_MODULUS)
        / sa.literal(float(NOISE_MODULUS), sa.Float),
    ]
    key, agents = group_key(by, latest.c.agent_id)
    query_from: Any = latest
    if agents is not None:
        query_from = query_from.outerjoin(agents, agents.c.id == latest.c.agent_id)
    names = [f"v{i}" for i in range(len(columns))]
    base = (
        sa.select(
            key.label("key"),
            latest.c.customer_id,
            *(sa.cast(c, sa.Float).label(name) for c, name in zip(columns, names, strict=True)),
        )
        .select_from(query_from)
        .where(*(latest.c[d].is_not(None) for d in DIMENSIONS))
        .subquery()
    )
    bucket = (
        sa.func.row_number().over(partition_by=base.c.key, order_by=base.c.customer_id) - 1
    ) % buckets
    rows = (
        sa.select(base, bucket.label("bucket"))
        .where(*(base.c[name].is_not(None) for name in names))
        .subquery()
    )
    v = [rows.c[name] for name in names]
    grouped = sa.select(
        rows.c.key,
        sa.func.count(),
        *(sa.func.sum(x) for x in v),
        *(sa.func.sum(v[i] * v[j]) for i, j in _pairs(len(v))),
    ).group_by(rows.c.key, rows.c.bucket)
    moments: dict[str | None, list[list[float]]] = {}
    for row in await session.execute(grouped):
        moments.setdefault(row[0], []).append([float(x or 0.0) for x in row[1:]])
    return {k: np.asarray(m, dtype=np.float64) for k, m in moments.items()}


def _unpack(totals: Array, q: int) -> tuple[Array, Array, Array]:
    n = totals[:, 0]
    sums = totals[:, 1 : 1 + q]
    products = np.zeros((totals.shape[0], q, q))
    for index, (i, j) in enumerate(_pairs(q)):
        products[:, i, j] = products[:, j, i] = totals[:, 1 + q + index]
    return n, sums, products


def _interval(point: float, draws: Array, tail: float = 2.5) -> Interval:
    """The percentile interval leaving ``tail`` % of the replicates out on each side."""
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Interval(float(point), float(low), float(high))


def analyse(
    key: str | None,
    moments: Array,
    predictors: Sequence[str],
    replicates: int,
    rng: np.random.Generator,
) -> DriverRow:
    """Relative weights with bootstrap intervals for one group's bucket moments."""
    q = len(predictors) + 2
    full = moments.sum(axis=0, keepdims=True)
    n = int(full[0, 0])
    if n < len(predictors) + 3:
        return DriverRow(key, n, Interval(None, None, None), [])
    buckets = moments.shape[0]
    counts = rng.multinomial(buckets, np.full(buckets, 1.0 / buckets), size=replicates)
    totals = np.concatenate([full, counts.astype(np.float64) @ moments])
    correlation = correlations(covariances(*_unpack(totals, q)))
    main, r2 = relative_weights(correlation[:, :-1, :-1])
    with_noise, _ = relative_weights(correlation)
    versus = with_noise[:, :-1] - with_noise[:, -1:]
    order = np.argsort(-main[0], kind="stable")
    drivers = []
    for rank, index in enumerate(order, start=1):
        weight = _interval(main[0, index], main[1:, index])
        drivers.append(
            Driver(
                predictors[index],
                _kind(predictors[index]),
                rank,
                weight,
                100 * main[0, index] / r2[0] if r2[0] > 0 else None,
                1 if correlation[0, 1 + index, 0] >= 0 else -1,
                _interval(versus[0, index], versus[1:, index], 2.5 / len(predictors)),
            )
        )
    return DriverRow(key, n, _interval(r2[0], r2[1:]), drivers)


async def build_drivers(
    session: AsyncSession,
    *,
    target: str,
    by: str,
    window: Window,
    extras: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    replicates: int = REPLICATES,
    seed: int = 0,
) -> Drivers:
    """Relative importance of every predictor of ``target``, per group, with 95% intervals."""
    if target not in TARGETS:
        raise InvalidParameter("target", f"{target!r} is not one of {', '.join(TARGETS)}")
    check_group(by)
    unknown = [e for e in extras if e not in EXTRAS or (e == qk.NPS and target == "nps")]
    if unknown:
        allowed = [e for e in EXTRAS if not (e == qk.NPS and target == "nps")]
        raise InvalidParameter("with", f"{unknown[0]!r} is not one of {', '.join(allowed)}")
    extras = tuple(dict.fromkeys(extras))
    predictors = (*DIMENSIONS, *extras)
    moments = await driver_moments(session, target, extras, by, window, weights)
    rng = np.random.default_rng(seed)
    keys = sorted(moments, key=lambda k: (k is None, k or ""))
    rows = [analyse(k, moments[k], predictors, replicates, rng) for k in keys]
    if by == "all" and not rows:
        rows = [DriverRow(None, 0, Interval(None, None, None), [])]
    return Drivers(target, by, window, predictors, replicates, rows)


CSV_COLUMNS = (
    "key",
    "n",
    "r2",
    "r2_low",
    "r2_high",
    "rank",
    "predictor",
    "kind",
    "direction",
    "weight",
    "weight_low",
    "weight_high",
    "share",
    "overlaps_zero",
)


def driver_csv_rows(result: Drivers) -> list[dict[str, Any]]:
    """One line per group and predictor."""
    return [
        {
            "key": row.key,
            "n": row.n,
            "r2": row.r2.value,
            "r2_low": row.r2.low,
            "r2_high": row.r2.high,
            "rank": d.rank,
            "predictor": d.name,
            "kind": d.kind,
            "direction": d.direction,
            "weight": d.weight.value,
            "weight_low": d.weight.low,
            "weight_high": d.weight.high,
            "share": d.share,
            "overlaps_zero": d.overlaps_zero,
        }
        for row in result.rows
        for d in row.drivers
    ]
