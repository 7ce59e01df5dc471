"""The SQL figures against an independent computation in plain Python, over random data."""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.periods import Window
from scoring.report import Report, build_report
from scoring.value import BENEFITS, COSTS, DIMENSIONS
from storage.engine import create_engine, session_factory
from storage.models import Agent, Answer, Customer, Invitation, SupportCase
from tests.conftest import empty_tables

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=30), NOW)
CUSTOMERS = ("alice", "boris", "chen", "dora")
AGENTS = (("dana", "tier1"), ("eli", "tier2"), ("fay", "tier1"))
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7), "fcr": (0, 1)}


@dataclass(frozen=True)
class Rated:
    customer: int
    agent: int | None
    survey: str
    ratings: dict[str, int | None]
    hours_ago: int
    contacts: int = 1
    resolved: bool = True
    handle_seconds: int | None = None
    channel: str = "chat"
    status: str = "answered"


def _ratings(question: str) -> st.SearchStrategy[dict[str, int | None]]:
    low, high = SCALES[question]
    return st.fixed_dictionaries({question: st.none() | st.integers(low, high)})


value_ratings = st.fixed_dictionaries(
    {}, optional={d: st.none() | st.integers(1, 5) for d in DIMENSIONS}
)
surveys = st.one_of(
    *(st.tuples(st.just(q), _ratings(q)) for q in SCALES),
    st.tuples(st.just("value"), value_ratings),
)
rated = st.builds(
    lambda customer, agent, survey, hours, case, status: Rated(
        customer, agent, survey[0], survey[1], hours, *case, status
    ),
    st.integers(0, len(CUSTOMERS) - 1),
    st.none() | st.integers(0, len(AGENTS) - 1),
    surveys,
    st.integers(0, 24 * 40),
    st.tuples(
        st.integers(0, 3),
        st.booleans(),
        st.none() | st.integers(0, 5000),
        st.sampled_from(["chat", "email", "self_service"]),
    ),
    st.sampled_from(["answered", "sent", "expired", "pending", "failed"]),
)
SENT = ("answered", "sent", "expired")
weights = st.fixed_dictionaries(
    {}, optional={d: st.sampled_from([0.5, 1.0, 2.0]) for d in DIMENSIONS}
)


async def _store(url: str, data: list[Rated]) -> None:
    engine = create_engine(url)
    try:
        await empty_tables(engine)
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(Customer.__table__),
                [{"id": i + 1, "external_id": name} for i, name in enumerate(CUSTOMERS)],
            )
            await connection.execute(
                sa.insert(Agent.__table__),
                [{"id": i + 1, "external_id": a, "team": t} for i, (a, t) in enumerate(AGENTS)],
            )
            for number, item in enumerate(data, start=1):
                at = NOW - timedelta(hours=item.hours_ago)
                agent_id = None if item.agent is None else item.agent + 1
                await connection.execute(
                    sa.insert(SupportCase.__table__),
                    {
                        "id": number,
                        "external_id": f"C{number}",
                        "customer_id": item.customer + 1,
                        "agent_id": agent_id,
                        "closed_at": at,
                        "contacts": item.contacts,
                        "resolved": item.resolved,
                        "handle_seconds": item.handle_seconds,
                        "channel": item.channel,
                    },
                )
                await connection.execute(
                    sa.insert(Invitation.__table__),
                    {
                        "id": number,
                        "customer_id": item.customer + 1,
                        "case_id": number,
                        "agent_id": agent_id,
                        "survey_key": item.survey,
                        "survey_version": "1",
                        "status": item.status,
                        "due_at": at,
                        "sent_at": at if item.status in SENT else None,
                        "answered_at": at,
                    },
                )
                for question, value in item.ratings.items():
                    await connection.execute(
                        sa.insert(Answer.__table__),
                        {
                            "invitation_id": number,
                            "customer_id": item.customer + 1,
                            "agent_id": agent_id,
                            "survey_key": item.survey,
                            "question_key": question,
                            "value": value,
                            "skipped": value is None,
                            "answered_at": at,
                        },
                    )
    finally:
        await engine.dispose()


async def _reports(url: str, chosen: dict[str, float]) -> dict[str, Report]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return {
                by: await build_report(session, by, WINDOW, chosen)
                for by in ("agent", "customer", "team")
            }
    finally:
        await engine.dispose()


def _key(item: Rated, by: str) -> str | None:
    if by == "customer":
        return CUSTOMERS[item.customer]
    if item.agent is None:
        return None
    name, team = AGENTS[item.agent]
    return name if by == "agent" else team


def _inside(item: Rated) -> bool:
    at = NOW - timedelta(hours=item.hours_ago)
    return WINDOW.since <= at < WINDOW.until  # type: ignore[operator]


def _weighted(item: Rated, names: tuple[str, ...], chosen: dict[str, float]) -> float | None:
    rated_ = [(chosen.get(n, 1.0), item.ratings[n]) for n in names if item.ratings.get(n)]
    total = sum(w for w, _ in rated_)
    return sum(w * v for w, v in rated_) / total if rated_ else None  # type: ignore[operator]


