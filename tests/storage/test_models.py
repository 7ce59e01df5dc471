from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    Customer,
    Identity,
    IdentityState,
    Invitation,
    InvitationStatus,
    Platform,
    SupportCase,
)
from tests.factories import Factory


async def test_round_trip_of_customer_identity_agent_case_invitation_and_answers(
    factory: Factory, session: AsyncSession, now: datetime
) -> None:
    alice = await factory.customer(name="Alice Liddell", email="alice@example.com", language="en")
    await factory.identity(alice, timezone="Europe/Berlin")
    dana = await factory.agent(slack_user_id="U0DANA", name="Dana")
    case = await factory.case(alice, dana, contacts=2, resolved=False, handle_seconds=640)
    invitation = await factory.invitation(case, expires_at=now.replace(day=5))
    await factory.answer(invitation, "csat", 2)
    await factory.answer(invitation, "comment", text="Too slow", skipped=False)

    stored = (await session.execute(select(Invitation))).scalar_one()
    assert stored.status is InvitationStatus.PENDING
    assert stored.channel is Platform.TELEGRAM
    assert stored.due_at == now and stored.due_at.tzinfo is not None
    assert stored.expires_at == datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    assert stored.agent_id == dana.id

    identity = (await session.execute(select(Identity))).scalar_one()
    assert identity.state is IdentityState.LINKED
    assert identity.timezone == "Europe/Berlin"

    stored_case = (await session.execute(select(SupportCase))).scalar_one()
    assert (stored_case.contacts, stored_case.resolved, stored_case.handle_seconds) == (
        2,
        False,
        640,
    )

    answers = (await session.execute(select(Answer).order_by(Answer.id))).scalars().all()
    assert [(a.question_key, a.value, a.text) for a in answers] == [
        ("csat", 2, None),
        ("comment", None, "Too slow"),
    ]
    assert all(a.survey_key == "csat" and a.agent_id == dana.id for a in answers)


async def test_duplicate_answer_for_the_same_question_is_refused(factory: Factory) -> None:
    invitation = await factory.pending_invitation()
    await factory.answer(invitation, "csat", 4)
    with pytest.raises(IntegrityError):
        await factory.answer(invitation, "csat", 5)


async def test_case_id_is_unique(factory: Factory) -> None:
    alice = await factory.customer()
    await factory.case(alice, None, external_id="CASE-9")
    with pytest.raises(IntegrityError):
        await factory.case(alice, None, external_id="CASE-9")


async def test_one_identity_per_chat_address(factory: Factory) -> None:
    alice = await factory.customer()
    boris = await factory.customer("boris")
    await factory.identity(alice, Platform.TELEGRAM, "42")
    with pytest.raises(IntegrityError):
        await factory.identity(boris, Platform.TELEGRAM, "42")


async def test_foreign_keys_are_enforced(factory: Factory, now: datetime) -> None:
    with pytest.raises(IntegrityError):
        await factory.save(SupportCase(external_id="X", customer_id=999, closed_at=now))


async def test_one_invitation_per_case_and_survey(factory: Factory) -> None:
    invitation = await factory.pending_invitation()
    case = SupportCase(id=invitation.case_id, customer_id=invitation.customer_id)
    with pytest.raises(IntegrityError):
        await factory.invitation(case, "csat")
    await factory.invitation(case, "nps")


async def test_naive_datetimes_are_refused(factory: Factory) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await factory.save(Customer(external_id="c", created_at=datetime(2026, 1, 1)))
