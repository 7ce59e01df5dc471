"""/mydata shows what is stored about the customer; /forget (confirmed) erases it.

Both answer only in a private chat, and only about the customer that chat is linked to; the
rules and the wording of the data are the engine's (``surveys.privacy``), shared with Slack.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.answers import AnswerDesk
from bot.telegram.callbacks import ForgetData
from bot.telegram.commands import answer_confirmation, chat_identity, chat_language
from bot.telegram.keyboards import confirm
from bot.telegram.start import is_private
from bot.telegram.texts import say
from storage.models import Platform
from surveys import privacy


async def show_my_data(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    code = message.from_user.language_code if message.from_user else None
    identity = await chat_identity(sessions, message.chat.id)
    language = chat_language(identity, code, default_language)
    if not is_private(message):
        await message.answer(say(language, "private_only"))
        return
    async with sessions() as session:
        data = await privacy.data_of(session, Platform.TELEGRAM, str(message.chat.id))
    await message.answer(privacy.describe(data, language) if data else say(language, "not_linked"))


async def ask_forget(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    identity = await chat_identity(sessions, message.chat.id)
    code = message.from_user.language_code if message.from_user else None
    language = chat_language(identity, code, default_language)
    if not is_private(message):
        await message.answer(say(language, "private_only"))
        return
    if identity is None:
        await message.answer(say(language, "not_linked"))
        return
    await message.answer(
        say(language, "forget_confirm"), reply_markup=confirm(language, ForgetData)
    )


async def confirm_forget(
    query: CallbackQuery,
    callback_data: ForgetData,
    sessions: async_sessionmaker[AsyncSession],
    answers: AnswerDesk,
    default_language: str,
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    identity = await chat_identity(sessions, chat_id)
    language = chat_language(identity, query.from_user.language_code, default_language)
    if chat_id != query.from_user.id:
        await query.answer(say(language, "private_only"), show_alert=True)
        return
    linked = identity is not None
    if callback_data.confirmed:
        linked = await answers.forget(Platform.TELEGRAM, str(chat_id)) is not None
    await answer_confirmation(query, language, "forget", linked, callback_data.confirmed)


def make_router() -> Router:
    """A fresh router (a router belongs to one dispatcher; tests build several)."""
    router = Router(name="privacy")
    router.message.register(show_my_data, Command("mydata"))
    router.message.register(ask_forget, Command("forget"))
    router.callback_query.register(confirm_forget, ForgetData.filter())
    return router
