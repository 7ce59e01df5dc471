"""The demo's world: the Telegram and Slack stand-ins, and the real ``serve()`` pointed at them.

Settings are built in code, not read from the environment or ``.env``, so a developer's real
tokens can never be used by the demo; only ``DATABASE_URL`` is taken from the environment.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.app import serve
from bot.settings import Settings, load_settings
from bot.slack.app import EVENTS_PATH
from bot.standins.slack import SlackWebAPI
from bot.standins.telegram import TelegramBotAPI
from feedbackbot.errors import FeedbackbotError

READY_WITHIN = 60.0
"""Seconds for feedbackbot to migrate and start both bots; generous, a busy machine is slow."""
STOP_WITHIN = 20.0


class DemoFailed(FeedbackbotError):
    """A step of the demo did not happen as it should."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Stage:
    telegram: TelegramBotAPI
    slack: SlackWebAPI
    settings: Settings
    base_url: str
    digest_channel: str


def demo_settings(
    database_url: str, telegram: TelegramBotAPI, slack: SlackWebAPI, digest_channel: str
) -> Settings:
    """Production code paths with a compressed clock: no CSAT delay, no quiet hours, a fast
    dispatcher tick, and no fatigue throttle so NPS and value can follow the CSAT today."""
    return load_settings(
        None,
        database_url=database_url,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        slack_bot_token=slack.token,
        slack_signing_secret=slack.signing_secret,
        slack_api_url=slack.base_url,
        slack_digest_channel=digest_channel,
        api_token=secrets.token_hex(16),
        link_secret=secrets.token_hex(16),
        http_port=free_port(),
        csat_delay_minutes=0,
        quiet_hours="",
        throttle_days=0,
        reminder_after_hours=1,
        dispatch_interval_seconds=0.2,
        telegram_chat_rate_per_second=20,
        slack_channel_rate_per_second=20,
        log_level="WARNING",
    )


@asynccontextmanager
async def staged(database_url: str) -> AsyncIterator[Stage]:
    """Start both stand-ins and ``serve()``; stop everything on the way out."""
    async with TelegramBotAPI() as telegram, SlackWebAPI() as slack:
        channel = slack.create_channel("feedback-digest").id
        settings = demo_settings(database_url, telegram, slack, channel)
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, stop))
        base = f"http://127.0.0.1:{settings.http_port}"
        try:
            await _ready(telegram, slack, server)
            slack.events_url = f"{base}{EVENTS_PATH}"
            yield Stage(telegram, slack, settings, base, channel)
        except BaseException:
            # the first failure is the one to report, not serve()'s own at the same moment
            stop.set()
            await asyncio.wait({server}, timeout=STOP_WITHIN)
            if server.done() and not server.cancelled():
                server.exception()  # seen: reported through the failure being raised
            raise
        stop.set()
        await asyncio.wait_for(server, STOP_WITHIN)


async def _ready(telegram: TelegramBotAPI, slack: SlackWebAPI, server: asyncio.Task[None]) -> None:
    """Both platforms started (Telegram polls, Slack checked its token), or serve() failed."""

    async def platforms() -> None:
        await telegram.wait_until(
            lambda: bool(telegram.calls["getUpdates"]), "the Telegram bot to poll", READY_WITHIN
        )
        await slack.wait_until(
            lambda: bool(slack.calls_to("auth.test")), "the Slack app to start", READY_WITHIN
        )

    ready = asyncio.create_task(platforms())
    await asyncio.wait({ready, server}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        try:
            await server
        except (FeedbackbotError, OSError) as error:
            raise DemoFailed(f"feedbackbot could not start: {error}") from error
        raise DemoFailed("feedbackbot stopped during start-up")
    await ready