def _expected(
    data: list[Rated], by: str, chosen: dict[str, float]
) -> dict[str | None, dict[str, tuple[float | None, int]]]:
    scores: dict[str | None, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for item in data:
        if not _inside(item) or item.survey == "value":
            continue
        for question, value in item.ratings.items():
            if value is not None:
                scores[_key(item, by)][question].append(value)

    latest: dict[int, tuple[datetime, int, Rated]] = {}
    for number, item in enumerate(data, start=1):
        rated_any = any(v is not None for v in item.ratings.values())
        if item.survey != "value" or not _inside(item) or not rated_any:
            continue
        at = NOW - timedelta(hours=item.hours_ago)
        if item.customer not in latest or (at, number) > latest[item.customer][:2]:
            latest[item.customer] = (at, number, item)
    ratios: dict[str | None, list[float]] = defaultdict(list)
    for _, _, item in latest.values():
        b, c = _weighted(item, BENEFITS, chosen), _weighted(item, COSTS, chosen)
        if b is not None and c is not None:
            ratios[_key(item, by)].append(b / c)

    cases: dict[str | None, list[Rated]] = defaultdict(list)
    sent: dict[str | None, list[Rated]] = defaultdict(list)
    for item in data:
        if _inside(item):
            cases[_key(item, by)].append(item)
            if item.status in SENT:
                sent[_key(item, by)].append(item)

    def pct(hits: int, n: int) -> tuple[float | None, int]:
        return (100 * hits / n if n else None, n)

    result: dict[str | None, dict[str, tuple[float | None, int]]] = {}
    for key in set(scores) | set(ratios) | set(cases) | set(sent):
        s = scores[key]
        csat, nps, ces, fcr = s["csat"], s["nps"], s["ces"], s["fcr"]
        closed = cases[key]
        handled = [c.handle_seconds for c in closed if c.handle_seconds is not None]
        result[key] = {
            "csat": pct(sum(v >= 4 for v in csat), len(csat)),
            "nps": (
                100 * (sum(v >= 9 for v in nps) - sum(v <= 6 for v in nps)) / len(nps)
                if nps
                else None,
                len(nps),
            ),
            "ces": (sum(ces) / len(ces) if ces else None, len(ces)),
            "fcr": pct(sum(v == 1 for v in fcr), len(fcr)),
            "fcr_operational": pct(
                sum(c.resolved and c.contacts == 1 for c in closed), len(closed)
            ),
            "aht": (sum(handled) / len(handled) if handled else None, len(handled)),
            "deflection": pct(
                sum(c.resolved and c.channel == "self_service" for c in closed), len(closed)
            ),
            "response_rate": pct(sum(i.status == "answered" for i in sent[key]), len(sent[key])),
            "value": (
                sum(ratios[key]) / len(ratios[key]) if ratios[key] else None,
                len(ratios[key]),
            ),
        }
    return result


def _figures(report: Report) -> dict[str | None, dict[str, tuple[float | None, int]]]:
    return {
        row.key: {
            "csat": (row.csat.value, row.csat.n),
            "nps": (row.nps.value, row.nps.n),
            "ces": (row.ces.mean.value, row.ces.n),
            "fcr": (row.fcr.value, row.fcr.n),
            "fcr_operational": (row.fcr_operational.value, row.fcr_operational.n),
            "aht": (row.aht.value, row.aht.n),
            "deflection": (row.deflection.value, row.deflection.n),
            "response_rate": (row.response_rate.value, row.response_rate.n),
            "value": (row.value.value, row.value.n),
        }
        for row in report.rows
    }


def _same(got: tuple[float | None, int], want: tuple[float | None, int]) -> bool:
    if got[1] != want[1] or (got[0] is None) != (want[0] is None):
        return False
    return got[0] is None or math.isclose(got[0], want[0], rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.lists(rated, min_size=1, max_size=25), chosen=weights)
def test_sql_figures_equal_an_independent_computation(
    database_url: str, data: list[Rated], chosen: dict[str, float]
) -> None:
    asyncio.run(_store(database_url, data))
    reports = asyncio.run(_reports(database_url, chosen))
    for by, report in reports.items():
        got, want = _figures(report), _expected(data, by, chosen)
        assert set(got) == {
            k for k, figures in want.items() if any(n for _, n in figures.values())
        }, by
        for key, figures in got.items():
            for name, figure in figures.items():
                assert _same(figure, want[key][name]), (by, key, name, figure, want[key][name])


@pytest.mark.parametrize("by", ["agent", "customer", "team"])
def test_independent_computation_is_not_trivially_empty(by: str) -> None:
    item = Rated(0, 1, "csat", {"csat": 5}, 1)
    assert _expected([item], by, {})[_key(item, by)]["csat"] == (100.0, 1)
