from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import digest_log
from storage.engine import session_factory


async def test_a_period_is_claimed_once(session: AsyncSession, now) -> None:
    async with session.begin():
        assert await digest_log.claim(session, "team_weekly", "2026-W09", "C1", worker="a", now=now)
    async with session.begin():
        assert not await digest_log.claim(
            session, "team_weekly", "2026-W09", "C1", worker="b", now=now
        )
        assert await digest_log.claim(session, "team_weekly", "2026-W10", "C1", worker="b", now=now)
        assert await digest_log.claim(session, "team_weekly", "2026-W09", "C2", worker="b", now=now)


async def test_a_finished_claim_is_never_taken_over(session: AsyncSession, now) -> None:
    async with session.begin():
        await digest_log.claim(session, "agent_daily", "2026-03-01", "dana", worker="a", now=now)
        await digest_log.finish(session, "agent_daily", "2026-03-01", "dana", now=now)
    async with session.begin():
        assert not await digest_log.claim(
            session, "agent_daily", "2026-03-01", "dana", worker="b", now=now + timedelta(days=9)
        )


async def test_a_dead_workers_claim_is_taken_over_after_the_timeout(
    session: AsyncSession, now
) -> None:
    async with session.begin():
        await digest_log.claim(session, "agent_daily", "2026-03-01", "dana", worker="a", now=now)
    soon, later = now + timedelta(minutes=5), now + timedelta(minutes=20)
    async with session.begin():
        assert not await digest_log.claim(
            session, "agent_daily", "2026-03-01", "dana", worker="b", now=soon
        )
        assert await digest_log.claim(
            session, "agent_daily", "2026-03-01", "dana", worker="b", now=later
        )


async def test_a_released_claim_can_be_claimed_again(session: AsyncSession, now) -> None:
    async with session.begin():
        await digest_log.claim(session, "agent_daily", "2026-03-01", "dana", worker="a", now=now)
        await digest_log.release(session, "agent_daily", "2026-03-01", "dana")
        assert await digest_log.claim(
            session, "agent_daily", "2026-03-01", "dana", worker="b", now=now
        )


async def test_concurrent_claims_have_one_winner(engine, now) -> None:
    sessions: async_sessionmaker[AsyncSession] = session_factory(engine)

    async def attempt(worker: str) -> bool:
        async with sessions() as session, session.begin():
            return await digest_log.claim(
                session, "team_weekly", "2026-W09", "C1", worker=worker, now=now
            )

    results = await asyncio.gather(*(attempt(f"w{i}") for i in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_done_targets_lists_only_finished_work(session: AsyncSession, now) -> None:
    async with session.begin():
        for target in ("dana", "eli"):
            await digest_log.claim(
                session, "agent_daily", "2026-03-01", target, worker="a", now=now
            )
        await digest_log.finish(session, "agent_daily", "2026-03-01", "dana", now=now)
        await digest_log.claim(session, "agent_daily", "2026-03-02", "eli", worker="a", now=now)
        await digest_log.finish(session, "agent_daily", "2026-03-02", "eli", now=now)
        assert await digest_log.done_targets(session, "agent_daily", "2026-03-01") == {"dana"}
