"""The answer desk under concurrent presses: each on its own connection, as the bot runs them."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from bot.answers import AnswerDesk
from storage.engine import session_factory
from storage.models import Answer, FollowUp, Invitation, InvitationStatus, Platform
from surveys.catalog import load_catalog
from surveys.conversation import AnswerCommand, RejectReason, pin_version
from surveys.flow import Sender
from tests.factories import Factory

SENDER = Sender(Platform.TELEGRAM, "7301", "en")


async def _invitation(engine: AsyncEngine, factory: Factory) -> int:
    survey = load_catalog(None).get("csat")
    customer = await factory.customer("ana")
    await factory.identity(customer, Platform.TELEGRAM, SENDER.address)
    case = await factory.case(customer, await factory.agent("dana"), "CASE-1")
    async with session_factory(engine)() as session, session.begin():
        await pin_version(session, survey)
    invitation = await factory.invitation(
        case, "csat", InvitationStatus.SENT, survey_version=survey.version
    )
    assert invitation.id is not None
    return invitation.id


async def _count(engine: AsyncEngine, table: type, invitation_id: int) -> int:
    async with engine.connect() as connection:
        found = await connection.scalar(
            select(func.count()).select_from(table).where(col(table.invitation_id) == invitation_id)  # type: ignore[attr-defined]
        )
    return int(found or 0)


@pytest.fixture
def desk(engine: AsyncEngine) -> AnswerDesk:
    return AnswerDesk(session_factory(engine))


async def test_concurrent_different_scores_store_one_and_refuse_the_rest(
    engine: AsyncEngine, factory: Factory, desk: AnswerDesk
) -> None:
    invitation_id = await _invitation(engine, factory)

    outcomes = await asyncio.gather(
        *(
            desk.press(SENDER, AnswerCommand(invitation_id, "csat", choice=str(score)))
            for score in (1, 2, 3, 4, 5, 1, 5, 3)
        )
    )

    recorded = [o for o in outcomes if o.recorded]
    assert len(recorded) == 1
    winner = recorded[0].given
    assert winner is not None and winner.value is not None
    for outcome in outcomes:
        if outcome.recorded:
            continue
        if outcome.given == winner:
            assert outcome.refused is None  # the same score again: "counted"
        else:
            assert outcome.refused is not None
            assert outcome.refused.reason is RejectReason.ALREADY_ANSWERED
    assert await _count(engine, Answer, invitation_id) == 1
    assert await _count(engine, FollowUp, invitation_id) == (1 if winner.value <= 2 else 0)
    assert recorded[0].alert is (winner.value <= 2)


async def test_concurrent_taps_through_the_survey_leave_a_consistent_invitation(
    engine: AsyncEngine, factory: Factory, desk: AnswerDesk
) -> None:
    """Score and the FCR answer tapped four times each at once: two answers, answered once."""
    invitation_id = await _invitation(engine, factory)

    for question, choice in (("csat", "4"), ("fcr", "yes")):
        command = AnswerCommand(invitation_id, question, choice=choice)
        taps = await asyncio.gather(*(desk.press(SENDER, command) for _ in range(4)))
        assert sum(o.recorded for o in taps) == 1
        assert all(o.refused is None for o in taps)

    assert await _count(engine, Answer, invitation_id) == 2
    async with engine.connect() as connection:
        status = await connection.scalar(
            select(col(Invitation.status)).where(col(Invitation.id) == invitation_id)
        )
    assert status == InvitationStatus.ANSWERED
