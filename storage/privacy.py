"""A customer's data rights: what is stored about them, and erasing it.

Erasing keeps the numeric scores (the aggregates and the agents' figures stay right) but
removes what identifies or quotes the person: chat identities, deep links, message references,
written comments, name, email, phone, language and time zone (issue 12). The customer row stays,
under a random pseudonym, as the anonymous owner of those scores. Their outcome events (type,
time, amount: business records) stay with it too, so the outcome figures stay right, but the
billing system's event ids, which would lead back to the person's invoices, are replaced.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.identities import OPEN_STATUSES, cancel_open_invitations
from storage.models import (
    Answer,
    Customer,
    CustomerEvent,
    FollowUp,
    Identity,
    Invitation,
    InvitationStatus,
    LinkToken,
)
from storage.results import affected_rows
from storage.types import utcnow


@dataclass(frozen=True)
class CustomerData:
    customer: Customer
    identities: list[Identity]
    open_invitations: int
    answers: int
    comments: int


@dataclass(frozen=True)
class Erased:
    identities: int
    comments: int
    invitations_cancelled: int
    alerts_to_edit: int
    pseudonym: str
    alerted_invitations: tuple[int, ...] = ()
    """Invitations whose low-score alert was already posted: each is to be edited."""


async def customer_data(session: AsyncSession, customer_id: int) -> CustomerData | None:
    """Everything stored about one customer, as counts where the rows are many."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return None
    identities = list(
        await session.scalars(
            select(Identity)
            .where(col(Identity.customer_id) == customer_id)
            .order_by(col(Identity.id))
        )
    )
    open_count = await session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            col(Invitation.customer_id) == customer_id, col(Invitation.status).in_(OPEN_STATUSES)
        )
    )
    answers, comments = (
        await session.execute(
            select(func.count(), func.count(col(Answer.text))).where(
                col(Answer.customer_id) == customer_id
            )
        )
    ).one()
    return CustomerData(customer, identities, open_count or 0, answers, comments)


_PSEUDONYM = re.compile(r"erased-[0-9a-f]{16}")


def new_pseudonym() -> str:
    """A random customer id that says nothing about the person (``erased-`` and 16 hex digits)."""
    return f"erased-{secrets.token_hex(8)}"


def is_pseudonym(customer_id: str) -> bool:
    """Whether ``customer_id`` has the form an erased customer's id takes."""
    return _PSEUDONYM.fullmatch(customer_id) is not None


async def erase_customer(
    session: AsyncSession,
    customer_id: int,
    now: datetime | None = None,
    pseudonym: str | None = None,
) -> Erased:
    """Erase the customer's personal data; returns what was removed.

    Removes chat identities (chat and user ids), unused deep links, written comments and the
    message references of their invitations (which name the chat), name, email and phone, and
    replaces the helpdesk's customer id with a random ``pseudonym``, so the scores stay counted
    without saying whose they are. Their events keep type, time and amount; each event id
    becomes ``erased:<row id>`` (the billing system's id would name the person's invoice).
    Open invitations, and one being sent right now, are cancelled; the claim is dropped so the
    sender records nothing afterwards. Low-score alerts already posted to an agent are marked
    ``alert_outdated_at``: the Slack side edits them to drop name and comment.
    """
    now = now or utcnow()
    cancelled = await cancel_open_invitations(session, customer_id, "customer erased data", now)
    sending = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.customer_id) == customer_id,
            col(Invitation.status) == InvitationStatus.SENDING,
        )
        .values(
            status=InvitationStatus.CANCELLED,
            status_reason="customer erased data",
            claimed_by=None,
            claim_expires_at=None,
        )
    )
    cancelled += affected_rows(sending)
    invitations = select(col(Invitation.id)).where(col(Invitation.customer_id) == customer_id)
    await session.execute(
        update(Invitation)
        .where(col(Invitation.customer_id) == customer_id)
        .values(message_ref=None, last_error=None)
    )
    comments = await session.execute(
        update(Answer)
        .where(col(Answer.customer_id) == customer_id, col(Answer.text).is_not(None))
        .values(text=None)
    )
    alerted = tuple(
        await session.scalars(
            select(col(FollowUp.invitation_id)).where(
                col(FollowUp.invitation_id).in_(invitations), col(FollowUp.alert_ref).is_not(None)
            )
        )
    )
    alerts = await session.execute(
        update(FollowUp)
        .where(col(FollowUp.invitation_id).in_(invitations), col(FollowUp.alert_ref).is_not(None))
        .values(alert_outdated_at=now, last_error=None)
    )
    identities = await session.execute(
        delete(Identity).where(col(Identity.customer_id) == customer_id)
    )
    await session.execute(delete(LinkToken).where(col(LinkToken.customer_id) == customer_id))
    await session.execute(
        update(CustomerEvent)
        .where(col(CustomerEvent.customer_id) == customer_id)
        .values(event_key=literal("erased:") + cast(col(CustomerEvent.id), String))
    )
    pseudonym = pseudonym or new_pseudonym()
    await session.execute(
        update(Customer)
        .where(col(Customer.id) == customer_id)
        .values(
            external_id=pseudonym,
            name=None,
            email=None,
            phone=None,
            language=None,
            timezone=None,
            erased_at=now,
            updated_at=now,
        )
    )
    session.expire_all()
    return Erased(
        affected_rows(identities),
        affected_rows(comments),
        cancelled,
        affected_rows(alerts),
        pseudonym,
        alerted,
    )
