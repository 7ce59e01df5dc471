"""The aiogram ``Bot`` for TELEGRAM_BOT_TOKEN, talking to TELEGRAM_API_URL."""

from __future__ import annotations

from typing import Any, Final

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response

from bot.settings import Settings
from feedbackbot.errors import ConfigurationError

USED_METHODS: Final = (
    "AnswerCallbackQuery",
    "DeleteWebhook",
    "EditMessageReplyMarkup",
    "EditMessageText",
    "GetMe",
    "GetUpdates",
    "SendMessage",
    "SetMyCommands",
    "SetWebhook",
)
RESPONSE_TYPES: Final[tuple[Any, ...]] = tuple(
    Response[getattr(methods, name).__returning__]  # type: ignore[misc]
    for name in USED_METHODS
)
"""The ``Response[...]`` models of the Bot API methods the bot calls, held for the process.

aiogram parametrizes ``Response`` on every call and pydantic keeps parametrized models only
weakly, so after a garbage collection each was built again: 14% of a button press's CPU in
issue 17's profile. Holding them here makes every later ``Response[...]`` a cache hit."""


def build_bot(settings: Settings) -> Bot:
    """A Bot for the configured token; TELEGRAM_API_URL may be any Bot API server."""
    if settings.telegram_bot_token is None:
        raise ConfigurationError("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(settings.telegram_bot_token.get_secret_value(), session=session)
