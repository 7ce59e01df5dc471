"""Issue 12: ``feedbackbot run`` outlives a database outage and a Bot API outage untouched.

Each test starts the console script on PostgreSQL against the Telegram stand-in, puts 60
invitations in its outbox and, half-way through their dispatch, takes something away for
10+ seconds: the database (``ALTER DATABASE ... ALLOW_CONNECTIONS false`` and every session
ended) or the Bot API's ``getUpdates`` and ``deleteWebhook`` (502 Bad Gateway). While it is
away /healthz answers 503 naming it; afterwards, without a restart, every invitation has
been sent exactly once, a customer's message is answered and /healthz is 200 again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.standins.telegram import TelegramBotAPI
from storage.models import InvitationStatus
from tests.running import (
    START,
    Worker,
    allow_connections,
    close_cases,
    environment,
    outbox,
    sent_per_chat,
    start,
    until,
    until_healthy,
)
from tests.serving import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

CASES = 60
RATE = 4
"""Messages per second the bot paces at: the dispatch of 60 takes 15 s, the outage 10 s."""
OUTAGE = 10.5
FAST = {
    "RESTART_BACKOFF_SECONDS": "0.2",
    "RESTART_BACKOFF_MAX_SECONDS": "1",
    "DISPATCH_LEASE_SECONDS": "5",
    "DISPATCH_SEND_TIMEOUT_SECONDS": "3",
}


class Run:
    """One ``feedbackbot run`` with 60 chats waiting for their survey."""

    def __init__(self, telegram: TelegramBotAPI, worker: Worker, base: str, chats: list[int]):
        self.telegram, self.worker, self.base, self.chats = telegram, worker, base, chats

    def sent(self) -> int:
        return sum(sent_per_chat(self.telegram).values())

    async def wait(self, predicate: object, what: str, within: float = 60) -> None:
        await until(self.telegram, self.worker, predicate, what, within)  # type: ignore[arg-type]

    async def assert_every_invitation_sent_once(self, url: str) -> None:
        await self.wait(lambda: len(sent_per_chat(self.telegram)) == CASES, "all 60 sent", 90)
        for _ in range(100):  # the last sends are recorded right after the stand-in took them
            rows, _ = await outbox(url)
            if {r.status for r in rows} == {InvitationStatus.SENT}:
                break
            await asyncio.sleep(0.1)
        assert {r.status for r in rows} == {InvitationStatus.SENT}, Counter(r.status for r in rows)
        assert [r.id for r in rows if r.claimed_by] == []
        surveys = {
            chat: n for chat, n in sent_per_chat(self.telegram).items() if chat in self.chats
        }
        assert surveys == dict.fromkeys(self.chats, 1)

    async def assert_a_customer_is_answered(self) -> None:
        zoe = self.telegram.create_user("Zoe")
        await self.telegram.send_command(zoe, "/help")
        await self.telegram.wait_for_messages(zoe, 1, within=30)


@asynccontextmanager
async def dispatching(url: str, tmp_path: Path, started: list[Worker]) -> AsyncIterator[Run]:
    """``feedbackbot run`` polling the stand-in, 60 cases closed, the first 12 surveys sent."""
    async with TelegramBotAPI() as telegram:
        chats = [telegram.create_user(f"Customer {n}").id for n in range(CASES)]
        port = free_port()
        env = environment(url, telegram, port, RATE, **FAST)
        worker = await start(started, env, tmp_path / "run.log")
        run = Run(telegram, worker, f"http://127.0.0.1:{port}", chats)
        await run.wait(lambda: telegram.calls["getUpdates"] > 0, "polling", START)
        await until_healthy(run.base, worker, True, 30)
        await close_cases(run.base, chats)
        await run.wait(lambda: run.sent() >= 12, "12 sends", 30)
        yield run
        assert await worker.stop() == 0, worker.log


def failures(log: str, part: str) -> int:
    return sum(1 for line in log.splitlines() if "part failed" in line and f"part={part}" in line)


async def test_the_database_refusing_connections_mid_dispatch_loses_and_repeats_nothing(
    empty_database_url: str, tmp_path: Path, started: list[Worker]
) -> None:
    async with dispatching(empty_database_url, tmp_path, started) as run:
        cut = asyncio.get_running_loop().time()
        await allow_connections(empty_database_url, False)
        try:
            body = await until_healthy(run.base, run.worker, False, 10)
            assert "database" in body["down"], body
            assert body["checks"]["database"] == "failing"
            await asyncio.sleep(OUTAGE - (asyncio.get_running_loop().time() - cut))
            assert run.sent() < CASES, "the outage came after the dispatch"
        finally:
            await allow_connections(empty_database_url, True)
        await run.assert_every_invitation_sent_once(empty_database_url)
        await run.assert_a_customer_is_answered()
        body = await until_healthy(run.base, run.worker, True, 30)
        assert body["down"] == [] and body["parts"]["telegram"]["state"] == "running"
        log = run.worker.log
    assert failures(log, "dispatch") >= 1 and failures(log, "telegram") >= 1, log
    assert "Traceback" not in log, log


async def test_bot_api_502s_on_getupdates_and_deletewebhook_leave_the_bot_running(
    empty_database_url: str, tmp_path: Path, started: list[Worker]
) -> None:
    async with dispatching(empty_database_url, tmp_path, started) as run:
        run.telegram.start_outage("getUpdates", "deleteWebhook")
        try:
            body = await until_healthy(run.base, run.worker, False, 10)
            assert body["down"] == ["telegram"], body
            assert body["parts"]["telegram"]["error"] == "TelegramServerError"
            zoe = run.telegram.create_user("Zoe")
            await run.telegram.send_command(zoe, "/help")  # waits for the Bot API to be back
            await asyncio.sleep(OUTAGE)
            assert run.telegram.calls["deleteWebhook"] >= 2, "the poller restarted through it"
        finally:
            run.telegram.end_outage("getUpdates", "deleteWebhook")
        await run.telegram.wait_for_messages(zoe, 1, within=30)
        await run.assert_every_invitation_sent_once(empty_database_url)
        await run.assert_a_customer_is_answered()
        body = await until_healthy(run.base, run.worker, True, 30)
        assert body["parts"]["telegram"]["restarts"] >= 2
        log = run.worker.log
    assert failures(log, "telegram") >= 2, log
    assert failures(log, "dispatch") == 0, log
    assert "Traceback" not in log, log
