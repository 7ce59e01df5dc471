"""The press path's storage: one read of everything a press needs, one write of what it brings."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from storage.answers import GivenAnswer
from storage.models import Answer, FollowUp, Invitation, InvitationStatus, Platform
from storage.presses import CLOSED, PressState, Recorded, press_state, record_answer
from tests.factories import Factory

SCORE = GivenAnswer("csat", 1, None, None, False)


async def _state(engine: AsyncEngine, factory: Factory, status: InvitationStatus) -> PressState:
    customer = await factory.customer("ana")
    await factory.identity(customer, Platform.TELEGRAM, "7001")
    case = await factory.case(customer, await factory.agent("dana"), "CASE-1")
    invitation = await factory.invitation(case, "csat", status, survey_version="v1")
    async with engine.begin() as connection:
        state = await press_state(
            connection, invitation.id or 0, sender=(Platform.TELEGRAM, "7001")
        )
    assert state is not None
    assert state.sender_customer_id == customer.id
    return state


async def _record(
    engine: AsyncEngine,
    state: PressState,
    now: datetime,
    *,
    complete: bool,
    follow_up: str | None,
    answer: GivenAnswer = SCORE,
) -> Recorded:
    async with engine.begin() as connection:
        return await record_answer(
            connection, state, answer, now, complete=complete, follow_up=follow_up
        )


async def _stored(engine: AsyncEngine, invitation_id: int) -> tuple[str, int, int]:
    """(invitation status, answer rows, follow-up rows)."""
    async with engine.connect() as connection:
        status = await connection.scalar(
            select(col(Invitation.status)).where(col(Invitation.id) == invitation_id)
        )
        answers = (
            await connection.execute(
                select(col(Answer.id)).where(col(Answer.invitation_id) == invitation_id)
            )
        ).all()
        follow_ups = (
            await connection.execute(
                select(col(FollowUp.reason)).where(col(FollowUp.invitation_id) == invitation_id)
            )
        ).all()
    return str(status), len(answers), len(follow_ups)


async def test_an_answer_that_completes_the_survey_marks_it_and_queues_the_alert(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    state = await _state(engine, factory, InvitationStatus.SENT)

    recorded = await _record(engine, state, now, complete=True, follow_up="CSAT 1")

    assert recorded == Recorded(stored=True, marked_answered=True, followed_up=True)
    assert await _stored(engine, state.invitation_id) == ("answered", 1, 1)
    async with engine.connect() as connection:
        row = (await connection.execute(select(Answer))).one()
        alert = (await connection.execute(select(FollowUp))).one()
    assert (row.customer_id, row.agent_id, row.survey_key) == (
        state.customer_id,
        state.agent_id,
        "csat",
    )
    assert (row.question_key, row.value, row.skipped) == ("csat", 1, False)
    assert (alert.agent_id, alert.reason, alert.attempts) == (state.agent_id, "CSAT 1", 0)


async def test_a_repeated_answer_writes_nothing_at_all(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    """The loser of a double tap must not complete the survey or raise an alert on its own."""
    state = await _state(engine, factory, InvitationStatus.SENT)
    await _record(engine, state, now, complete=False, follow_up=None)

    again = await _record(engine, state, now, complete=True, follow_up="CSAT 1")

    assert again == Recorded(stored=False, marked_answered=False, followed_up=False)
    assert await _stored(engine, state.invitation_id) == ("sent", 1, 0)


@pytest.mark.parametrize(
    ("status", "complete", "written"),
    [
        # Mid-survey: only the answer.
        (InvitationStatus.SENT, False, ("sent", 1, 0)),
        # An optional question after the survey was complete: answered stays answered.
        (InvitationStatus.ANSWERED, True, ("answered", 1, 0)),
    ],
)
async def test_an_answer_that_completes_nothing_writes_only_itself(
    engine: AsyncEngine,
    factory: Factory,
    now: datetime,
    status: InvitationStatus,
    complete: bool,
    written: tuple[str, int, int],
) -> None:
    state = await _state(engine, factory, status)

    recorded = await _record(engine, state, now, complete=complete, follow_up=None)

    assert recorded == Recorded(stored=True, marked_answered=False, followed_up=False)
    assert await _stored(engine, state.invitation_id) == written


@pytest.mark.parametrize("closed", CLOSED)
async def test_an_invitation_closed_since_the_read_takes_nothing(
    engine: AsyncEngine, factory: Factory, now: datetime, closed: InvitationStatus
) -> None:
    """Expired, cancelled (by /forget, say) while the press was on its way: nothing stored."""
    state = await _state(engine, factory, InvitationStatus.SENT)
    async with engine.begin() as connection:
        await connection.execute(
            update(Invitation)
            .where(col(Invitation.id) == state.invitation_id)
            .values(status=closed)
        )

    recorded = await _record(engine, state, now, complete=True, follow_up="CSAT 1")

    assert recorded == Recorded(stored=False, marked_answered=False, followed_up=False)
    assert await _stored(engine, state.invitation_id) == (closed.value, 0, 0)


async def test_an_invitation_gets_one_follow_up(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    state = await _state(engine, factory, InvitationStatus.SENT)
    await _record(engine, state, now, complete=False, follow_up="CSAT 1")
    comment = GivenAnswer("comment", None, None, "slow", False)

    recorded = await _record(engine, state, now, complete=True, follow_up="CSAT 1", answer=comment)

    assert recorded == Recorded(stored=True, marked_answered=True, followed_up=False)
    assert await _stored(engine, state.invitation_id) == ("answered", 2, 1)
