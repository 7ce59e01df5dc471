from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.events import EventRecord, record_events
from storage.models import (
    Answer,
    Customer,
    CustomerEvent,
    Identity,
    Invitation,
    InvitationStatus,
    OutcomeType,
    Platform,
)
from storage.privacy import customer_data, erase_customer
from tests.factories import Factory, stored_values_containing


async def test_customer_data_counts_what_is_stored(session: AsyncSession, factory: Factory) -> None:
    invitation = await factory.pending_invitation()
    await factory.answer(invitation, "score", 2)
    await factory.answer(invitation, "comment", text="slow answer")
    async with session.begin():
        data = await customer_data(session, invitation.customer_id)
        assert data is not None
        assert data.customer.external_id == "alice"
        assert [i.platform for i in data.identities] == [Platform.TELEGRAM]
        assert (data.open_invitations, data.answers, data.comments) == (1, 2, 1)
        assert await customer_data(session, 999) is None


async def test_erasing_keeps_scores_and_removes_comments_identities_and_contact_details(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    invitation = await factory.pending_invitation()
    customer_id = invitation.customer_id
    await factory.answer(invitation, "score", 2)
    await factory.answer(invitation, "comment", text="slow answer")
    async with session.begin():
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        customer.name, customer.email = "Alice A.", "alice@example.com"
    async with session.begin():
        erased = await erase_customer(session, customer_id, now)
    assert (erased.identities, erased.comments, erased.invitations_cancelled) == (1, 1, 1)
    session.expunge_all()
    async with session.begin():
        answers = list(await session.scalars(select(Answer).order_by(Answer.id)))
        assert [(a.value, a.text) for a in answers] == [(2, None), (None, None)]
        assert list(await session.scalars(select(Identity))) == []
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        assert (customer.name, customer.email, customer.language) == (None, None, None)
        data = await customer_data(session, customer_id)
        assert data is not None and data.open_invitations == 0
        status = await session.scalar(select(Invitation.status))
        assert status is InvitationStatus.CANCELLED


async def test_erasing_removes_the_phone_and_the_event_ids_but_keeps_the_events(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice", phone="+34 600 111 222")
    other = await factory.customer("bob")
    at = datetime(2026, 10, 1, tzinfo=UTC)
    async with session.begin():
        await record_events(
            session,
            [
                EventRecord("alice", OutcomeType.RENEWAL, at, 99.5, "INV-2026-0042"),
                EventRecord("alice", OutcomeType.CHURN, at, None),
                EventRecord("bob", OutcomeType.PURCHASE, at, 10.0, "INV-2026-0043"),
            ],
        )
    async with session.begin():
        await erase_customer(session, alice.id, now)
    session.expunge_all()
    async with session.begin():
        customer = await session.get(Customer, alice.id)
        assert customer is not None and customer.phone is None
        rows = await session.execute(
            select(
                CustomerEvent.id,
                CustomerEvent.customer_id,
                CustomerEvent.event_key,
                CustomerEvent.type,
            ).order_by(CustomerEvent.id)
        )
        events = [(i, c, k, t.value) for i, c, k, t in rows]
    assert [(c, t) for _, c, _, t in events] == [
        (alice.id, "renewal"),
        (alice.id, "churn"),
        (other.id, "purchase"),
    ]
    assert [k for i, c, k, _ in events] == [
        f"erased:{events[0][0]}",
        f"erased:{events[1][0]}",
        "INV-2026-0043",
    ]
    assert await stored_values_containing(factory.sessions, ["INV-2026-0042", "600 111"]) == []
