"""A customer's data rights: what is stored about them, and erasing it.

Erasing keeps the numeric scores (the aggregates and the agents' figures stay right) but
removes what identifies or quotes the person: chat identities, written comments, name, email,
language and time zone. The customer row stays as the anonymous owner of those scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.identities import OPEN_STATUSES, cancel_open_invitations
from storage.models import Answer, Customer, Identity, Invitation
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


async def erase_customer(
    session: AsyncSession, customer_id: int, now: datetime | None = None
) -> Erased:
    """Erase the customer's personal data; returns what was removed."""
    now = now or utcnow()
    cancelled = await cancel_open_invitations(session, customer_id, "customer erased data", now)
    comments = await session.execute(
        update(Answer)
        .where(col(Answer.customer_id) == customer_id, col(Answer.text).is_not(None))
        .values(text=None)
    )
    identities = await session.execute(
        delete(Identity).where(col(Identity.customer_id) == customer_id)
    )
    await session.execute(
        update(Customer)
        .where(col(Customer.id) == customer_id)
        .values(name=None, email=None, language=None, timezone=None, updated_at=now)
    )
    return Erased(affected_rows(identities), affected_rows(comments), cancelled)
