"""The Telegram stand-in's methods, driven by a real aiogram ``Bot`` over HTTP."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.standins.common import StandInError
from bot.standins.telegram import TelegramBotAPI
from tests.bot.standins.conftest import bot_for


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=f"csat:{label}") for label in labels]
        ]
    )


async def test_get_me_describes_the_bot(bot: Bot, telegram: TelegramBotAPI) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "feedbackbot_standin_bot"
    assert me.id == bot.id


async def test_send_message_is_recorded_with_its_buttons(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user("Ann")
    first = await bot.send_message(ann.id, "How did we do?", reply_markup=keyboard("1", "2", "3"))
    second = await bot.send_message(ann.id, "Thanks!")

    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == ann.id
    assert first.reply_markup is not None
    assert first.reply_markup.inline_keyboard[0][1].callback_data == "csat:2"
    [question, thanks] = telegram.chat(ann).bot_messages
    assert question.buttons == [["1", "2", "3"]]
    assert question.button("2")["callback_data"] == "csat:2"
    assert thanks.text == "Thanks!"
    assert telegram.calls["sendMessage"] == 2


async def test_message_ids_count_per_chat(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann, bob = telegram.create_user("Ann"), telegram.create_user("Bob")
    await bot.send_message(ann.id, "a")
    message = await bot.send_message(bob.id, "b")
    assert message.message_id == 1


async def test_html_text_is_checked_and_shown_without_markup(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    message = await bot.send_message(ann.id, "<b>Rate</b> us &amp; more", parse_mode="HTML")
    assert message.text == "Rate us & more"
    assert telegram.chat(ann).bot_messages[0].plain_text == "Rate us & more"

    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(ann.id, "I <3 <script>you</script>", parse_mode="HTML")


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "message text is empty"), ("x" * 4097, "message is too long")],
)
async def test_bad_texts_get_the_bot_api_errors(
    bot: Bot, telegram: TelegramBotAPI, text: str, problem: str
) -> None:
    ann = telegram.create_user()
    with pytest.raises(TelegramBadRequest, match=problem):
        await bot.send_message(ann.id, text)


async def test_callback_data_longer_than_64_bytes_is_refused(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="é" * 33)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ann.id, "?", reply_markup=markup)


async def test_unknown_chat_is_a_bad_request(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(42, "hello")


async def test_blocked_user_gives_forbidden(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    telegram.block(ann)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ann.id, "hello")
    await telegram.send_command(ann, "/start")
    await bot.send_message(ann.id, "welcome back")


async def test_bot_cannot_write_first(bot: Bot, telegram: TelegramBotAPI) -> None:
    stranger = telegram.create_user("Stranger", started=False)
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(stranger.id, "hello")
    await telegram.send_text(stranger, "hi")
    await bot.send_message(stranger.id, "hello")


async def test_edit_text_without_markup_removes_the_buttons(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    sent = await bot.send_message(ann.id, "How did we do?", reply_markup=keyboard("1", "2"))
    edited = await bot.edit_message_text(
        text="How did we do? You chose 2", chat_id=ann.id, message_id=sent.message_id
    )
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    record = telegram.chat(ann).bot_messages[0]
    assert record.text == "How did we do? You chose 2"
    assert record.buttons == []
    assert record.edits[0].text == "How did we do?"


async def test_edit_reply_markup_and_not_modified(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    sent = await bot.send_message(ann.id, "Pick", reply_markup=keyboard("1", "2"))
    await bot.edit_message_reply_markup(
        chat_id=ann.id, message_id=sent.message_id, reply_markup=keyboard("3")
    )
    assert telegram.chat(ann).bot_messages[0].buttons == [["3"]]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=ann.id, message_id=sent.message_id, reply_markup=keyboard("3")
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=ann.id, message_id=99)


async def test_a_user_message_cannot_be_edited_by_the_bot(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    said = await telegram.send_text(ann, "hi")
    with pytest.raises(TelegramBadRequest, match="can't be edited"):
        await bot.edit_message_text(text="x", chat_id=ann.id, message_id=said.message_id)


async def test_callback_query_is_answered_once(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    await bot.send_message(ann.id, "How did we do?", reply_markup=keyboard("1", "2"))
    [question] = await telegram.wait_for_messages(ann, 1)
    query = await telegram.press_button(ann, question, "2")

    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "csat:2"
    assert update.callback_query.from_user.id == ann.id
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == question.message_id

    await bot.answer_callback_query(update.callback_query.id, text="Thanks!")
    answer = await telegram.wait_for_answer(query)
    assert (answer.text, answer.show_alert) == ("Thanks!", False)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(update.callback_query.id)


async def test_pressing_a_missing_button_names_the_ones_there(
    bot: Bot, telegram: TelegramBotAPI
) -> None:
    ann = telegram.create_user()
    await bot.send_message(ann.id, "?", reply_markup=keyboard("1", "2"))
    [question] = telegram.chat(ann).bot_messages
    with pytest.raises(StandInError, match=r"no button '7'.*\['1', '2'\]"):
        await telegram.press_button(ann, question, "7")


async def test_force_reply_and_a_reply(bot: Bot, telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    prompt = await bot.send_message(ann.id, "What could we do better?", reply_markup=ForceReply())
    [record] = telegram.chat(ann).bot_messages
    assert record.reply_markup == {"force_reply": True}
    await telegram.send_text(ann, "Faster answers", reply_to=record)
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == prompt.message_id


def pairs(commands: list[BotCommand]) -> list[tuple[str, str]]:
    return [(c.command, c.description) for c in commands]


async def test_commands_are_kept_per_scope_and_language(bot: Bot, telegram: TelegramBotAPI) -> None:
    english = [
        BotCommand(command="start", description="Start"),
        BotCommand(command="stop", description="Stop surveys"),
    ]
    russian = [BotCommand(command="start", description="Начать")]
    await bot.set_my_commands(english)
    await bot.set_my_commands(russian, language_code="ru")
    await bot.set_my_commands(russian, scope=BotCommandScopeAllPrivateChats())

    assert pairs(await bot.get_my_commands()) == [("start", "Start"), ("stop", "Stop surveys")]
    assert pairs(await bot.get_my_commands(language_code="ru")) == [("start", "Начать")]
    assert await bot.get_my_commands(language_code="de") == []
    assert telegram.commands_for({"type": "all_private_chats"}) == [
        {"command": "start", "description": "Начать"}
    ]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])


async def test_bad_token_is_unauthorized(telegram: TelegramBotAPI) -> None:
    async with bot_for(telegram, "987:wrong") as stranger:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()


async def test_unknown_method_is_not_found(bot: Bot) -> None:
    class Nonsense(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "doNonsense"

    with pytest.raises(TelegramNotFound):
        await bot(Nonsense())


async def test_json_bodies_and_any_method_case_are_accepted(telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    url = f"{telegram.base_url}/bot{telegram.token}/SENDMESSAGE"
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "fcr:y"}]]}
    async with aiohttp.ClientSession() as client:
        async with client.post(
            url, json={"chat_id": ann.id, "text": "123", "reply_markup": markup}
        ) as response:
            body = await response.json()
        async with client.get(f"{telegram.base_url}/bot{telegram.token}/nope") as missing:
            assert missing.status == 404
            assert await missing.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
    assert response.status == 200
    assert body["ok"] is True
    assert body["result"]["text"] == "123"
    assert telegram.chat(ann).bot_messages[0].buttons == [["Yes"]]


async def test_wait_for_messages_times_out_with_a_clear_error(telegram: TelegramBotAPI) -> None:
    ann = telegram.create_user()
    with pytest.raises(StandInError, match="1 bot message"):
        await telegram.wait_for_messages(ann, 1, within=0.05)
