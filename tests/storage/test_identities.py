from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.identities import (
    find_identity,
    link_customer,
    mark_unreachable,
    opt_out,
    recent_invitations,
    resume,
    set_language,
)
from storage.models import (
    Customer,
    Identity,
    IdentityState,
    Invitation,
    InvitationStatus,
    Platform,
)
from tests.factories import Factory

T = Platform.TELEGRAM


async def test_linking_creates_an_unknown_customer_and_its_identity(
    session: AsyncSession, now: datetime
) -> None:
    async with session.begin():
        identity = await link_customer(
            session, customer_external_id="C-9", platform=T, address="555", language="ru", now=now
        )
    async with session.begin():
        customer = await session.scalar(select(Customer).where(Customer.external_id == "C-9"))
        assert customer is not None and customer.language == "ru"
        found = await find_identity(session, T, "555")
        assert found is not None and found.id == identity.id
        assert (found.customer_id, found.state, found.language) == (
            customer.id,
            IdentityState.LINKED,
            "ru",
        )


async def test_linking_again_re_opts_in_and_moves_a_chat_between_customers(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice")
    await factory.customer("boris")
    await factory.identity(alice, external_id="777", state=IdentityState.OPTED_OUT)
    async with session.begin():
        identity = await link_customer(
            session, customer_external_id="alice", platform=T, address="777", now=now
        )
        assert identity.state is IdentityState.LINKED
    async with session.begin():
        moved = await link_customer(
            session, customer_external_id="boris", platform=T, address="777", now=now
        )
    async with session.begin():
        rows = list(await session.scalars(select(Identity)))
        assert [(r.customer_id, r.external_id) for r in rows] == [(moved.customer_id, "777")]
        assert moved.customer_id != alice.id


async def test_a_customer_keeps_one_chat_the_newest(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice")
    await factory.identity(alice, external_id="111")
    async with session.begin():
        await link_customer(
            session, customer_external_id="alice", platform=T, address="222", now=now
        )
    async with session.begin():
        assert await find_identity(session, T, "111") is None
        assert (await find_identity(session, T, "222")) is not None


async def test_opt_out_cancels_open_invitations_only(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice")
    await factory.identity(alice)
    case = await factory.case(alice, None)
    pending = await factory.invitation(case, "csat")
    sent = await factory.invitation(case, "nps", status=InvitationStatus.SENT)
    done = await factory.invitation(case, "ces", status=InvitationStatus.ANSWERED)
    others = await factory.invitation(
        await factory.case(await factory.customer("boris"), None, "CASE-B")
    )
    async with session.begin():
        identity = await find_identity(session, T, "1001")
        assert identity is not None
        assert await opt_out(session, identity, now) == 2
    session.expunge_all()
    async with session.begin():
        states = {row.id: row.status for row in await session.scalars(select(Invitation))}
        assert states == {
            pending.id: InvitationStatus.CANCELLED,
            sent.id: InvitationStatus.CANCELLED,
            done.id: InvitationStatus.ANSWERED,
            others.id: InvitationStatus.PENDING,
        }
        identity = await find_identity(session, T, "1001")
        assert identity is not None and identity.state is IdentityState.OPTED_OUT
        assert await resume(session, identity, now)
        assert not await resume(session, identity, now)


async def test_unreachable_marks_only_a_linked_chat(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice")
    await factory.identity(alice, external_id="1")
    boris = await factory.customer("boris")
    await factory.identity(boris, external_id="2", state=IdentityState.OPTED_OUT)
    async with session.begin():
        assert await mark_unreachable(session, T, "1", now)
        assert not await mark_unreachable(session, T, "2", now)
        assert not await mark_unreachable(session, T, "3", now)


async def test_language_applies_to_the_chat_and_the_customer(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice", language="en")
    await factory.identity(alice)
    async with session.begin():
        identity = await find_identity(session, T, "1001")
        assert identity is not None
        await set_language(session, identity, "de", now)
    async with session.begin():
        customer = await session.get(Customer, alice.id, populate_existing=True)
        assert customer is not None and customer.language == "de"
        identity = await find_identity(session, T, "1001")
        assert identity is not None and identity.language == "de"


async def test_recent_invitations_are_the_delivered_ones_newest_first(
    session: AsyncSession, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice")
    case = await factory.case(alice, None)
    sent = await factory.invitation(case, "csat", status=InvitationStatus.SENT, sent_at=now)
    answered = await factory.invitation(case, "nps", status=InvitationStatus.ANSWERED)
    await factory.invitation(case, "ces")
    await factory.invitation(case, "value", status=InvitationStatus.EXPIRED)
    async with session.begin():
        found = await recent_invitations(session, alice.id)
        assert [i.id for i in found] == [answered.id, sent.id]
        assert await recent_invitations(session, alice.id, limit=1) == [answered]
