"""``feedbackbot run`` as a real process: SIGTERM in the middle of a dispatch, then a restart.

Issue 8 asks that a stop loses and repeats nothing: sends in flight finish and are recorded,
claims and leases are handed back, and the next process sends the rest. Only a subprocess
shows that for real (the signal handler, the exit status, the logs), so the test runs the
console script against the Telegram stand-in in this process, with the stand-in's rate limits
on and the bot's own pacing low enough that the dispatch takes a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.standins.telegram import TelegramBotAPI
from storage.engine import open_engine, session_factory
from storage.models import Invitation, InvitationStatus, Lease
from storage.types import utcnow
from tests.serving import free_port

API_TOKEN = "api-token-for-the-restart-test"
CASES = 80
RATE = 10
"""Messages per second: the bot paces at this rate and the stand-in answers 429 above it."""
FEEDBACKBOT = Path(sys.executable).with_name("feedbackbot")


@dataclass
class Worker:
    """One ``feedbackbot run`` process and the file its output goes to."""

    process: asyncio.subprocess.Process
    log_file: Path

    @property
    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    async def stop(self, within: float = 15.0) -> int:
        """SIGTERM; the exit status, which must come ``within`` seconds."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"no exit {within:g}s after SIGTERM; log:\n{self.log}") from None


@pytest.fixture
async def started() -> AsyncIterator[list[Worker]]:
    """The processes a test started; any still running at the end is killed, so a failed
    test leaves no bot behind."""
    workers: list[Worker] = []
    yield workers
    for worker in workers:
        if worker.process.returncode is None:
            worker.process.kill()
            await worker.process.wait()


async def start(started: list[Worker], env: dict[str, str], log_file: Path) -> Worker:
    with log_file.open("wb") as output:  # the child keeps its own descriptor
        process = await asyncio.create_subprocess_exec(
            str(FEEDBACKBOT),
            "run",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
        )
    started.append(Worker(process, log_file))
    return started[-1]


async def until(
    telegram: TelegramBotAPI,
    worker: Worker,
    predicate: Callable[[], bool],
    what: str,
    within: float,
) -> None:
    """Wait for ``predicate`` through the stand-in, failing with the log if the worker exits."""
    waiting = asyncio.ensure_future(telegram.wait_until(predicate, what, within))
    exited = asyncio.ensure_future(worker.process.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    exited.cancel()
    if not waiting.done():
        waiting.cancel()
        raise AssertionError(f"feedbackbot run exited while waiting for {what}:\n{worker.log}")
    await waiting


def sent_per_chat(telegram: TelegramBotAPI) -> Counter[int]:
    """Survey messages the stand-in delivered, per chat (refused calls not counted)."""
    return Counter(
        int(request.params["chat_id"])
        for request in telegram.requests
        if request.method == "sendMessage" and request.status == 200
    )


def environment(url: str, telegram: TelegramBotAPI, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "API_TOKEN": API_TOKEN,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "CSAT_DELAY_MINUTES": "0",
        "QUIET_HOURS": "",
        "DISPATCH_INTERVAL_SECONDS": "0.2",
        "TELEGRAM_RATE_PER_SECOND": str(RATE),
        "LOG_LEVEL": "INFO",
    }


async def close_cases(base: str, chat_ids: list[int]) -> None:
    """The helpdesk closes one case per customer (distinct customers: no throttling)."""
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as client:

        async def close(number: int, chat_id: int) -> None:
            body = {
                "case_id": f"CASE-{number}",
                "customer": {"id": f"customer-{number}", "telegram_chat_id": chat_id},
                "agent": {"id": f"agent-{number % 3}"},
                "closed_at": utcnow().isoformat(),
            }
            async with client.post(f"{base}/api/v1/cases/closed", json=body) as response:
                assert response.status == 202, await response.text()
                [invitation] = (await response.json())["invitations"]
                assert invitation["status"] == "pending", invitation

        for first in range(0, len(chat_ids), 10):
            await asyncio.gather(
                *(close(n, c) for n, c in enumerate(chat_ids[first : first + 10], first))
            )


async def outbox(url: str) -> tuple[list[Invitation], list[Lease]]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = list(await session.scalars(select(Invitation).order_by(Invitation.id)))
        leases = list(await session.scalars(select(Lease)))
        return rows, leases


def assert_settled(rows: list[Invitation], leases: list[Lease], sent: Counter[int]) -> None:
    """After a clean stop: nothing claimed or half-sent, no lease held, and the database
    records as sent exactly the invitations whose message the stand-in delivered."""
    assert [r.id for r in rows if r.status is InvitationStatus.SENDING] == []
    assert [r.id for r in rows if r.claimed_by or r.claim_expires_at] == []
    assert leases == []
    assert len([r for r in rows if r.status is InvitationStatus.SENT]) == sum(sent.values())


async def test_sigterm_mid_dispatch_then_restart_sends_every_invitation_once(
    empty_database_url: str, tmp_path: Path, started: list[Worker]
) -> None:
    async with TelegramBotAPI() as telegram:
        telegram.enable_rate_limits(per_second=RATE, per_chat_per_second=1)
        chat_ids = [telegram.create_user(f"Customer {n}").id for n in range(CASES)]
        port = free_port()
        env = environment(empty_database_url, telegram, port)

        first = await start(started, env, tmp_path / "first.log")
        await until(telegram, first, lambda: telegram.calls["getUpdates"] > 0, "polling", 30)
        await close_cases(f"http://127.0.0.1:{port}", chat_ids)
        await until(
            telegram, first, lambda: sum(sent_per_chat(telegram).values()) >= 10, "10 sends", 30
        )
        assert await first.stop() == 0, first.log
        sent = sent_per_chat(telegram)
        assert 10 <= sum(sent.values()) < CASES, "SIGTERM came after the dispatch ended"
        assert "shutting down" in first.log and "dispatcher stopped" in first.log, first.log
        assert_settled(*await outbox(empty_database_url), sent)

        second = await start(started, env, tmp_path / "second.log")
        await until(
            telegram,
            second,
            lambda: len(sent_per_chat(telegram)) == CASES,
            f"all {CASES} surveys sent",
            60,
        )
        assert await second.stop() == 0, second.log

    sent = sent_per_chat(telegram)
    assert sent == Counter(dict.fromkeys(chat_ids, 1))
    assert all(len(telegram.chat(chat_id).bot_messages) == 1 for chat_id in chat_ids)
    rows, leases = await outbox(empty_database_url)
    assert len(rows) == CASES
    assert {r.status for r in rows} == {InvitationStatus.SENT}
    assert sorted(int(r.message_ref.split(":")[0]) for r in rows if r.message_ref) == sorted(
        chat_ids
    )
    assert_settled(rows, leases, sent)
    for worker in (first, second):
        assert_summary(worker.log, port)
        assert telegram.token not in worker.log and API_TOKEN not in worker.log
        assert telegram.token.partition(":")[2] not in worker.log


def assert_summary(log: str, port: int) -> None:
    """The start-up line says where the API listens, what it serves, how the bot gets its
    updates and which jobs run how often."""
    [line] = [line for line in log.splitlines() if "feedbackbot running" in line]
    fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
    assert fields["http"] == f"http://127.0.0.1:{port}", line
    assert {"/api/v1/cases/closed", "/healthz"} <= set(fields["routes"].split(",")), line
    assert fields["channels"] == "telegram" and fields["telegram"] == "polling", line
    assert {"dispatch/0.2s", "expire/60s", "campaign/1800s"} <= set(fields["jobs"].split(",")), line
    assert fields["worker"], line
