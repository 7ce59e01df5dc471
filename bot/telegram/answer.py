"""Survey answers in Telegram: button presses, Skip, typed comments and anything else.

Each update goes to the answer desk (``bot.answers``), which runs the one answer flow in one
transaction; this module only renders the ``Outcome``. Progress lives in SQL, and only the
update that actually recorded an answer edits the question and sends the next step, so a
double tap or a re-delivered update never asks the next question twice.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from bot.answers import AnswerDesk
from bot.telegram.callbacks import AnswerData, SkipData
from bot.telegram.channel import message_ref, send_step
from storage.models import Platform
from surveys.conversation import AnswerCommand, Outcome, RejectReason
from surveys.flow import Sender

log = logging.getLogger(__name__)


def _chat_id(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message else query.from_user.id


async def _show_answer(query: CallbackQuery, note: str) -> None:
    """Edit the question to show the answer and drop its buttons (old messages may refuse)."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text=f"{message.text or ''}\n\n{note}", reply_markup=None)
    except TelegramBadRequest as error:
        log.info("question not edited", extra={"reason": error.message[:80]})


async def _press(
    query: CallbackQuery, bot: Bot, answers: AnswerDesk, command: AnswerCommand
) -> None:
    chat_id = _chat_id(query)
    sender = Sender(Platform.TELEGRAM, str(chat_id), query.from_user.language_code)
    outcome = await answers.press(sender, command)
    refused = outcome.refused
    if refused is not None:
        await query.answer(refused.text, show_alert=refused.reason is RejectReason.NOT_YOURS)
    elif not outcome.recorded:
        await query.answer(outcome.notice)
    else:
        await query.answer()
        await _show_answer(query, outcome.note())
        await _next(answers, bot, chat_id, outcome)


async def _next(answers: AnswerDesk, bot: Bot, chat_id: int, outcome: Outcome) -> None:
    """Send the next question or the thank-you."""
    if outcome.next is None:
        return
    message = await send_step(bot, chat_id, outcome.next)
    await answers.question_sent(outcome.next, message_ref(message))


async def press_answer(
    query: CallbackQuery, callback_data: AnswerData, bot: Bot, answers: AnswerDesk
) -> None:
    data = callback_data
    await _press(query, bot, answers, AnswerCommand(data.i, data.q, choice=data.v))


async def press_skip(
    query: CallbackQuery, callback_data: SkipData, bot: Bot, answers: AnswerDesk
) -> None:
    data = callback_data
    await _press(query, bot, answers, AnswerCommand(data.i, data.q, skip=True))


def _sender(message: Message) -> Sender:
    code = message.from_user.language_code if message.from_user else None
    return Sender(Platform.TELEGRAM, str(message.chat.id), code)


async def type_comment(message: Message, bot: Bot, answers: AnswerDesk) -> None:
    outcome = await answers.type_text(_sender(message), message.text or "")
    if outcome.refused is not None:
        await message.answer(outcome.refused.text)
    if not outcome.recorded:
        return
    if outcome.answered is not None and outcome.answered.optional and outcome.asked_in:
        await _drop_skip_button(bot, message.chat.id, outcome.asked_in)
    await _next(answers, bot, message.chat.id, outcome)


async def _drop_skip_button(bot: Bot, chat_id: int, ref: str) -> None:
    """The comment was typed: the question's Skip button has no use any more."""
    chat, _, message_id = ref.partition(":")
    if chat != str(chat_id) or not message_id.isdigit():
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=int(message_id), reply_markup=None
        )
    except TelegramBadRequest as error:
        log.info("skip button not removed", extra={"reason": error.message[:80]})


async def other_content(message: Message, answers: AnswerDesk) -> None:
    """Stickers, photos, voice...: say politely what is expected."""
    outcome = await answers.other_content(_sender(message))
    await message.answer(outcome.notice or "")


def make_router() -> Router:
    """A fresh router (a router belongs to one dispatcher; tests build several)."""
    router = Router(name="answer")
    router.callback_query.register(press_answer, AnswerData.filter())
    router.callback_query.register(press_skip, SkipData.filter())
    router.message.register(type_comment, F.text & ~F.text.startswith("/"))
    router.message.register(other_content, ~F.text)
    return router
