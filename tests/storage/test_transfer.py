"""Imported answers are answers, not cases (issue 13 point 1)."""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from scoring.aggregate import case_measures, invitation_measures
from scoring.periods import Window
from storage.engine import session_factory
from storage.models import Invitation, InvitationStatus, SupportCase
from storage.transfer import IMPORTED, AnswerRecord, import_answers
from tests.factories import Factory


def record(
    case: str | None,
    survey: str,
    question: str,
    value: int | None,
    at: datetime,
    customer: str = "alice",
    agent: str | None = "dana",
) -> AnswerRecord:
    return AnswerRecord(
        customer=customer,
        agent=agent,
        case=case,
        survey=survey,
        question=question,
        value=value,
        choice=None,
        text=None,
        answered_at=at,
    )


async def test_an_import_into_a_database_with_cases_leaves_fcr_aht_and_deflection_alone(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    agent = await factory.agent("dana")
    for number in range(6):
        await factory.case(
            alice if number % 2 else boris,
            agent,
            external_id=f"REAL-{number}",
            contacts=1 + number % 3,
            resolved=number != 4,
            handle_seconds=300 * (number + 1),
            channel="self_service" if number == 2 else "email",
            closed_at=now - timedelta(days=number),
        )
    window = Window(None, now + timedelta(days=1))
    sessions = session_factory(engine)
    async with sessions() as session:
        before = {
            by: await case_measures(session, by, window) for by in ("agent", "customer", "day")
        }
    records = [
        record(f"OLD-{n}", "csat", "csat", 1 + n % 5, now - timedelta(days=n)) for n in range(30)
    ] + [record("REAL-1", "csat", "csat", 5, now), record(None, "nps", "nps", 9, now)]
    async with sessions() as session, session.begin():
        outcomes = await import_answers(session, records)
    assert outcomes == [IMPORTED] * len(records)
    async with sessions() as session:
        after = {
            by: await case_measures(session, by, window) for by in ("agent", "customer", "day")
        }
        cases = await session.scalar(select(func.count()).select_from(SupportCase))
    assert after == before
    assert cases == 6


async def test_an_answer_for_a_known_case_marks_its_invitation_answered_and_counts(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    alice, dana = await factory.customer("alice"), await factory.agent("dana")
    case = await factory.case(alice, dana, external_id="C-1")
    pending = await factory.invitation(case, "csat")
    skipped = await factory.invitation(case, "nps", status=InvitationStatus.SKIPPED)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await import_answers(
            session,
            [record("C-1", "csat", "csat", 4, now), record("C-1", "nps", "nps", 10, now)],
        )
    async with sessions() as session:
        rows = {i.id: i for i in await session.scalars(select(Invitation))}
        rate = await invitation_measures(session, "agent", Window(None, now + timedelta(hours=1)))
    assert len(rows) == 2
    assert rows[pending.id].status is InvitationStatus.ANSWERED
    assert rows[skipped.id].status is InvitationStatus.ANSWERED
    assert rate == {"dana": (2.0, 2.0)}


async def test_an_invitation_answered_before_its_send_was_recorded_counts_as_sent(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    alice, dana = await factory.customer("alice"), await factory.agent("dana")
    case = await factory.case(alice, dana)
    await factory.invitation(case, "csat", status=InvitationStatus.ANSWERED, answered_at=now)
    await factory.invitation(
        await factory.case(alice, dana, external_id="C-2"),
        "csat",
        status=InvitationStatus.SENT,
        sent_at=now,
    )
    async with session_factory(engine)() as session:
        rate = await invitation_measures(session, "agent", Window(None, now + timedelta(hours=1)))
    assert rate == {"dana": (2.0, 1.0)}
