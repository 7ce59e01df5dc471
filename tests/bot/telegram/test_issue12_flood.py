"""Issue 12: 300 /start from one chat once kept every other customer waiting, and each
refused reply logged a traceback. Chats are now handled side by side, each in order, and a
flooding chat is throttled with at most one notice; over HTTP through the Bot API stand-in."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from bot.settings import Settings
from bot.standins.telegram import TelegramBotAPI
from bot.standins.telegram_objects import TelegramUser
from bot.telegram.app import build_dispatcher
from bot.telegram.texts import say
from bot.telegram.webhook import SECRET_HEADER
from tests.bot.telegram.conftest import WEBHOOK_SECRET, Harness, make_settings, polling_bot
from tests.logcheck import assert_no_traceback

BURST: int = Settings.model_fields["telegram_flood_burst"].default
SECRET = WEBHOOK_SECRET


def refill_at(harness: Harness, rate: float) -> None:
    """The harness's bot with flood buckets refilling at ``rate`` a second."""
    settings = make_settings(harness.telegram, telegram_flood_rate_per_second=rate)
    harness.dispatcher = build_dispatcher(settings, harness.sessions)


@pytest.fixture(autouse=True)
def no_refill_during_a_test(harness: Harness) -> None:
    """A loaded machine may take seconds over a flood; no token comes back meanwhile."""
    refill_at(harness, 0.0001)


def freeze_rate_limits(telegram: TelegramBotAPI) -> None:
    """One message per chat and second on a stopped clock: every later one to a chat is 429."""
    telegram.clock = lambda: 0.0
    telegram.enable_rate_limits(per_second=None, per_chat_per_second=1)


def replies_to(telegram: TelegramBotAPI, user: TelegramUser) -> list[str]:
    """Every sendMessage the bot tried in ``user``'s chat, refused (429) ones included."""
    return [
        str(request.params.get("text"))
        for request in telegram.requests
        if request.method == "sendMessage" and str(request.params.get("chat_id")) == str(user.id)
    ]


def reply_order(telegram: TelegramBotAPI) -> list[str]:
    return [
        str(request.params.get("chat_id"))
        for request in telegram.requests
        if request.method == "sendMessage"
    ]


async def test_a_flooding_chat_is_throttled_and_another_chat_is_answered_first(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram = harness.telegram
    freeze_rate_limits(telegram)
    flood, other = telegram.create_user("Flo"), telegram.create_user("Ann")
    for _ in range(BURST):
        await telegram.send_command(flood, "/start")
    await telegram.send_command(other, "/start")
    for _ in range(300 - BURST):
        await telegram.send_command(flood, "/start")

    async with polling_bot(harness):
        [answer] = await telegram.wait_for_messages(other, 1)
        await telegram.wait_for_updates_consumed(within=30)

    assert answer.plain_text == say("en", "welcome_unknown")
    flood_replies = replies_to(telegram, flood)
    notice = say("en", "flood")
    assert flood_replies.count(notice) == 1
    assert flood_replies.count(say("en", "welcome_unknown")) == BURST
    assert len(flood_replies) == BURST + 1
    # Handled one update at a time, the other chat's answer would come after all the flood's
    # BURST answers and its notice; side by side it comes before the flood's fifth.
    order = reply_order(telegram)
    assert order.index(str(other.id)) < [i for i, c in enumerate(order) if c == str(flood.id)][4]
    # All but the flood's first reply were refused (429): one warning line each.
    refused = [r for r in caplog.records if r.getMessage() == "telegram refused a reply"]
    assert len(refused) == BURST - 1
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in refused)
    [notice_refused] = [r for r in caplog.records if r.getMessage() == "throttle notice refused"]
    assert notice_refused.__dict__["error"] == "TelegramRetryAfter"
    assert_no_traceback(caplog)


async def test_after_the_flood_the_chat_is_answered_again(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    refill_at(harness, 2.0)
    telegram = harness.telegram
    flood = telegram.create_user("Flo")
    for _ in range(BURST + 5):
        await telegram.send_command(flood, "/help")
    async with polling_bot(harness):
        await telegram.wait_for_updates_consumed(within=30)
        notices = replies_to(telegram, flood).count(say("en", "flood"))
        assert notices == 1
        await asyncio.sleep(0.6)  # the bucket refills two updates a second
        before = len(replies_to(telegram, flood))
        await telegram.send_command(flood, "/help")
        await telegram.wait_for_updates_consumed()
        await telegram.wait_until(
            lambda: len(replies_to(telegram, flood)) == before + 1, "the help once more"
        )
    assert replies_to(telegram, flood)[-1] == say("en", "help")
    assert replies_to(telegram, flood).count(say("en", "flood")) == 1
    assert_no_traceback(caplog)


def start_update(update_id: int, user: TelegramUser) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user.id, "type": "private"},
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_a_webhook_flood_arriving_on_many_connections_is_throttled_the_same(
    harness: Harness, webhook: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram = harness.telegram
    flood, other = telegram.create_user("Flo"), telegram.create_user("Ann")
    await telegram.send_command(flood, "/help")  # the chat exists and was started
    await telegram.send_command(other, "/help")
    telegram.updates.pending.clear()
    bodies = [start_update(1000 + n, flood) for n in range(60)]
    bodies.insert(20, start_update(2000, other))
    async with aiohttp.ClientSession() as client:

        async def deliver(body: dict[str, object]) -> int:
            async with client.post(webhook, json=body, headers={SECRET_HEADER: SECRET}) as r:
                return r.status

        statuses = await asyncio.gather(*(deliver(body) for body in bodies))
    assert set(statuses) == {200}
    assert replies_to(telegram, other) == [say("en", "welcome_unknown")]
    flood_replies = replies_to(telegram, flood)
    assert flood_replies.count(say("en", "flood")) == 1
    assert flood_replies.count(say("en", "welcome_unknown")) == BURST
    assert_no_traceback(caplog)
