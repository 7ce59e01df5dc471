"""Export -> wipe -> import gives the same answer-based figures, for random histories of every
survey, in CSV and JSON lines (issue 13 point 2), on whichever database the suite runs on."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.answer_csv import csv_cells, export_cells, read_rows, write_csv_header
from scoring.periods import Window
from scoring.report import build_report
from scoring.value import DIMENSIONS
from storage.engine import create_engine, session_factory
from storage.models import Agent, Answer, Customer, Invitation, SupportCase, table_of
from storage.transfer import import_answers, stream_answers
from surveys.catalog import load_catalog
from tests.conftest import empty_tables

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
WINDOW = Window(None, NOW + timedelta(days=1))
CUSTOMERS = ("alice", "=boris", "chen")
AGENTS = (("dana", "tier1"), ("eli", "-tier2"))
ANSWER_FIGURES = ("csat", "nps", "ces", "fcr", "value")
GROUPINGS = ("agent", "customer", "team", "survey", "day")
CATALOG = load_catalog(None)


def _rating(low: int, high: int) -> st.SearchStrategy[int | None]:
    return st.none() | st.integers(low, high)


comments = st.none() | st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda text: text.strip() == text)
SURVEY_ANSWERS = {
    "csat": st.fixed_dictionaries(
        {"csat": _rating(1, 5)},
        optional={"fcr": st.sampled_from(["yes", "no"]), "comment": comments},
    ),
    "nps": st.fixed_dictionaries({"nps": _rating(0, 10)}, optional={"reason": comments}),
    "ces": st.fixed_dictionaries({"ces": _rating(1, 7)}),
    "fcr": st.fixed_dictionaries({"fcr": st.sampled_from(["yes", "no"])}),
    "value": st.fixed_dictionaries({}, optional={d: _rating(1, 5) for d in DIMENSIONS}),
}


@dataclass(frozen=True)
class Response:
    customer: int
    agent: int | None
    survey: str
    answers: dict[str, object]
    minutes_ago: int
    with_case: bool


responses = st.sampled_from(sorted(SURVEY_ANSWERS)).flatmap(
    lambda survey: st.builds(
        Response,
        st.integers(0, len(CUSTOMERS) - 1),
        st.none() | st.integers(0, len(AGENTS) - 1),
        st.just(survey),
        SURVEY_ANSWERS[survey],
        st.integers(0, 60 * 24 * 20),
        st.booleans(),
    )
)


def _stored(question: str, given: object) -> dict[str, object]:
    if given in ("yes", "no"):
        return {"value": int(given == "yes"), "choice": given, "text": None}
    if isinstance(given, str):
        return {"value": None, "choice": None, "text": given}
    return {"value": given, "choice": None, "text": None}


async def _store(url: str, history: list[Response]) -> None:
    engine = create_engine(url)
    try:
        await empty_tables(engine)
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(table_of(Customer)),
                [{"id": i + 1, "external_id": name} for i, name in enumerate(CUSTOMERS)],
            )
            await connection.execute(
                sa.insert(table_of(Agent)),
                [{"id": i + 1, "external_id": a, "team": t} for i, (a, t) in enumerate(AGENTS)],
            )
            for number, item in enumerate(history, start=1):
                # Distinct times: "latest value survey" ties are broken by invitation id.
                at = NOW - timedelta(minutes=item.minutes_ago, seconds=number)
                agent_id = None if item.agent is None else item.agent + 1
                if item.with_case:
                    await connection.execute(
                        sa.insert(table_of(SupportCase)),
                        {
                            "id": number,
                            "external_id": f"C{number}",
                            "customer_id": item.customer + 1,
                            "agent_id": agent_id,
                            "closed_at": at,
                        },
                    )
                await connection.execute(
                    sa.insert(table_of(Invitation)),
                    {
                        "id": number,
                        "customer_id": item.customer + 1,
                        "case_id": number if item.with_case else None,
                        "agent_id": agent_id,
                        "survey_key": item.survey,
                        "survey_version": "1",
                        "status": "answered",
                        "due_at": at,
                        "sent_at": at,
                        "answered_at": at,
                    },
                )
                for question, given in item.answers.items():
                    await connection.execute(
                        sa.insert(table_of(Answer)),
                        {
                            "invitation_id": number,
                            "customer_id": item.customer + 1,
                            "agent_id": agent_id,
                            "survey_key": item.survey,
                            "question_key": question,
                            "skipped": given is None,
                            "answered_at": at,
                            **_stored(question, given),
                        },
                    )
    finally:
        await engine.dispose()


async def _figures(url: str) -> dict[str, list[dict[str, object]]]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            reports = {by: await build_report(session, by, WINDOW) for by in GROUPINGS}
    finally:
        await engine.dispose()
    return {
        by: [
            {"key": row["key"], **{name: row[name] for name in ANSWER_FIGURES}}
            for row in report.to_json()["rows"]
            if any(row[name]["n"] for name in ANSWER_FIGURES)
        ]
        for by, report in reports.items()
    }


async def _export(url: str, path: Path, jsonl: bool) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            with path.open("w", newline="", encoding="utf-8") as out:
                writer = None if jsonl else write_csv_header(out)
                async for row in stream_answers(session):
                    cells = export_cells(row)
                    if writer is None:
                        out.write(json.dumps(cells, ensure_ascii=False) + "\n")
                    else:
                        writer.writerow(csv_cells(cells))
    finally:
        await engine.dispose()


async def _wipe_and_import(url: str, path: Path) -> None:
    engine = create_engine(url)
    try:
        await empty_tables(engine)
        parsed = list(read_rows(path, CATALOG))
        assert [p.error for p in parsed if p.record is None] == []
        async with session_factory(engine)() as session, session.begin():
            outcomes = await import_answers(session, [p.record for p in parsed if p.record])
        assert set(outcomes) <= {"imported"}
    finally:
        await engine.dispose()


@pytest.mark.timeout(900)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(responses, min_size=1, max_size=25), jsonl=st.booleans())
def test_export_wipe_import_gives_equal_reports(
    database_url: str, tmp_path: Path, history: list[Response], jsonl: bool
) -> None:
    asyncio.run(_store(database_url, history))
    before = asyncio.run(_figures(database_url))
    path = tmp_path / ("answers.jsonl" if jsonl else "answers.csv")
    asyncio.run(_export(database_url, path, jsonl))
    asyncio.run(_wipe_and_import(database_url, path))
    assert asyncio.run(_figures(database_url)) == before
