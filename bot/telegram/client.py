"""The aiogram ``Bot`` for TELEGRAM_BOT_TOKEN, talking to TELEGRAM_API_URL."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.settings import Settings
from feedbackbot.errors import ConfigurationError


def build_bot(settings: Settings) -> Bot:
    """A Bot for the configured token; TELEGRAM_API_URL may be any Bot API server."""
    if settings.telegram_bot_token is None:
        raise ConfigurationError("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(settings.telegram_bot_token.get_secret_value(), session=session)
