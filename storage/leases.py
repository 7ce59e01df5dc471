"""Named leases: one worker at a time holds e.g. ``telegram-poller`` until it lapses.

A holder renews its lease well before ``expires_at``; when it dies the lease simply lapses and
the next ``acquire`` by another worker takes it over, so hand-over takes one lease period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Lease
from storage.results import affected_rows
from storage.types import utcnow


async def acquire(
    session: AsyncSession,
    name: str,
    holder: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``now + ttl``.

    Returns True when ``holder`` holds it afterwards: it was free, lapsed, or already ours.
    """
    now = now or utcnow()
    expires = now + ttl
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = await session.execute(
        insert(Lease)
        .values(name=name, holder=holder, expires_at=expires)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    if affected_rows(created):
        return True
    taken = await session.execute(
        update(Lease)
        .where(
            col(Lease.name) == name, or_(col(Lease.holder) == holder, col(Lease.expires_at) <= now)
        )
        .values(holder=holder, expires_at=expires)
    )
    return bool(affected_rows(taken))


async def release(session: AsyncSession, name: str, holder: str) -> bool:
    """Give the lease up at once (a clean shutdown); True if ``holder`` had it."""
    result = await session.execute(
        delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == holder)
    )
    return bool(affected_rows(result))


async def holders(session: AsyncSession, now: datetime | None = None) -> dict[str, str]:
    """Each lease that has not lapsed, and who holds it."""
    now = now or utcnow()
    rows = await session.execute(
        select(col(Lease.name), col(Lease.holder)).where(col(Lease.expires_at) > now)
    )
    return {name: holder for name, holder in rows.all()}
