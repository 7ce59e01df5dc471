"""Rate limits and injected failures of the Telegram stand-in, as aiogram's exceptions."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.standins.telegram import TelegramBotAPI
from tests.bot.standins.conftest import FakeClock


async def test_per_chat_limit_answers_429_with_retry_after(
    bot: Bot, telegram: TelegramBotAPI, clock: FakeClock
) -> None:
    telegram.enable_rate_limits(per_second=30, per_chat_per_second=1)
    ann, bob = telegram.create_user("Ann"), telegram.create_user("Bob")
    await bot.send_message(ann.id, "one")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(ann.id, "two")
    assert refused.value.retry_after == 1
    await bot.send_message(bob.id, "another chat is fine")

    clock.advance(1.0)
    await bot.send_message(ann.id, "two, later")
    assert [m.text for m in telegram.chat(ann).bot_messages] == ["one", "two, later"]
    assert telegram.too_many_requests["sendMessage"] == 1


async def test_global_limit_counts_every_chat(
    bot: Bot, telegram: TelegramBotAPI, clock: FakeClock
) -> None:
    telegram.enable_rate_limits(per_second=2, per_chat_per_second=None)
    users = [telegram.create_user(f"User {n}") for n in range(3)]
    await bot.send_message(users[0].id, "a")
    clock.advance(0.4)
    await bot.send_message(users[1].id, "b")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(users[2].id, "c")
    assert refused.value.retry_after == 1
    clock.advance(0.6)
    await bot.send_message(users[2].id, "c")


async def test_limits_off_by_default_and_switchable(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    for n in range(5):
        await bot.send_message(ann.id, f"burst {n}")
    telegram.enable_rate_limits()
    await bot.send_message(ann.id, "counted from here")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(ann.id, "too fast")
    telegram.disable_rate_limits()
    await bot.send_message(ann.id, "free again")


async def test_injected_failures_map_to_aiogram_exceptions(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    telegram.fail_next("sendMessage", status=429, retry_after=7)
    telegram.fail_next("sendMessage", status=403)
    telegram.fail_next("sendMessage", status=500)
    with pytest.raises(TelegramRetryAfter) as limited:
        await bot.send_message(ann.id, "x")
    assert limited.value.retry_after == 7
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(ann.id, "x")
    with pytest.raises(TelegramServerError):
        await bot.send_message(ann.id, "x")
    await bot.send_message(ann.id, "works again")
    assert telegram.calls["sendMessage"] == 4
    assert telegram.too_many_requests["sendMessage"] == 1
    assert [m.text for m in telegram.chat(ann).bot_messages] == ["works again"]


async def test_a_dropped_connection_is_a_network_error(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    telegram.fail_next("sendMessage", disconnect=True, times=2)
    for _ in range(2):
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(ann.id, "x")
    await bot.send_message(ann.id, "delivered")
    assert len(telegram.chat(ann).bot_messages) == 1


async def test_an_outage_fails_every_call_of_its_methods_until_it_ends(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    telegram.start_outage("getUpdates", "deleteWebhook")
    for _ in range(3):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await bot.get_updates(timeout=0)
    with pytest.raises(TelegramServerError):
        await bot.delete_webhook()
    assert (await bot.get_me()).is_bot  # other methods work
    telegram.end_outage("getUpdates", "deleteWebhook")
    assert await bot.get_updates(timeout=0) == []
    assert await bot.delete_webhook()
