"""Outcomes: do promoters (or customers who get more value) come back, stay and spend more?

Each customer counts once, by their latest score in the window (NPS band, or value above/below
1), and is followed for ``horizon`` from that answer: repeat business = at least one renewal or
purchase, churn = a churn event, revenue = renewals + purchases - refunds. A customer whose
horizon is not over yet (answered less than ``horizon`` before ``observed_until``) is left out
and counted as ``not_yet_observed``: counting them would read "no renewal yet" as "no renewal".
The per-customer sums and the per-band counts run in the database (one query).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoring import questions as qk
from scoring import stats
from scoring.aggregate import latest_values
from scoring.errors import InvalidParameter
from scoring.insights.sql import check_group, group_key, latest_answer, shifted
from scoring.periods import Window
from scoring.value import resolve_weights
from storage.models import OutcomeType, SQLModel

E = SQLModel.metadata.tables["customer_event"].c
SCORES = ("nps", "value")
BANDS = {"nps": ("promoter", "passive", "detractor"), "value": ("above", "below")}
COMPARED = {"nps": ("promoter", "detractor"), "value": ("above", "below")}
BUYING = (OutcomeType.RENEWAL.value, OutcomeType.PURCHASE.value)


@dataclass(frozen=True)
class Difference:
    """``first - second`` with its 95% interval (percentage points for rates)."""

    value: float | None
    low: float | None
    high: float | None

    def to_json(self) -> dict[str, float | None]:
        return {k: None if v is None else round(v, 3) for k, v in vars(self).items()}


@dataclass(frozen=True)
class Band:
    band: str
    repeat: stats.Share
    churn: stats.Share
    revenue: stats.Mean

    @property
    def n(self) -> int:
        return self.repeat.n

    def to_json(self) -> dict[str, Any]:
        return {
            "band": self.band,
            "n": self.n,
            "repeat": self.repeat.to_json(),
            "churn": self.churn.to_json(),
            "revenue": self.revenue.to_json(),
        }


@dataclass(frozen=True)
class OutcomeRow:
    key: str | None
    bands: list[Band]
    compared: tuple[str, str]
    repeat_difference: Difference
    churn_difference: Difference
    revenue_difference: Difference

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "bands": [b.to_json() for b in self.bands],
            "difference": {
                "between": list(self.compared),
                "repeat": self.repeat_difference.to_json(),
                "churn": self.churn_difference.to_json(),
                "revenue": self.revenue_difference.to_json(),
            },
        }


@dataclass(frozen=True)
class Outcomes:
    score: str
    by: str
    window: Window
    horizon: timedelta
    observed_until: datetime
    not_yet_observed: int
    rows: list[OutcomeRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "analysis": "outcomes",
            "score": self.score,
            "by": self.by,
            **self.window.to_json(),
            "horizon_days": self.horizon.total_seconds() / 86400,
            "observed_until": self.observed_until.isoformat(),
            "not_yet_observed": self.not_yet_observed,
            "rows": [row.to_json() for row in self.rows],
        }


def rate_difference(first: stats.Share, second: stats.Share) -> Difference:
    """Newcombe's hybrid score interval (his method 10) for p1 - p2, from the Wilson intervals.

    low = d - sqrt((p1 - l1)² + (u2 - p2)²), high = d + sqrt((u1 - p1)² + (p2 - l2)²). It keeps
    its coverage at small n and at rates near 0 or 100, where the Wald interval does not.
    """
    if first.value is None or second.value is None:
        return Difference(None, None, None)
    p1, l1, u1 = first.value, first.low or 0.0, first.high or 0.0
    p2, l2, u2 = second.value, second.low or 0.0, second.high or 0.0
    d = p1 - p2
    return Difference(d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2))


def mean_difference(
    first: tuple[float, float, int], second: tuple[float, float, int]
) -> Difference:
    """m1 - m2 ± 1.96 · sqrt(s1²/n1 + s2²/n2) (Welch's standard error, normal quantile).

    Each side is ``(sum, sum of squares, n)``; needs n >= 2 on both sides.
    """
    (t1, q1, n1), (t2, q2, n2) = first, second
    if n1 < 2 or n2 < 2:
        return Difference(None, None, None)
    m1, m2 = t1 / n1, t2 / n2
    v1 = max(0.0, (q1 - n1 * m1 * m1) / (n1 - 1))
    v2 = max(0.0, (q2 - n2 * m2 * m2) / (n2 - 1))
    half = stats.Z_95 * math.sqrt(v1 / n1 + v2 / n2)
    return Difference(m1 - m2, m1 - m2 - half, m1 - m2 + half)


def _scores(score: str, window: Window, weights: Mapping[str, float] | None) -> sa.Subquery:
    """One row per customer: their latest score in the window, its agent, time and band."""
    if score == "value":
        latest = latest_values(window, resolve_weights(weights))
        return (
            sa.select(
                latest.c.customer_id,
                latest.c.agent_id,
                latest.c.at,
                sa.case((latest.c.cv > 1, "above"), else_="below").label("band"),
            )
            .where(latest.c.cv.is_not(None))
            .subquery()
        )
    nps = latest_answer(qk.NPS, window)
    band = sa.case(
        (nps.c.value >= qk.NPS_PROMOTER, "promoter"),
        (nps.c.value <= qk.NPS_DETRACTOR, "detractor"),
        else_="passive",
    )
    return sa.select(nps.c.customer_id, nps.c.agent_id, nps.c.at, band.label("band")).subquery()


MEASURES = ("n", "repeat", "churned", "revenue", "revenue_squares")


async def outcome_measures(
    session: AsyncSession,
    score: str,
    by: str,
    window: Window,
    horizon: timedelta,
    observed_until: datetime,
    weights: Mapping[str, float] | None = None,
) -> tuple[dict[tuple[str | None, str], tuple[float, ...]], int]:
    """Per (group, band): customers, with repeat business, churned, revenue sum and squares.

    Also returns how many scored customers were left out because their horizon is not over.
    """
    scores = _scores(score, window, weights)
    matured = scores.c.at <= observed_until - horizon
    seconds = int(horizon.total_seconds())
    amount = sa.func.coalesce(E.amount, 0.0)
    per_customer = (
        sa.select(
            scores.c.customer_id,
            sa.func.max(scores.c.agent_id).label("agent_id"),
            sa.func.max(scores.c.band).label("band"),
            sa.func.max(sa.case((E.type.in_(BUYING), 1), else_=0)).label("repeat"),
            sa.func.max(sa.case((E.type == OutcomeType.CHURN.value, 1), else_=0)).label("churned"),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (E.type.in_(BUYING), amount),
                        (E.type == OutcomeType.REFUND.value, -amount),
                        else_=0.0,
                    )
                ),
                0.0,
            ).label("revenue"),
        )
        .select_from(scores)
        .outerjoin(
            SQLModel.metadata.tables["customer_event"],
            sa.and_(
                E.customer_id == scores.c.customer_id,
                E.at >= scores.c.at,
                E.at < shifted(scores.c.at, seconds),
            ),
        )
        .where(matured)
        .group_by(scores.c.customer_id)
        .subquery()
    )
    key, agents = group_key(by, per_customer.c.agent_id)
    revenue = sa.cast(per_customer.c.revenue, sa.Float)
    query = sa.select(
        key.label("key"),
        per_customer.c.band,
        sa.func.count().label("n"),
        sa.func.sum(per_customer.c.repeat),
        sa.func.sum(per_customer.c.churned),
        sa.func.sum(revenue),
        sa.func.sum(revenue * revenue),
    ).select_from(per_customer)
    if agents is not None:
        query = query.outerjoin(agents, agents.c.id == per_customer.c.agent_id)
    query = query.group_by(key, per_customer.c.band)
    measures = {
        (row[0], row[1]): tuple(float(v or 0) for v in row[2:])
        for row in await session.execute(query)
    }
    pending = await session.execute(
        sa.select(sa.func.count()).select_from(scores).where(sa.not_(matured))
    )
    return measures, int(pending.scalar_one())


def _band(name: str, m: Sequence[float] | None) -> Band:
    n, repeat, churned, revenue, squares = m or (0, 0, 0, 0.0, 0.0)
    return Band(
        name,
        stats.share(int(repeat), int(n)),
        stats.share(int(churned), int(n)),
        stats.mean(revenue, squares, int(n)),
    )


def _row(score: str, key: str | None, measures: Mapping[str, Sequence[float]]) -> OutcomeRow:
    bands = [_band(name, measures.get(name)) for name in BANDS[score]]
    first, second = COMPARED[score]
    one = next(b for b in bands if b.band == first)
    two = next(b for b in bands if b.band == second)

    def money(name: str) -> tuple[float, float, int]:
        n, _, _, total, squares = measures.get(name) or (0, 0, 0, 0.0, 0.0)
        return total, squares, int(n)

    return OutcomeRow(
        key,
        bands,
        (first, second),
        rate_difference(one.repeat, two.repeat),
        rate_difference(one.churn, two.churn),
        mean_difference(money(first), money(second)),
    )


async def build_outcomes(
    session: AsyncSession,
    *,
    score: str,
    by: str,
    window: Window,
    horizon: timedelta,
    observed_until: datetime,
    weights: Mapping[str, float] | None = None,
) -> Outcomes:
    """Repeat, churn and revenue per customer by score band, per group, with intervals."""
    if score not in SCORES:
        raise InvalidParameter("score", f"{score!r} is not one of {', '.join(SCORES)}")
    check_group(by)
    if horizon <= timedelta(0):
        raise InvalidParameter("horizon", "must be longer than zero")
    measures, pending = await outcome_measures(
        session, score, by, window, horizon, observed_until, weights
    )
    grouped: dict[str | None, dict[str, tuple[float, ...]]] = {}
    for (key, band), values in measures.items():
        grouped.setdefault(key, {})[band] = values
    keys = sorted(grouped, key=lambda k: (k is None, k or "")) if grouped else []
    if by == "all" and not keys:
        keys = [None]
    rows = [_row(score, key, grouped.get(key, {})) for key in keys]
    return Outcomes(score, by, window, horizon, observed_until, pending, rows)


def parse_horizon(text: str | None, default: timedelta = timedelta(days=180)) -> timedelta:
    """``180d``, ``26w`` or ``72h``; empty means ``default``."""
    text = (text or "").strip().lower()
    if not text:
        return default
    units = {"h": "hours", "d": "days", "w": "weeks"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or not 0 < int(number) <= 100_000:
        raise InvalidParameter("horizon", f"{text!r} is not a span such as 180d, 26w or 72h")
    return timedelta(**{units[unit]: int(number)})


CSV_COLUMNS = (
    "key",
    "band",
    "n",
    *(f"{m}{part}" for m in ("repeat", "churn", "revenue") for part in ("", "_low", "_high")),
)


def _spread(line: dict[str, Any], name: str, figure: stats.Share | stats.Mean | Difference) -> None:
    line[name], line[f"{name}_low"], line[f"{name}_high"] = figure.value, figure.low, figure.high


def outcome_csv_rows(outcomes: Outcomes) -> list[dict[str, Any]]:
    """One line per group and band, then one per group for the difference between bands."""
    lines: list[dict[str, Any]] = []
    for row in outcomes.rows:
        for band in row.bands:
            line: dict[str, Any] = {"key": row.key, "band": band.band, "n": band.n}
            _spread(line, "repeat", band.repeat)
            _spread(line, "churn", band.churn)
            _spread(line, "revenue", band.revenue)
            lines.append(line)
        difference: dict[str, Any] = {"key": row.key, "band": " - ".join(row.compared)}
        _spread(difference, "repeat", row.repeat_difference)
        _spread(difference, "churn", row.churn_difference)
        _spread(difference, "revenue", row.revenue_difference)
        lines.append(difference)
    return lines
