"""Deep links that connect a chat to a customer: issued once, used once, expiring.

A chat that already belongs to one customer is never moved to another silently: redeeming a
link there only records the chat as waiting for confirmation, and ``confirm_link`` from that
same chat does the move (issue 12). Functions take the caller's session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.customers import upsert_customer
from storage.identities import find_identity, link_customer
from storage.models import Customer, Identity, LinkToken, Platform
from storage.results import affected_rows


class LinkOutcome(StrEnum):
    LINKED = "linked"
    """The chat now belongs to the link's customer (the link is used up)."""
    CONFIRM_MOVE = "confirm_move"
    """The chat belongs to another customer: nothing changed until the chat confirms."""
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    """No such link (never issued, or its customer erased their data), or a confirmation
    that does not come from the chat that was asked."""


@dataclass(frozen=True)
class Redemption:
    outcome: LinkOutcome
    identity: Identity | None = None
    replaced_address: str | None = None
    """The customer's previous chat on this platform, which the new one replaced."""


async def issue_link(
    session: AsyncSession,
    link_id: str,
    customer_external_id: str,
    *,
    now: datetime,
    valid_for: timedelta,
) -> LinkToken:
    """Record a new link for the customer (created if the helpdesk never sent it)."""
    customer = await upsert_customer(session, customer_external_id, now=now)
    link = LinkToken(
        id=link_id, customer_id=customer.id or 0, created_at=now, expires_at=now + valid_for
    )
    session.add(link)
    await session.flush()
    return link


async def _usable(session: AsyncSession, link_id: str, now: datetime) -> LinkToken | LinkOutcome:
    link = await session.scalar(
        select(LinkToken).where(col(LinkToken.id) == link_id).with_for_update()
    )
    if link is None:
        return LinkOutcome.UNKNOWN
    if link.used_at is not None:
        return LinkOutcome.USED
    if link.expires_at <= now:
        return LinkOutcome.EXPIRED
    return link


async def _use(
    session: AsyncSession,
    link: LinkToken,
    platform: Platform,
    address: str,
    language: str | None,
    now: datetime,
) -> Redemption:
    """Mark the link used (only if still unused: two chats racing get one winner) and link."""
    marked = await session.execute(
        update(LinkToken)
        .where(col(LinkToken.id) == link.id, col(LinkToken.used_at).is_(None))
        .values(used_at=now, pending_address=None)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(marked) != 1:
        return Redemption(LinkOutcome.USED)
    previous = await session.scalar(
        select(col(Identity.external_id)).where(
            col(Identity.customer_id) == link.customer_id, col(Identity.platform) == platform
        )
    )
    customer = await session.get(Customer, link.customer_id)
    identity = await link_customer(
        session,
        customer_external_id=customer.external_id if customer else "",
        platform=platform,
        address=address,
        language=language,
        now=now,
    )
    replaced = previous if previous is not None and previous != address else None
    return Redemption(LinkOutcome.LINKED, identity, replaced)


async def redeem_link(
    session: AsyncSession,
    link_id: str,
    platform: Platform,
    address: str,
    *,
    language: str | None = None,
    now: datetime,
) -> Redemption:
    """A chat opened the link ``link_id``.

    Links the chat and uses the link up, unless the chat belongs to another customer: then
    the link stays unused, remembers this chat as waiting for confirmation and the outcome is
    ``CONFIRM_MOVE``. Refused links (used, expired, unknown) change nothing.
    """
    link = await _usable(session, link_id, now)
    if isinstance(link, LinkOutcome):
        return Redemption(link)
    current = await find_identity(session, platform, address)
    if current is not None and current.customer_id != link.customer_id:
        link.pending_address = address
        await session.flush()
        return Redemption(LinkOutcome.CONFIRM_MOVE, current)
    return await _use(session, link, platform, address, language, now)


async def confirm_link(
    session: AsyncSession,
    link_id: str,
    platform: Platform,
    address: str,
    *,
    move: bool,
    now: datetime,
) -> Redemption:
    """The chat ``address`` answered the move question for ``link_id``.

    Only the chat that was asked counts; any other (a forged button) gets ``UNKNOWN`` and
    changes nothing. ``move=False`` keeps the chat where it is and withdraws the question.
    """
    link = await _usable(session, link_id, now)
    if isinstance(link, LinkOutcome):
        return Redemption(link)
    if link.pending_address != address:
        return Redemption(LinkOutcome.UNKNOWN)
    if not move:
        link.pending_address = None
        await session.flush()
        return Redemption(LinkOutcome.CONFIRM_MOVE, await find_identity(session, platform, address))
    return await _use(session, link, platform, address, None, now)
