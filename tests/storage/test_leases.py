from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.leases import acquire, release

TTL = timedelta(seconds=15)


async def test_one_holder_at_a_time_until_the_lease_lapses(
    session: AsyncSession, now: datetime
) -> None:
    async with session.begin():
        assert await acquire(session, "poller", "w1", TTL, now)
    async with session.begin():
        assert not await acquire(session, "poller", "w2", TTL, now + timedelta(seconds=5))
        assert await acquire(session, "poller", "w1", TTL, now + timedelta(seconds=10))
    async with session.begin():
        assert not await acquire(session, "poller", "w2", TTL, now + timedelta(seconds=20))
        assert await acquire(session, "poller", "w2", TTL, now + timedelta(seconds=26))
        assert not await acquire(session, "poller", "w1", TTL, now + timedelta(seconds=27))


async def test_a_released_lease_is_free_at_once(session: AsyncSession, now: datetime) -> None:
    async with session.begin():
        assert await acquire(session, "poller", "w1", TTL, now)
        assert not await release(session, "poller", "w2")
        assert await release(session, "poller", "w1")
        assert await acquire(session, "poller", "w2", TTL, now)
        assert await acquire(session, "other", "w1", TTL, now)
