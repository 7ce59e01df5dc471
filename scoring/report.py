"""A report: one row of figures per agent, customer, team, survey or period.

``build_report`` runs the four GROUP BY queries of ``scoring.aggregate`` and turns their counts
and sums into figures. ``Report.to_json`` is the shape of DESIGN section 6, shared by the CLI
and the HTTP API; ``scoring.formats`` writes it as CSV and reads both formats back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoring import stats
from scoring.aggregate import (
    ANSWER_MEASURES,
    CASE_MEASURES,
    CUSTOMER,
    INVITATION_MEASURES,
    Measures,
    answer_measures,
    case_measures,
    check_grouping,
    invitation_measures,
    latest_values,
    value_measures,
)
from scoring.periods import Window
from scoring.value import DIMENSIONS, resolve_weights

FIGURES = (
    "csat",
    "nps",
    "ces",
    "fcr",
    "fcr_operational",
    "aht",
    "deflection",
    "response_rate",
    "value",
)


@dataclass(frozen=True)
class Row:
    """Every figure of one group; ``key`` is the agent's or customer's external id, the team,
    the survey or the first day of the period (None: answers with no agent or team)."""

    key: str | None
    csat: stats.Share
    nps: stats.NetScore
    ces: stats.Effort
    fcr: stats.Share
    fcr_operational: stats.Share
    aht: stats.Mean
    deflection: stats.Share
    response_rate: stats.Share
    value: stats.Value

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, **{name: getattr(self, name).to_json() for name in FIGURES}}


@dataclass(frozen=True)
class Report:
    by: str
    window: Window
    rows: list[Row]

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            **self.window.to_json(),
            "rows": [row.to_json() for row in self.rows],
        }


NO_VALUE = stats.Value(
    None, None, None, 0, {d: stats.Mean(None, None, None, 0) for d in DIMENSIONS}
)
_NO_ANSWERS = (0.0,) * len(ANSWER_MEASURES)
_NO_CASES = (0.0,) * len(CASE_MEASURES)
_NO_INVITATIONS = (0.0,) * len(INVITATION_MEASURES)


def _average(total: float, n: float) -> float | None:
    return total / n if n else None


@lru_cache(maxsize=4096)
def _rating(total: float, n: int) -> stats.Mean:
    return stats.Mean(_average(total, n), None, None, n)


def value_figure(m: Measures | None) -> stats.Value:
    """Means over customers: CV, B, C and each dimension's rating, from the group's sums.

    ``m`` is in the order of ``VALUE_MEASURES``: n, CV sum, B n and sum, C n and sum, then
    each dimension's count, then each dimension's sum, then the sum of squared CVs (the mean
    CV's 95% interval, as ``stats.mean``).
    """
    if not m:
        return NO_VALUE
    n, cv_sum, b_n, b_sum, c_n, c_sum = m[:6]
    dimensions = len(DIMENSIONS)
    counts, totals = m[6 : 6 + dimensions], m[6 + dimensions : 6 + 2 * dimensions]
    interval = stats.mean(cv_sum, m[6 + 2 * dimensions], int(n), stats.CV_SCALE)
    return stats.Value(
        value=_average(cv_sum, n),
        benefit=_average(b_sum, b_n),
        cost=_average(c_sum, c_n),
        n=int(n),
        dimensions={
            d: _rating(total, int(count))
            for d, count, total in zip(DIMENSIONS, counts, totals, strict=True)
        },
        low=interval.low,
        high=interval.high,
    )


def make_row(
    key: str | None,
    answers: Measures | None,
    cases: Measures | None,
    invitations: Measures | None,
    values: Measures | None,
) -> Row:
    """Every figure of one group from the counts and sums of the four queries (None: no rows)."""
    measured = answers or _NO_ANSWERS
    csat_n, csat_good, nps_n, promoters, detractors, ces_n = (int(x) for x in measured[:6])
    ces_sum, ces_squares = measured[6], measured[7]
    agree, fcr_n, yes = (int(x) for x in measured[8:11])
    cases_n, one_contact, handle_n, handle_sum, handle_squares, deflected = cases or _NO_CASES
    sent, answered = invitations or _NO_INVITATIONS
    return Row(
        key=key,
        csat=stats.share(csat_good, csat_n),
        nps=stats.net_score(promoters, detractors, nps_n),
        ces=stats.effort(ces_sum, ces_squares, agree, ces_n),
        fcr=stats.share(yes, fcr_n),
        fcr_operational=stats.share(int(one_contact), int(cases_n)),
        aht=stats.mean(handle_sum, handle_squares, int(handle_n), (0.0, None)),
        deflection=stats.share(int(deflected), int(cases_n)),
        response_rate=stats.share(int(answered), int(sent)),
        value=value_figure(values),
    )


def _order(key: str | None) -> tuple[bool, str]:
    return (key is None, key or "")


async def build_report(
    session: AsyncSession,
    by: str,
    window: Window,
    weights: Mapping[str, float] | None = None,
    *,
    agent: str | None = None,
) -> Report:
    """Every figure per ``by`` group in ``window``, rows sorted by key (no-agent rows last).

    ``by="all"`` is one row of the whole window. ``agent`` (an external id) counts only that
    agent's answers, cases, invitations and customers. ``weights`` is ``VALUE_WEIGHTS`` (missing
    dimensions weigh 1). Reads only; raises InvalidParameter for an unknown ``by`` and
    ConfigurationError for unknown weight names.
    """
    check_grouping(by)
    resolved = resolve_weights(weights)
    answers = await answer_measures(session, by, window, agent)
    cases = await case_measures(session, by, window, agent)
    invitations = await invitation_measures(session, by, window, agent)
    values = await value_measures(session, by, window, resolved, agent)
    keys = sorted(set(answers) | set(cases) | set(invitations) | set(values), key=_order)
    rows = [
        make_row(key, answers.get(key), cases.get(key), invitations.get(key), values.get(key))
        for key in keys
    ]
    return Report(by, window, rows)


@dataclass(frozen=True)
class CustomerValue:
    """One customer's CV from their latest value survey (``value.n`` 0 when there is none)."""

    customer: str
    answered_at: datetime | None
    value: stats.Value

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "value": self.value.to_json(),
        }


def _one(number: float | None) -> stats.Mean:
    if number is None:
        return stats.Mean(None, None, None, 0)
    return stats.Mean(float(number), None, None, 1)


async def customer_value(
    session: AsyncSession, external_id: str, weights: Mapping[str, float] | None = None
) -> CustomerValue | None:
    """The customer's value from their latest value survey ever; None for an unknown customer."""
    latest = latest_values(None, resolve_weights(weights))
    query = (
        sa.select(CUSTOMER.c.external_id, latest)
        .outerjoin_from(CUSTOMER, latest, latest.c.customer_id == CUSTOMER.c.id)
        .where(CUSTOMER.c.external_id == external_id)
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    cv = row.cv
    value = stats.Value(
        value=None if cv is None else float(cv),
        benefit=None if row.benefit is None else float(row.benefit),
        cost=None if row.cost is None else float(row.cost),
        n=int(cv is not None),
        dimensions={d: _one(row._mapping[d]) for d in DIMENSIONS},
    )
    return CustomerValue(row.external_id, row.at, value)


async def customer_values(
    session: AsyncSession, window: Window | None, weights: Mapping[str, float] | None = None
) -> list[float]:
    """Every customer's CV (latest value survey in ``window``), for the distribution chart."""
    latest = latest_values(window, resolve_weights(weights))
    result = await session.execute(sa.select(latest.c.cv).where(latest.c.cv.is_not(None)))
    return [float(cv) for (cv,) in result]
