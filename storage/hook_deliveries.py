"""Helpdesk webhook deliveries, remembered so a redelivery changes nothing.

Functions take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import HookDelivery
from storage.results import affected_rows


async def remember_delivery(
    session: AsyncSession, *, helpdesk: str, key: str, case_id: str, now: datetime
) -> bool:
    """Record a delivery; False when this helpdesk's ``key`` was recorded before (a redelivery).

    Insert-or-nothing, so two copies of one webhook arriving at once cannot both pass; the
    caller records the case in the same transaction, so a delivery is never remembered
    without its case.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(HookDelivery)
        .values(helpdesk=helpdesk, delivery_key=key, case_external_id=case_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["helpdesk", "delivery_key"])
    )
    return bool(affected_rows(result))


async def forget_deliveries(session: AsyncSession, *, before: datetime) -> int:
    """Delete deliveries received before ``before``; returns how many."""
    result = await session.execute(
        delete(HookDelivery).where(col(HookDelivery.received_at) < before)
    )
    return affected_rows(result)
