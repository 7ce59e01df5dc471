from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Customer, Identity, Invitation, InvitationStatus, Platform
from storage.privacy import customer_data, erase_customer
from tests.factories import Factory


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
