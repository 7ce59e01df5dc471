"""Long polling by one worker at a time, handed over through the ``telegram-poller`` lease."""

import asyncio

import pytest

from bot.supervision import Part
from bot.telegram.app import build_dispatcher
from bot.telegram.client import build_bot
from bot.telegram.polling import LEASE_NAME, Poller
from storage.models import Lease
from storage.types import utcnow
from tests.bot.telegram.conftest import FAST, Harness, polling_bot


async def _holder(harness: Harness) -> str | None:
    async with harness.sessions() as session:
        lease = await session.get(Lease, LEASE_NAME)
        return lease.holder if lease else None


async def test_two_workers_poll_one_at_a_time_and_hand_over_on_stop(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = harness.telegram
    second = Harness(
        telegram,
        harness.settings,
        harness.sessions,
        build_bot(harness.settings),
        build_dispatcher(harness.settings, harness.sessions),
        harness.outbox,
    )
    ann = telegram.create_user("Ann")
    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    worker_a = asyncio.create_task(
        Poller(harness.bot, harness.dispatcher, harness.sessions, "worker-a", FAST).run(
            Part("telegram"), stop_a
        )
    )
    try:
        await telegram.wait_until(lambda: telegram.calls["getUpdates"] > 0, "worker a polls")
        worker_b = asyncio.create_task(
            Poller(second.bot, second.dispatcher, second.sessions, "worker-b", FAST).run(
                Part("telegram"), stop_b
            )
        )
        await telegram.send_command(ann, "/help")
        await telegram.wait_for_messages(ann, 1)
        assert await _holder(harness) == "worker-a"
        stop_a.set()
        await worker_a
        await telegram.send_command(ann, "/help")
        await telegram.wait_for_messages(ann, 2)
        assert await _holder(harness) == "worker-b"
        stop_b.set()
        await worker_b
        assert await _holder(harness) is None, "a clean stop releases the lease"
    finally:
        stop_a.set()
        stop_b.set()
        await second.bot.session.close()
    # A stopping poller abandons its long poll, which its own last call then ends with 409 on
    # the server side; what matters is that no poller was ever answered 409 Conflict.
    assert not [r for r in caplog.records if "another program polls" in r.getMessage()]
    assert len(telegram.chat(ann).bot_messages) == 2


async def test_a_stopped_poller_confirms_what_it_handled(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    async with polling_bot(harness):
        await telegram.send_command(ann, "/help")
        await telegram.wait_for_messages(ann, 1)
    assert telegram.updates.pending == []
    async with polling_bot(harness):
        await telegram.send_command(ann, "/help")
        await telegram.wait_for_messages(ann, 2)
        await asyncio.sleep(0)
    assert len(telegram.chat(ann).bot_messages) == 2, "the first /help was not handled twice"


async def test_a_dead_pollers_lease_lapses_and_another_worker_takes_over(
    harness: Harness,
) -> None:
    telegram = harness.telegram
    async with harness.sessions() as session, session.begin():
        session.add(Lease(name=LEASE_NAME, holder="dead-worker", expires_at=utcnow()))
    ann = telegram.create_user("Ann")
    await telegram.send_command(ann, "/help")
    async with polling_bot(harness, "worker-b"):
        await telegram.wait_for_messages(ann, 1)
        assert await _holder(harness) == "worker-b"
