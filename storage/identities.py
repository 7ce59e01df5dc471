"""A customer's chat addresses: linking a chat, opting out, language, reachability.

Functions take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.customers import upsert_customer
from storage.models import (
    Customer,
    Identity,
    IdentityState,
    Invitation,
    InvitationStatus,
    Platform,
)
from storage.results import affected_rows
from storage.types import utcnow

OPEN_STATUSES = (InvitationStatus.PENDING, InvitationStatus.SENT)
"""Invitations a customer may still receive or answer (``sending`` belongs to a dispatcher)."""


async def find_identity(session: AsyncSession, platform: Platform, address: str) -> Identity | None:
    """The identity of one chat address (a Telegram chat id, a Slack user id), if any."""
    return await session.scalar(
        select(Identity).where(
            col(Identity.platform) == platform, col(Identity.external_id) == address
        )
    )


async def link_customer(
    session: AsyncSession,
    *,
    customer_external_id: str,
    platform: Platform,
    address: str,
    language: str | None = None,
    now: datetime | None = None,
) -> Identity:
    """Connect ``address`` to the customer, creating the customer if the helpdesk never sent it.

    Called when the customer opens a signed link themselves, so it also re-opts-in an
    identity that had stopped surveys and clears an unreachable mark. The chat leaves any other
    customer it was linked to; a customer keeps one address per platform, so a new chat
    replaces the old one. Returns the linked identity (flushed, with its id).
    """
    now = now or utcnow()
    customer = await upsert_customer(session, customer_external_id, now=now)
    if customer.language is None and language is not None:
        customer.language = language
    await session.execute(
        delete(Identity).where(
            col(Identity.platform) == platform,
            col(Identity.external_id) == address,
            col(Identity.customer_id) != customer.id,
        )
    )
    identity = await session.scalar(
        select(Identity).where(
            col(Identity.customer_id) == customer.id, col(Identity.platform) == platform
        )
    )
    if identity is None:
        identity = Identity(
            customer_id=customer.id, platform=platform, external_id=address, linked_at=now
        )
        session.add(identity)
    elif identity.external_id != address:
        identity.external_id = address
        identity.linked_at = now
    identity.state = IdentityState.LINKED
    identity.language = identity.language or language or customer.language
    identity.updated_at = now
    await session.flush()
    return identity


async def mark_unreachable(
    session: AsyncSession, platform: Platform, address: str, now: datetime | None = None
) -> bool:
    """Mark a chat that refused our messages (blocked the bot); True if an identity changed."""
    result = await session.execute(
        update(Identity)
        .where(
            col(Identity.platform) == platform,
            col(Identity.external_id) == address,
            col(Identity.state) == IdentityState.LINKED,
        )
        .values(state=IdentityState.UNREACHABLE, updated_at=now or utcnow())
    )
    return bool(affected_rows(result))


async def opt_out(session: AsyncSession, identity: Identity, now: datetime | None = None) -> int:
    """Stop every survey for the identity's customer; returns how many invitations were cancelled.

    The survey policy sends nothing to a customer with an opted-out identity on any platform,
    so marking this one is enough, and opening the chat again (``resume``) undoes it. An
    invitation being sent right now (``sending``) is left to its dispatcher.
    """
    now = now or utcnow()
    identity.state = IdentityState.OPTED_OUT
    identity.updated_at = now
    await session.flush()
    return await cancel_open_invitations(session, identity.customer_id, "opted out", now)


async def cancel_open_invitations(
    session: AsyncSession, customer_id: int, reason: str, now: datetime | None = None
) -> int:
    """Cancel the customer's pending and unanswered invitations; returns how many."""
    result = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.customer_id) == customer_id, col(Invitation.status).in_(OPEN_STATUSES)
        )
        .values(status=InvitationStatus.CANCELLED, status_reason=reason)
    )
    return affected_rows(result)


async def set_language(
    session: AsyncSession, identity: Identity, language: str, now: datetime | None = None
) -> None:
    """Use ``language`` for this identity and for the customer's future surveys."""
    now = now or utcnow()
    identity.language = language
    identity.updated_at = now
    await session.execute(
        update(Customer)
        .where(col(Customer.id) == identity.customer_id)
        .values(language=language, updated_at=now)
    )
    await session.flush()


async def recent_invitations(
    session: AsyncSession, customer_id: int, limit: int = 5
) -> list[Invitation]:
    """The customer's delivered invitations that may still take an answer, newest first.

    Answered ones are included: optional questions (a comment) can remain after the required
    ones are answered.
    """
    rows = await session.scalars(
        select(Invitation)
        .where(
            col(Invitation.customer_id) == customer_id,
            col(Invitation.status).in_((InvitationStatus.SENT, InvitationStatus.ANSWERED)),
        )
        .order_by(col(Invitation.id).desc())
        .limit(limit)
    )
    return list(rows)


async def resume(session: AsyncSession, identity: Identity, now: datetime | None = None) -> bool:
    """The customer started the chat again themselves: surveys back on; True if it changed."""
    if identity.state is IdentityState.LINKED:
        return False
    identity.state = IdentityState.LINKED
    identity.updated_at = now or utcnow()
    await session.flush()
    return True
