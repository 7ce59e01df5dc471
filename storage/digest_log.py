"""Once-per-period work (``digest_log``): insert-to-claim on the unique (kind, period, target).

Whoever inserts the row does the work; everyone else sees the conflict and skips it. A claim
that was never finished (its worker died) can be taken over once it is older than a timeout.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import DigestLog
from storage.results import affected_rows


async def claim(
    session: AsyncSession,
    kind: str,
    period: str,
    target: str,
    *,
    worker: str,
    now: datetime,
    stale_after: timedelta = timedelta(minutes=15),
) -> bool:
    """Claim ``(kind, period, target)`` for ``worker``. True means: do the work, then ``finish``.

    False means it is done, or another worker claimed it less than ``stale_after`` ago.
    """
    values = {
        "kind": kind,
        "period": period,
        "target": target,
        "claimed_by": worker,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = await session.execute(
        insert(DigestLog)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["kind", "period", "target"])
    )
    if affected_rows(inserted) == 1:
        return True
    taken_over = await session.execute(
        update(DigestLog)
        .where(
            col(DigestLog.kind) == kind,
            col(DigestLog.period) == period,
            col(DigestLog.target) == target,
            col(DigestLog.done_at).is_(None),
            col(DigestLog.created_at) < now - stale_after,
        )
        .values(claimed_by=worker, created_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(taken_over) == 1


async def finish(
    session: AsyncSession,
    kind: str,
    period: str,
    target: str,
    *,
    now: datetime,
    result_ref: str | None = None,
) -> None:
    """Mark the claimed work done, with a reference to what it produced (e.g. ``channel:ts``)."""
    await session.execute(
        update(DigestLog)
        .where(
            col(DigestLog.kind) == kind,
            col(DigestLog.period) == period,
            col(DigestLog.target) == target,
        )
        .values(done_at=now, result_ref=result_ref)
        .execution_options(synchronize_session=False)
    )


async def release(session: AsyncSession, kind: str, period: str, target: str) -> None:
    """Give up an unfinished claim (the work failed), so the next run tries again."""
    await session.execute(
        delete(DigestLog).where(
            col(DigestLog.kind) == kind,
            col(DigestLog.period) == period,
            col(DigestLog.target) == target,
            col(DigestLog.done_at).is_(None),
        )
    )


async def done_targets(session: AsyncSession, kind: str, period: str) -> set[str]:
    """The targets whose ``(kind, period)`` work is finished."""
    rows = await session.scalars(
        select(col(DigestLog.target)).where(
            col(DigestLog.kind) == kind,
            col(DigestLog.period) == period,
            col(DigestLog.done_at).is_not(None),
        )
    )
    return set(rows)
