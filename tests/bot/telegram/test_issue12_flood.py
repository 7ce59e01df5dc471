"""Issue 12: 300 /start from one chat once kept every other customer waiting, and each
refused reply logged a traceback. Chats are now handled side by side, each in order, and a
flooding chat is throttled with at most one notice; over HTTP through the Bot API stand-in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.standins.telegram import TelegramBotAPI
from bot.standins.telegram_objects import TelegramUser
from bot.telegram.texts import say
from bot.telegram.webhook import PATH, SECRET_HEADER, add_webhook_route
from tests.bot.telegram.conftest import Harness, polling_bot
from tests.logcheck import assert_no_traceback

BURST = 10  # TELEGRAM_FLOOD_BURST's default
SECRET = "webhook-secret_123"


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
    telegram.enable_rate_limits(per_second=None, per_chat_per_second=1)
    flood, other = telegram.create_user("Flo"), telegram.create_user("Ann")
    for _ in range(20):
        await telegram.send_command(flood, "/start")
    await telegram.send_command(other, "/start")
    for _ in range(280):
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
    # Handled one update at a time, the other chat's answer would come after the flood's
    # first ten answers and its notice; side by side it comes before the flood's fifth.
    order = reply_order(telegram)
    assert order.index(str(other.id)) < [i for i, c in enumerate(order) if c == str(flood.id)][4]
    # The flood's own replies were refused (429, one a second per chat): one line each.
    refused = [r for r in caplog.records if r.getMessage() == "telegram refused a reply"]
    assert 1 <= len(refused) <= BURST
    assert all(r.levelno == logging.WARNING for r in refused)
    assert_no_traceback(caplog)


async def test_after_the_flood_the_chat_is_answered_again(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = harness.telegram
    flood = telegram.create_user("Flo")
    for _ in range(BURST + 5):
        await telegram.send_command(flood, "/help")
    async with polling_bot(harness):
        await telegram.wait_for_updates_consumed(within=30)
        notices = replies_to(telegram, flood).count(say("en", "flood"))
        assert notices == 1
        await asyncio.sleep(1.2)  # the bucket refills one update a second
        await telegram.send_command(flood, "/help")
        await telegram.wait_for_updates_consumed()
        await telegram.wait_until(
            lambda: len(replies_to(telegram, flood)) == BURST + 2, "the help once more"
        )
    assert replies_to(telegram, flood).count(say("en", "flood")) == 1
    assert_no_traceback(caplog)


@pytest.fixture
async def webhook(harness: Harness) -> AsyncIterator[str]:
    app = web.Application()
    add_webhook_route(app, harness.bot, harness.dispatcher, SECRET)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url(PATH))
    finally:
        await server.close()


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
