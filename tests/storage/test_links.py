from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.links import LinkOutcome, confirm_link, issue_link, redeem_link
from storage.models import Customer, Identity, LinkToken, Platform
from storage.privacy import erase_customer

T = Platform.TELEGRAM
DAY = timedelta(days=1)


async def owner(session: AsyncSession, address: str) -> str | None:
    return await session.scalar(
        select(Customer.external_id)
        .join(Identity, Identity.customer_id == Customer.id)
        .where(Identity.platform == T, Identity.external_id == address)
    )


async def test_a_link_links_once_until_it_expires(session: AsyncSession, now: datetime) -> None:
    async with session.begin():
        await issue_link(session, "L1", "C-1", now=now, valid_for=DAY)
        await issue_link(session, "L2", "C-2", now=now - 2 * DAY, valid_for=DAY)
    async with session.begin():
        first = await redeem_link(session, "L1", T, "100", now=now)
        again = await redeem_link(session, "L1", T, "200", now=now)
        expired = await redeem_link(session, "L2", T, "300", now=now)
        unknown = await redeem_link(session, "nope", T, "400", now=now)
    assert [r.outcome for r in (first, again, expired, unknown)] == [
        LinkOutcome.LINKED,
        LinkOutcome.USED,
        LinkOutcome.EXPIRED,
        LinkOutcome.UNKNOWN,
    ]
    async with session.begin():
        assert [await owner(session, a) for a in ("100", "200", "300")] == ["C-1", None, None]


async def test_a_move_needs_the_asked_chat_and_no_leaves_the_link_unused(
    session: AsyncSession, now: datetime
) -> None:
    async with session.begin():
        await issue_link(session, "A", "C-1", now=now, valid_for=DAY)
        await redeem_link(session, "A", T, "100", now=now)
        await issue_link(session, "B", "C-2", now=now, valid_for=DAY)
        asked = await redeem_link(session, "B", T, "100", now=now)
        forged = await confirm_link(session, "B", T, "999", move=True, now=now)
        declined = await confirm_link(session, "B", T, "100", move=False, now=now)
        late = await confirm_link(session, "B", T, "100", move=True, now=now)
    assert asked.outcome is LinkOutcome.CONFIRM_MOVE
    assert (forged.outcome, declined.outcome, late.outcome) == (
        LinkOutcome.UNKNOWN,
        LinkOutcome.CONFIRM_MOVE,
        LinkOutcome.UNKNOWN,
    )
    async with session.begin():
        assert await owner(session, "100") == "C-1"
        link = await session.get(LinkToken, "B")
        assert link is not None and link.used_at is None and link.pending_address is None
        await redeem_link(session, "B", T, "100", now=now)
        moved = await confirm_link(session, "B", T, "100", move=True, now=now)
    assert moved.outcome is LinkOutcome.LINKED
    async with session.begin():
        assert await owner(session, "100") == "C-2"


async def test_erasing_a_customer_drops_their_unused_links(
    session: AsyncSession, now: datetime
) -> None:
    async with session.begin():
        link = await issue_link(session, "L1", "C-1", now=now, valid_for=DAY)
        await erase_customer(session, link.customer_id, now)
    async with session.begin():
        assert list(await session.scalars(select(LinkToken))) == []
        assert (await redeem_link(session, "L1", T, "100", now=now)).outcome is LinkOutcome.UNKNOWN
