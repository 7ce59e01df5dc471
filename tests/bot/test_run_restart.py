"""``feedbackbot run`` as a real process: SIGTERM in the middle of a dispatch, then a restart.

Issue 8 asks that a stop loses and repeats nothing: sends in flight finish and are recorded,
claims and leases are handed back, and the next process sends the rest. Only a subprocess
shows that for real (the signal handler, the exit status, the logs), so the test runs the
console script against the Telegram stand-in in this process, with the stand-in's rate limits
on and the bot's own pacing low enough that the dispatch takes a few seconds.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.standins.telegram import TelegramBotAPI
from storage.models import Invitation, InvitationStatus, Lease
from tests.running import (
    API_TOKEN,
    START,
    Worker,
    close_cases,
    environment,
    outbox,
    sent_per_chat,
    start,
    until,
)
from tests.serving import free_port

CASES = 80
RATE = 10
"""Messages per second: the bot paces at this rate and the stand-in answers 429 above it."""


def assert_settled(rows: list[Invitation], leases: list[Lease], sent: Counter[int]) -> None:
    """After a clean stop: nothing claimed or half-sent, no lease held, and the database
    records as sent exactly the invitations whose message the stand-in delivered."""
    assert [r.id for r in rows if r.status is InvitationStatus.SENDING] == []
    assert [r.id for r in rows if r.claimed_by or r.claim_expires_at] == []
    assert leases == []
    assert len([r for r in rows if r.status is InvitationStatus.SENT]) == sum(sent.values())


@pytest.mark.timeout(300)
async def test_sigterm_mid_dispatch_then_restart_sends_every_invitation_once(
    empty_database_url: str, tmp_path: Path, started: list[Worker]
) -> None:
    async with TelegramBotAPI() as telegram:
        telegram.enable_rate_limits(per_second=RATE, per_chat_per_second=1)
        chat_ids = [telegram.create_user(f"Customer {n}").id for n in range(CASES)]
        port = free_port()
        env = environment(empty_database_url, telegram, port, RATE)

        first = await start(started, env, tmp_path / "first.log")
        await until(telegram, first, lambda: telegram.calls["getUpdates"] > 0, "polling", START)
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
            START + 60,
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
