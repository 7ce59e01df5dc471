"""The last resort: unknown commands, unknown buttons, edited messages, and handler errors.

Nothing a customer sends may crash the bot or go unanswered; a failing handler is logged with
ids only (an exception's text can quote the customer's message or SQL parameters) and the
customer gets a short apology.
"""

from __future__ import annotations

import logging
import traceback

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ErrorEvent, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.commands import chat_identity, chat_language, show_help
from bot.telegram.texts import language_of, say

log = logging.getLogger(__name__)


async def unknown_command(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    await show_help(message, sessions, default_language)


async def unknown_button(
    query: CallbackQuery, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    """A button this bot does not know (garbage data, or one from a retired feature)."""
    chat_id = query.message.chat.id if query.message else query.from_user.id
    identity = await chat_identity(sessions, chat_id)
    log.info("unknown button", extra={"chat_id": chat_id})
    await query.answer(
        say(chat_language(identity, query.from_user.language_code, default_language), "stale")
    )


async def edited_message(message: Message) -> None:
    """An edited answer does not change what was recorded; saying nothing is the polite reply."""
    log.debug("edited message ignored", extra={"chat_id": message.chat.id})


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


async def on_error(event: ErrorEvent, default_language: str) -> bool:
    update = event.update
    error = event.exception
    if isinstance(error, TelegramAPIError):
        # Telegram refused a reply (a 429 to a flooding chat, a blocked bot): one line, and no
        # apology, which would be refused the same way (issue 12).
        log.warning(
            "telegram refused a reply",
            extra={
                "update_id": update.update_id,
                "error": type(error).__name__,
                "at": _where(error),
            },
        )
        return True
    log.error(
        "telegram handler failed",
        extra={"update_id": update.update_id, "error": type(error).__name__, "at": _where(error)},
    )
    log.debug("telegram handler traceback", exc_info=error)
    query, message = update.callback_query, update.message
    user = query.from_user if query else message.from_user if message else None
    language = language_of(user.language_code if user else None, default_language)
    try:
        if query is not None:
            await query.answer(say(language, "error"))
        elif message is not None:
            await message.answer(say(language, "error"))
    except TelegramAPIError as failure:
        log.warning("could not apologise", extra={"error": type(failure).__name__})
    return True


def make_router() -> Router:
    """A fresh router (a router belongs to one dispatcher; tests build several)."""
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.callback_query.register(unknown_button)
    router.edited_message.register(edited_message)
    return router
