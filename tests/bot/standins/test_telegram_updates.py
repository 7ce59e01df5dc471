"""Updates from the Telegram stand-in: long polling, conflicts, webhooks, a whole Dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramConflictError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.standins.common import LocalServer
from bot.standins.telegram import TelegramBotAPI


async def test_long_poll_returns_as_soon_as_a_user_writes(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await telegram.wait_until(lambda: telegram.updates.polling, "a pending poll")
    await telegram.send_text(ann, "hello")
    [update] = await asyncio.wait_for(poll, 5)
    assert update.message is not None
    assert update.message.text == "hello"
    assert update.message.chat.id == ann.id


async def test_updates_stay_until_an_offset_confirms_them(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    await telegram.send_text(ann, "one")
    await telegram.send_text(ann, "two")
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert len(await bot.get_updates()) == 2
    rest = await bot.get_updates(offset=first[0].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["two"]
    assert await bot.get_updates(offset=first[1].update_id + 1) == []
    assert telegram.updates.pending == []


async def test_negative_offsets_and_dropping_pending_updates(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    for text in ("one", "two", "three"):
        await telegram.send_text(ann, text)
    [last] = await bot.get_updates(offset=-1)
    assert last.message is not None and last.message.text == "three"
    assert len(telegram.updates.pending) == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


async def test_a_new_poller_terminates_the_pending_one_with_409(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await telegram.wait_until(lambda: telegram.updates.polling, "the first poll")
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    assert await second == []


async def test_get_updates_while_a_webhook_is_set_is_a_conflict(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    await bot.set_webhook("http://127.0.0.1:9/telegram/webhook", secret_token="s3cret")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_allowed_updates_drops_other_kinds(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    await bot.get_updates(allowed_updates=["callback_query"])
    await telegram.send_text(ann, "ignored")
    assert await bot.get_updates() == []
    assert len(telegram.updates.dropped) == 1


async def test_odd_updates_parse_as_aiogram_models(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    said = await telegram.send_text(ann, "typo")
    await telegram.edit_text(ann, said, "fixed")
    await telegram.send_sticker(ann)
    await bot.send_message(ann.id, "?")
    [question] = telegram.chat(ann).bot_messages
    await telegram.send_callback(ann, question, "garbage\x00data")
    _, edited, sticker, callback = await bot.get_updates()
    assert edited.edited_message is not None and edited.edited_message.text == "fixed"
    assert sticker.message is not None and sticker.message.sticker is not None
    assert callback.callback_query is not None
    assert callback.callback_query.data == "garbage\x00data"


def survey_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=str(n), callback_data=f"csat:{n}") for n in range(1, 6)]
            ]
        )
        await message.answer(f"Hi! Token {command.args}. How did we do?", reply_markup=markup)

    @router.callback_query(F.data.startswith("csat:"))
    async def answer(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"You chose {query.data}")
        await query.answer("Thanks!")

    @router.message(Command("echo"))
    async def echo(message: Message) -> SendMessage:
        return message.answer("echo via webhook reply")

    return router


async def test_a_dispatcher_polls_answers_and_edits(bot: Bot, telegram: TelegramBotAPI) -> None:
    dispatcher = Dispatcher()
    dispatcher.include_router(survey_router())
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=5, handle_signals=False, close_bot_session=False
        )
    )
    try:
        ann = telegram.create_user("Ann")
        await telegram.send_command(ann, "/start", "abc123")
        [question] = await telegram.wait_for_messages(ann, 1)
        assert question.text == "Hi! Token abc123. How did we do?"
        assert question.buttons == [["1", "2", "3", "4", "5"]]

        query = await telegram.press_button(ann, question, "2")
        assert (await telegram.wait_for_answer(query)).text == "Thanks!"
        await telegram.wait_for_edit(question)
        assert question.text == "You chose csat:2"
        assert question.buttons == []
        await telegram.wait_for_updates_consumed()
        assert telegram.unanswered_queries == []
    finally:
        await dispatcher.stop_polling()
        await polling
    assert telegram.calls["getUpdates"] >= 2


@pytest.fixture
async def webhook_app(bot: Bot) -> AsyncIterator[tuple[str, Dispatcher]]:
    """The bot's webhook endpoint (aiogram's handler, secret "right-secret") on a local port."""
    dispatcher = Dispatcher()
    dispatcher.include_router(survey_router())
    app = web.Application()
    SimpleRequestHandler(
        dispatcher, bot, secret_token="right-secret", handle_in_background=False
    ).register(app, path="/telegram/webhook")
    server = LocalServer(app, "127.0.0.1")
    await server.start()
    try:
        yield f"{server.root}/telegram/webhook", dispatcher
    finally:
        await server.stop()


async def test_webhook_posts_updates_with_the_secret_header(
    bot: Bot, telegram: TelegramBotAPI, webhook_app: tuple[str, Dispatcher]
) -> None:
    url, _ = webhook_app
    await bot.set_webhook(url, secret_token="right-secret")
    ann = telegram.create_user()
    await telegram.send_command(ann, "/start", "tok")
    [question] = await telegram.wait_for_messages(ann, 1)
    assert question.text.startswith("Hi! Token tok.")

    await telegram.send_command(ann, "/echo")
    [_, echoed] = await telegram.wait_for_messages(ann, 2)
    assert echoed.text == "echo via webhook reply"
    assert telegram.requests[-1].via_webhook_reply
    assert [d.status for d in telegram.webhook_deliveries] == [200, 200]
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (url, 0)


async def test_a_webhook_refusing_the_secret_keeps_the_update(
    bot: Bot, telegram: TelegramBotAPI, webhook_app: tuple[str, Dispatcher]
) -> None:
    url, _ = webhook_app
    await bot.set_webhook(url, secret_token="wrong-secret")
    ann = telegram.create_user()
    await telegram.send_text(ann, "hello")
    await telegram.wait_until(lambda: bool(telegram.webhook_deliveries), "a delivery")
    assert telegram.webhook_deliveries[0].status == 401
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 401 Unauthorized"

    await bot.set_webhook(url, secret_token="right-secret")
    await telegram.wait_for_updates_consumed()
    assert telegram.webhook_deliveries[-1].status == 200
