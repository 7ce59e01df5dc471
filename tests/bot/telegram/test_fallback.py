"""The last resort (``bot/telegram/fallback.py``): unknown commands and buttons, edited messages,
and a handler that fails for real, fed through the real Dispatcher and answered over HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.standins.telegram import TelegramBotAPI
from bot.telegram.app import build_dispatcher
from bot.telegram.client import build_bot
from bot.telegram.texts import say
from storage.engine import create_engine, session_factory
from tests.bot.telegram.conftest import Harness, make_settings


async def deliver(telegram: TelegramBotAPI, bot: Bot, dispatcher: Dispatcher) -> None:
    """Feed every pending update of the stand-in through the dispatcher, as polling would."""
    pending, telegram.updates.pending = telegram.updates.pending, []
    for update in pending:
        await dispatcher.feed_update(bot, Update.model_validate(update, context={"bot": bot}))


async def test_an_unknown_command_gets_the_help(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    await telegram.send_command(ann, "/frobnicate")
    await deliver(telegram, harness.bot, harness.dispatcher)
    [reply] = await telegram.wait_for_messages(ann, 1)
    assert "/stop" in reply.plain_text and "/mydata" in reply.plain_text


async def test_an_unknown_button_is_answered_as_a_closed_survey(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    message = await telegram.send_text(ann, "hello")
    query = await telegram.send_callback(ann, message, "zz:not-ours")
    await deliver(telegram, harness.bot, harness.dispatcher)
    answer = await telegram.wait_for_answer(query)
    assert answer.text == say("en", "stale")


async def test_an_edited_message_changes_nothing_and_gets_no_reply(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    message = await telegram.send_text(ann, "first words")
    telegram.updates.pending.clear()
    await telegram.edit_text(ann, message, "second words")
    await deliver(telegram, harness.bot, harness.dispatcher)
    assert telegram.chat(ann).bot_messages == []
    assert await harness.answers() == []


@pytest.fixture
async def broken_bot(
    telegram: TelegramBotAPI, empty_database_url: str
) -> AsyncIterator[tuple[Bot, Dispatcher]]:
    """A bot whose database has no tables: every handler that reads it fails for real."""
    engine = create_engine(empty_database_url)
    settings = make_settings(telegram)
    bot = build_bot(settings)
    try:
        yield bot, build_dispatcher(settings, session_factory(engine))
    finally:
        await bot.session.close()
        await engine.dispose()


@pytest.mark.parametrize("language", ["en", "de"])
async def test_a_failing_handler_apologises_and_logs_one_line_with_ids_only(
    telegram: TelegramBotAPI,
    broken_bot: tuple[Bot, Dispatcher],
    caplog: pytest.LogCaptureFixture,
    language: str,
) -> None:
    bot, dispatcher = broken_bot
    ann = telegram.create_user("Ann", language_code=language)
    await telegram.send_command(ann, "/mydata")
    with caplog.at_level(logging.INFO):
        await deliver(telegram, bot, dispatcher)
    [reply] = await telegram.wait_for_messages(ann, 1)
    assert reply.plain_text == say(language, "error")
    failures = [r for r in caplog.records if r.getMessage() == "telegram handler failed"]
    assert len(failures) == 1
    assert failures[0].levelno == logging.ERROR
    assert failures[0].exc_info is None, "the traceback belongs at DEBUG, not in the error line"
    assert failures[0].__dict__["error"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]


async def test_a_failing_button_press_is_answered_with_the_apology(
    telegram: TelegramBotAPI, broken_bot: tuple[Bot, Dispatcher]
) -> None:
    bot, dispatcher = broken_bot
    ann = telegram.create_user("Ann")
    message = await telegram.send_text(ann, "hello")
    telegram.updates.pending.clear()
    query = await telegram.send_callback(ann, message, "zz:not-ours")
    await deliver(telegram, bot, dispatcher)
    answer = await telegram.wait_for_answer(query)
    assert answer.text == say("en", "error")
