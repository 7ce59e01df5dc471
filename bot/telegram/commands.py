"""/help, /stop (confirmed with buttons) and /language."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.callbacks import LanguageData, StopData
from bot.telegram.keyboards import confirm, languages
from bot.telegram.texts import TEXTS, language_of, say
from storage.identities import find_identity, set_language
from storage.models import Identity, Platform
from surveys import privacy


async def chat_identity(
    sessions: async_sessionmaker[AsyncSession], chat_id: int
) -> Identity | None:
    async with sessions() as session:
        return await find_identity(session, Platform.TELEGRAM, str(chat_id))


def chat_language(identity: Identity | None, code: str | None, default: str) -> str:
    return language_of(identity.language if identity and identity.language else code, default)


def _code(event: Message | CallbackQuery) -> str | None:
    return event.from_user.language_code if event.from_user else None


def _chat_id(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message else query.from_user.id


async def show_help(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    identity = await chat_identity(sessions, message.chat.id)
    await message.answer(say(chat_language(identity, _code(message), default_language), "help"))


async def ask_stop(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    identity = await chat_identity(sessions, message.chat.id)
    language = chat_language(identity, _code(message), default_language)
    if identity is None:
        await message.answer(say(language, "not_linked"))
        return
    await message.answer(
        privacy.say(language, "stop_confirm"), reply_markup=confirm(language, StopData)
    )


async def confirm_stop(
    query: CallbackQuery,
    callback_data: StopData,
    sessions: async_sessionmaker[AsyncSession],
    default_language: str,
) -> None:
    chat_id = _chat_id(query)
    identity = await chat_identity(sessions, chat_id)
    language = chat_language(identity, _code(query), default_language)
    linked = identity is not None
    if linked and callback_data.confirmed:
        async with sessions() as session, session.begin():
            stopped = await privacy.stop_surveys(session, Platform.TELEGRAM, str(chat_id))
        linked = stopped is not None
    await answer_confirmation(query, language, "stop", linked, callback_data.confirmed)


async def answer_confirmation(
    query: CallbackQuery, language: str, right: str, linked: bool, confirmed: bool
) -> None:
    """Put what came of a /stop or /forget confirmation in place of its question: done, kept,
    or, for a chat linked to no customer, that nothing is stored about it."""
    if not linked:
        text = say(language, "not_linked")
    elif confirmed:
        text = say(language, f"{right}_done")
    else:
        text = privacy.say(language, f"{right}_kept")
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=None)


async def ask_language(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    identity = await chat_identity(sessions, message.chat.id)
    language = chat_language(identity, _code(message), default_language)
    await message.answer(say(language, "language_choose"), reply_markup=languages())


async def choose_language(
    query: CallbackQuery,
    callback_data: LanguageData,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    chat_id = _chat_id(query)
    language = callback_data.code
    async with sessions() as session, session.begin():
        identity = await find_identity(session, Platform.TELEGRAM, str(chat_id))
        if identity is not None:
            await set_language(session, identity, language)
    await query.answer()
    text = say(language, "language_set")
    if identity is None:
        text += "\n\n" + say(language, "not_linked")
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=None)


def make_router() -> Router:
    """A fresh router (a router belongs to one dispatcher; tests build several)."""
    router = Router(name="commands")
    router.message.register(show_help, Command("help"))
    router.message.register(ask_stop, Command("stop"))
    router.callback_query.register(confirm_stop, StopData.filter())
    router.message.register(ask_language, Command("language"))
    router.callback_query.register(choose_language, LanguageData.filter(F.code.in_(TEXTS)))
    return router
