"""Customer events (renewals, purchases, churn, refunds): stored once however often they come.

Functions take the caller's session and never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Customer, CustomerEvent, OutcomeType
from storage.types import utcnow

RECORDED = "recorded"
PRESENT = "present"


@dataclass(frozen=True)
class EventRecord:
    """One validated event; ``customer`` is the customer's external id, ``key`` the caller's id."""

    customer: str
    type: OutcomeType
    at: datetime
    amount: float | None
    key: str | None = None

    @property
    def event_key(self) -> str:
        """The caller's id, or a digest of type, time and amount (the same event, the same key)."""
        if self.key:
            return self.key
        amount = "" if self.amount is None else f"{self.amount:.2f}"
        digest = hashlib.sha256(f"{self.type.value}|{self.at.isoformat()}|{amount}".encode())
        return f"sha256:{digest.hexdigest()[:40]}"

    def same_as(self, stored: CustomerEvent) -> bool:
        stored_amount = None if stored.amount is None else round(float(stored.amount), 2)
        amount = None if self.amount is None else round(self.amount, 2)
        return stored.type == self.type and stored.at == self.at and stored_amount == amount


def unknown_customer(external_id: str) -> str:
    return f"customer {external_id!r} is not known (it arrives with its first case)"


def erased_customer(external_id: str) -> str:
    return f"customer {external_id!r} erased their data: no new events are recorded for them"


def conflicting_event(key: str) -> str:
    return f"event id {key!r} was recorded before with another type, time or amount"


async def record_events(session: AsyncSession, records: Sequence[EventRecord]) -> list[str]:
    """Store ``records``; returns for each ``RECORDED``, ``PRESENT`` or why it was refused.

    Refused: an unknown customer, one who erased their data (``Customer.erased_at``: their
    events stay as they were, nothing new is attached to the pseudonym), or an event id already
    stored with another type, time or amount. Inserts with ``ON CONFLICT DO NOTHING``, so two
    imports of the same file at once store each event once. Flushes, never commits.
    """
    names = {r.customer for r in records}
    found = await session.execute(
        sa.select(
            col(Customer.external_id), col(Customer.id), col(Customer.erased_at).is_not(None)
        ).where(col(Customer.external_id).in_(names))
    )
    customers: dict[str, int] = {}
    erased: set[str] = set()
    for name, number, gone in found:
        if gone:
            erased.add(name)
        else:
            customers[name] = number
    wanted = {(customers[r.customer], r.event_key) for r in records if r.customer in customers}
    existing: dict[tuple[int, str], CustomerEvent] = {}
    for owner in {c for c, _ in wanted}:
        keys = [k for c, k in wanted if c == owner]
        rows = await session.execute(
            sa.select(CustomerEvent).where(
                col(CustomerEvent.customer_id) == owner,
                col(CustomerEvent.event_key).in_(keys),
            )
        )
        existing.update({(e.customer_id, e.event_key): e for e in rows.scalars()})

    now = utcnow()
    outcomes: list[str] = []
    new_rows: dict[tuple[int, str], dict[str, object]] = {}
    for record in records:
        customer_id = customers.get(record.customer)
        if customer_id is None:
            refused = erased_customer if record.customer in erased else unknown_customer
            outcomes.append(refused(record.customer))
            continue
        ident = (customer_id, record.event_key)
        stored = existing.get(ident)
        pending = new_rows.get(ident)
        if stored is not None:
            outcomes.append(
                PRESENT if record.same_as(stored) else conflicting_event(record.key or "")
            )
        elif pending is not None:
            same = (pending["type"], pending["at"], pending["amount"]) == (
                record.type,
                record.at,
                record.amount,
            )
            outcomes.append(PRESENT if same else conflicting_event(record.key or ""))
        else:
            new_rows[ident] = {
                "customer_id": customer_id,
                "event_key": record.event_key,
                "type": record.type,
                "at": record.at,
                "amount": record.amount,
                "created_at": now,
            }
            outcomes.append(RECORDED)
    if new_rows:
        module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = module.insert(CustomerEvent).on_conflict_do_nothing(
            index_elements=["customer_id", "event_key"]
        )
        await session.execute(statement, list(new_rows.values()))
    await session.flush()
    return outcomes


UNKNOWN = "unknown"
ERASED = "erased"
KNOWN = "known"


async def customer_state(session: AsyncSession, external_id: str) -> str:
    """``KNOWN``, ``UNKNOWN`` or ``ERASED`` (the id is the pseudonym of an erased customer).

    A customer who erased their data is ``UNKNOWN`` by their old id: nothing links it to the
    pseudonym any more, so their old id cannot be told apart from one never seen.
    """
    found = await session.execute(
        sa.select(col(Customer.erased_at)).where(col(Customer.external_id) == external_id)
    )
    row = found.first()
    return UNKNOWN if row is None else ERASED if row[0] is not None else KNOWN
