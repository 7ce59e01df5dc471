"""Wires the Telegram bot: the Dispatcher and its routers, the commands, polling or webhook.

Services reach handlers as dispatcher workflow data (``sessions``, ``answers``,
``default_language``, ``link_secret``), injected by name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramUnauthorizedError,
)
from aiogram.types import BotCommand
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.answers import AnswerDesk, answer_rules
from bot.scheduler import Job
from bot.settings import Settings
from bot.supervision import Part, Supervised
from bot.telegram import answer, commands, fallback, privacy, start
from bot.telegram.channel import TelegramChannel
from bot.telegram.client import build_bot
from bot.telegram.inbound import FloodThrottle
from bot.telegram.polling import Poller, PollingTimes
from bot.telegram.texts import COMMANDS, TEXTS, say
from bot.telegram.webhook import add_webhook_route, register_webhook
from feedbackbot.errors import ConfigurationError

log = logging.getLogger(__name__)


def build_dispatcher(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    answers: AnswerDesk | None = None,
) -> Dispatcher:
    """The aiogram Dispatcher; ``answers`` is the desk shared with the other channels (a desk
    of its own when None)."""
    dispatcher = Dispatcher()
    dispatcher["sessions"] = sessions
    dispatcher["answers"] = answers or AnswerDesk(sessions, answer_rules(settings))
    dispatcher["default_language"] = settings.default_language
    dispatcher["link_secret"] = settings.link_secret
    dispatcher.include_routers(
        *(module.make_router() for module in (start, privacy, commands, answer, fallback))
    )
    dispatcher.errors.register(fallback.on_error)
    dispatcher.update.outer_middleware(
        FloodThrottle(
            settings.telegram_flood_burst,
            settings.telegram_flood_rate_per_second,
            settings.default_language,
        )
    )
    return dispatcher


async def register_commands(bot: Bot, default_language: str) -> None:
    """The command menu in every supported language, and the default for all others."""
    for language in (None, *TEXTS):
        await bot.set_my_commands(
            [
                BotCommand(
                    command=name, description=say(language or default_language, f"cmd_{name}")
                )
                for name in COMMANDS
            ],
            language_code=language,
        )


class TelegramRuntime:
    """The Telegram side of ``feedbackbot run``: the webhook route, then polling or the webhook
    registration, and the channel the dispatcher sends through.

    Start-up checks the token (a refused one stops ``run`` with a clear message); when Telegram
    cannot be reached yet, start-up goes on and the supervised part (``supervised()``: the
    command menu, then polling or the webhook set-up) keeps retrying with backoff.
    """

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        worker: str,
        times: PollingTimes | None = None,
        answers: AnswerDesk | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.worker = worker
        self.bot = build_bot(settings)
        self.dispatcher = build_dispatcher(settings, sessions, answers)
        self.channel = TelegramChannel(self.bot)
        self.poller = Poller(self.bot, self.dispatcher, sessions, worker, times or PollingTimes())
        self._commands_set = False

    @property
    def webhook(self) -> tuple[str, str] | None:
        """(TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET), or None for long polling."""
        url, secret = self.settings.telegram_webhook_url, self.settings.telegram_webhook_secret
        return (url, secret.get_secret_value()) if url and secret else None

    def add_routes(self, app: web.Application) -> None:
        """Serve /telegram/webhook in webhook mode; called before the HTTP server starts."""
        if self.webhook is not None:
            add_webhook_route(app, self.bot, self.dispatcher, self.webhook[1])

    def jobs(self) -> Iterable[Job]:
        """Telegram needs no scheduled work of its own: the dispatcher sends its surveys."""
        return ()

    async def start(self) -> None:
        try:
            me = await self.bot.get_me()
            log.info("telegram bot ready", extra={"bot": me.username, "worker": self.worker})
        except TelegramUnauthorizedError:
            await self.bot.session.close()
            raise ConfigurationError(
                "Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized); check the token"
            ) from None
        except TelegramAPIError as error:
            log.warning(
                "Telegram not reachable yet; retrying in the background",
                extra={"error": type(error).__name__, "api": self.settings.telegram_api_url},
            )

    def supervised(self) -> list[Supervised]:
        """The part ``serve()`` keeps running: polling (until shutdown) or the webhook set-up
        (done once it succeeds)."""
        return [Supervised("telegram", self._run, forever=self.webhook is None)]

    async def _run(self, part: Part, stop: asyncio.Event) -> None:
        if not self._commands_set:
            await register_commands(self.bot, self.settings.default_language)
            self._commands_set = True
        if self.webhook is not None:
            url, secret = self.webhook
            await register_webhook(self.bot, self.dispatcher, url, secret)
            return
        await self.poller.run(part, stop)

    async def stop(self) -> None:
        await self.bot.session.close()


def create_runtime(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    worker: str,
    answers: AnswerDesk | None = None,
) -> TelegramRuntime | None:
    """The Telegram runtime when TELEGRAM_BOT_TOKEN is set (``bot.platforms.PLATFORMS``)."""
    if settings.telegram_bot_token is None:
        return None
    return TelegramRuntime(settings, sessions, worker, answers=answers)
