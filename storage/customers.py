"""Customers, their chat identities and agents as case events describe them.

Upserts insert with ``ON CONFLICT DO NOTHING`` and then update, so two events about the same
new customer arriving at once both succeed. Functions take the caller's session and never
commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from feedbackbot.errors import StorageError
from storage.models import (
    Agent,
    Customer,
    Identity,
    IdentityState,
    Invitation,
    InvitationStatus,
    Platform,
    SQLModel,
)
from storage.types import UTCDateTime

COUNTED_STATUSES = (
    InvitationStatus.PENDING,
    InvitationStatus.SENDING,
    InvitationStatus.SENT,
    InvitationStatus.ANSWERED,
    InvitationStatus.EXPIRED,
)
"""Invitations the customer saw or will see: these count for cadences and the throttle."""


class IdentityTaken(StorageError):
    """The chat address already belongs to another customer."""


@dataclass(frozen=True)
class Contact:
    """What the survey policy needs about a customer: reachability and invitation history."""

    customer_id: int
    timezone: str | None
    language: str | None
    linked: tuple[Platform, ...]
    opted_out: bool
    last_invited: dict[str, datetime]

    @property
    def last_any(self) -> datetime | None:
        return max(self.last_invited.values(), default=None)


async def _insert_missing(
    session: AsyncSession, model: type[SQLModel], values: dict[str, Any], keys: list[str]
) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    )


def _update(row: SQLModel, now: datetime, **fields: Any) -> None:
    changed = False
    for name, value in fields.items():
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        row.updated_at = now


async def upsert_customer(
    session: AsyncSession, external_id: str, *, now: datetime, **fields: str | None
) -> Customer:
    """The customer with ``external_id``, created if new; given (non-None) fields overwrite.

    The row stays locked (PostgreSQL) until the caller's transaction ends, so two events for
    one customer are decided one after the other and cannot both pass the throttle.
    """
    await _insert_missing(
        session,
        Customer,
        {"external_id": external_id, "created_at": now, "updated_at": now},
        ["external_id"],
    )
    customer = await session.scalar(
        select(Customer).where(col(Customer.external_id) == external_id).with_for_update()
    )
    assert customer is not None
    _update(customer, now, **fields)
    await session.flush()
    return customer


async def record_identity(
    session: AsyncSession,
    customer: Customer,
    platform: Platform,
    address: str,
    *,
    now: datetime,
    language: str | None = None,
) -> Identity:
    """Record that ``customer`` is reachable at ``address`` on ``platform``.

    A new address replaces the customer's old one on that platform and is linked. A known one
    keeps its state: an opted-out or unreachable identity is not revived by a helpdesk event
    (only the customer can opt back in). Raises ``IdentityTaken`` if another customer has it.
    """
    owner = await session.scalar(
        select(Identity).where(
            col(Identity.platform) == platform, col(Identity.external_id) == address
        )
    )
    if owner is not None and owner.customer_id != customer.id:
        raise IdentityTaken(
            f"{platform.value} address {address} already belongs to another customer"
        )
    identity = owner or await session.scalar(
        select(Identity).where(
            col(Identity.customer_id) == customer.id, col(Identity.platform) == platform
        )
    )
    if identity is None:
        identity = Identity(
            customer_id=customer.id,
            platform=platform,
            external_id=address,
            language=language,
            linked_at=now,
            updated_at=now,
        )
        session.add(identity)
    elif identity.external_id != address:
        identity.external_id = address
        identity.linked_at = now
        identity.updated_at = now
        if identity.state is IdentityState.UNREACHABLE:
            identity.state = IdentityState.LINKED
    await session.flush()
    return identity


async def upsert_agent(
    session: AsyncSession, external_id: str, *, now: datetime, **fields: str | None
) -> Agent:
    """The agent with ``external_id``, created if new; given (non-None) fields overwrite."""
    await _insert_missing(
        session,
        Agent,
        {"external_id": external_id, "created_at": now, "updated_at": now},
        ["external_id"],
    )
    agent = await session.scalar(select(Agent).where(col(Agent.external_id) == external_id))
    assert agent is not None
    _update(agent, now, **fields)
    await session.flush()
    return agent


async def contact(session: AsyncSession, customer: Customer) -> Contact:
    """The customer's reachability and, per survey, when they were last invited.

    An invitation's time is when it was sent or, if not yet sent, when it is due.
    """
    identities = list(
        await session.scalars(
            select(Identity)
            .where(col(Identity.customer_id) == customer.id)
            .order_by(col(Identity.linked_at).desc(), col(Identity.id).desc())
        )
    )
    invited = type_coerce(
        func.max(func.coalesce(col(Invitation.sent_at), col(Invitation.due_at))), UTCDateTime()
    )
    rows = await session.execute(
        select(col(Invitation.survey_key), invited)
        .where(
            col(Invitation.customer_id) == customer.id, col(Invitation.status).in_(COUNTED_STATUSES)
        )
        .group_by(col(Invitation.survey_key))
    )
    language = next((i.language for i in identities if i.language), None) or customer.language
    return Contact(
        customer_id=customer.id or 0,
        timezone=customer.timezone or next((i.timezone for i in identities if i.timezone), None),
        language=language,
        linked=tuple(i.platform for i in identities if i.state is IdentityState.LINKED),
        opted_out=any(i.state is IdentityState.OPTED_OUT for i in identities),
        last_invited={key: at for key, at in rows.all() if at is not None},
    )


async def campaign_candidates(
    session: AsyncSession, *, invited_since: datetime, after_id: int = 0, limit: int = 500
) -> list[Customer]:
    """Customers a relationship survey could reach, by id after ``after_id``.

    That is: a linked chat, no opted-out identity, and no invitation since ``invited_since``
    (the throttle window). Whether a survey is due by its cadence is the policy's call.
    """
    linked = select(col(Identity.customer_id)).where(col(Identity.state) == IdentityState.LINKED)
    opted_out = select(col(Identity.customer_id)).where(
        col(Identity.state) == IdentityState.OPTED_OUT
    )
    recent = select(col(Invitation.customer_id)).where(
        col(Invitation.status).in_(COUNTED_STATUSES),
        func.coalesce(col(Invitation.sent_at), col(Invitation.due_at)) > invited_since,
    )
    rows = await session.scalars(
        select(Customer)
        .where(
            col(Customer.id) > after_id,
            col(Customer.id).in_(linked),
            col(Customer.id).not_in(opted_out),
            col(Customer.id).not_in(recent),
        )
        .order_by(col(Customer.id))
        .limit(limit)
    )
    return list(rows)


@dataclass(frozen=True)
class Reach:
    """How to reach one customer now: their time zone and every identity with its state."""

    customer_id: int
    timezone: str | None
    language: str | None
    identities: tuple[Identity, ...]

    @property
    def opted_out(self) -> bool:
        return any(i.state is IdentityState.OPTED_OUT for i in self.identities)

    def linked(self, platform: Platform) -> Identity | None:
        return next(
            (
                i
                for i in self.identities
                if i.platform is platform and i.state is IdentityState.LINKED
            ),
            None,
        )

    def other_linked(self, platform: Platform) -> Identity | None:
        return next(
            (
                i
                for i in self.identities
                if i.platform is not platform and i.state is IdentityState.LINKED
            ),
            None,
        )


async def reach(session: AsyncSession, customer_ids: list[int]) -> dict[int, Reach]:
    """``Reach`` for each of ``customer_ids`` that exists."""
    if not customer_ids:
        return {}
    found = {
        c.id: c
        for c in await session.scalars(select(Customer).where(col(Customer.id).in_(customer_ids)))
    }
    identities: dict[int, list[Identity]] = {cid: [] for cid in found}
    for identity in await session.scalars(
        select(Identity)
        .where(col(Identity.customer_id).in_(customer_ids))
        .order_by(col(Identity.linked_at).desc(), col(Identity.id).desc())
    ):
        identities[identity.customer_id].append(identity)
    return {
        cid: Reach(
            customer_id=cid,
            timezone=customer.timezone,
            language=customer.language,
            identities=tuple(identities[cid]),
        )
        for cid, customer in found.items()
        if cid is not None
    }
