"""Dashboard sign-in links: issued with a nonce, used at most once, before they expire.

The caller signs the link and hashes its nonce; this module only records and spends it. Spending
is one conditional UPDATE (unused and unexpired), so two browsers racing with the same link, or
a link replayed after use, get nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import DashboardLink
from storage.results import affected_rows

_KEEP_EXPIRED = timedelta(days=1)


async def issue_link(
    session: AsyncSession,
    nonce_hash: str,
    *,
    admin: bool,
    agent_external_id: str | None,
    now: datetime,
    expires_at: datetime,
) -> DashboardLink:
    """Record a new link; also forgets links that expired over a day before ``now``."""
    await session.execute(
        delete(DashboardLink)
        .where(col(DashboardLink.expires_at) < now - _KEEP_EXPIRED)
        .execution_options(synchronize_session=False)
    )
    link = DashboardLink(
        nonce_hash=nonce_hash,
        admin=admin,
        agent_external_id=agent_external_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(link)
    await session.flush()
    return link


async def use_link(session: AsyncSession, nonce_hash: str, now: datetime) -> DashboardLink | None:
    """Spend the link: the row if it was unused and unexpired (now marked used), else None."""
    result = await session.execute(
        update(DashboardLink)
        .where(
            col(DashboardLink.nonce_hash) == nonce_hash,
            col(DashboardLink.used_at).is_(None),
            col(DashboardLink.expires_at) > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        return None
    return await session.get(DashboardLink, nonce_hash, populate_existing=True)
