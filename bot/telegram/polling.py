"""Long polling by exactly one worker: whoever holds the ``telegram-poller`` lease polls.

The Bot API answers a second ``getUpdates`` with 409 Conflict, so workers sharing a database
take turns through a lease that the poller renews on every round. Each round's long poll is
shorter than the lease, so a poller that dies leaves the lease to lapse within
``lease_seconds`` and another worker takes over; one that stops cleanly releases it at once.
Updates the Bot API handed out but nobody confirmed (a crash mid-batch) are delivered again
to the next poller, and the engine records each answer once.

Any failure (the database or the Bot API away, a 502 on ``deleteWebhook`` or ``getUpdates``)
ends ``Poller.run`` with the error; its supervisor (``bot.supervision``) logs it and runs it
again after a backoff. The offset survives the restart, so no update is handled twice.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError, TelegramRetryAfter
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.supervision import Part, pause
from bot.telegram.inbound import UpdateRunner
from feedbackbot.errors import FeedbackbotError
from storage import leases

log = logging.getLogger(__name__)
LEASE_NAME = "telegram-poller"


@dataclass(frozen=True)
class PollingTimes:
    lease_seconds: float = 15.0
    poll_seconds: int = 5
    standby_seconds: float = 2.0


class AnotherPoller(FeedbackbotError):
    """Telegram answered 409 Conflict: a program outside this deployment polls the bot."""


async def _hold(sessions: async_sessionmaker[AsyncSession], holder: str, seconds: float) -> bool:
    async with sessions() as session, session.begin():
        return await leases.acquire(session, LEASE_NAME, holder, timedelta(seconds=seconds))


async def _get_updates(
    bot: Bot, offset: int | None, seconds: int, allowed: list[str], stop: asyncio.Event
) -> list[Update]:
    """One long poll, abandoned at once when ``stop`` is set (unconfirmed updates come back)."""
    fetch = asyncio.ensure_future(
        bot.get_updates(offset=offset, timeout=seconds, allowed_updates=allowed)
    )
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not fetch.done():
            fetch.cancel()
            with suppress(asyncio.CancelledError):
                await fetch
    return fetch.result() if not fetch.cancelled() else []


class Poller:
    """Long polling for one worker (``holder``); ``run`` is what the supervisor restarts."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        sessions: async_sessionmaker[AsyncSession],
        holder: str,
        times: PollingTimes = PollingTimes(),
    ) -> None:
        if times.poll_seconds >= times.lease_seconds:
            raise ValueError("the long poll must be shorter than the lease")
        self.bot = bot
        self.dispatcher = dispatcher
        self.sessions = sessions
        self.holder = holder
        self.times = times
        self.offset: int | None = None
        """The next update to ask for; kept across restarts, dropped with the lease."""
        self.runner = UpdateRunner(bot, dispatcher)
        self._announced = False
        """'polling Telegram' was logged: a restart after a failure does not log it again."""

    async def run(self, part: Part, stop: asyncio.Event) -> None:
        """Poll while holding the lease, stand by otherwise, until ``stop`` is set; raises
        on any failure. ``part`` shows ``running`` after each successful long poll and
        ``standby`` while another worker polls."""
        allowed = self.dispatcher.resolve_used_update_types()
        polling = False
        try:
            while not stop.is_set():
                if not await _hold(self.sessions, self.holder, self.times.lease_seconds):
                    if polling:
                        log.warning("lost the poller lease", extra={"worker": self.holder})
                        polling, self.offset = False, None
                    self._announced = False
                    part.standby()
                    await pause(stop, self.times.standby_seconds)
                    continue
                if not polling:
                    if not self._announced:
                        log.info("polling Telegram", extra={"worker": self.holder})
                        self._announced = True
                    await self.bot.delete_webhook(drop_pending_updates=False)
                    polling = True
                try:
                    updates = await _get_updates(
                        self.bot, self.offset, self.times.poll_seconds, allowed, stop
                    )
                except TelegramRetryAfter as error:
                    await pause(stop, float(error.retry_after))
                    continue
                except TelegramConflictError:
                    raise AnotherPoller(
                        "409 Conflict: another program polls this bot or set a webhook"
                    ) from None
                part.running()
                await self._handle(updates)
        finally:
            await self._hand_back(polling, allowed)

    async def _handle(self, updates: list[Update]) -> None:
        # Chats side by side, each in order; the batch is done before the next getUpdates
        # confirms it, so a crash mid-batch still leaves it to be delivered again.
        for update in updates:
            self.offset = update.update_id + 1
            self.runner.submit(update)
        await self.runner.drain()

    async def _hand_back(self, polling: bool, allowed: list[str]) -> None:
        """Confirm the last batch, so the next poller does not handle it again, and release
        the lease (both best effort: the Bot API or the database may be what failed)."""
        await self.runner.drain()
        if polling and self.offset is not None:
            with suppress(Exception):
                await self.bot.get_updates(
                    offset=self.offset, timeout=0, limit=1, allowed_updates=allowed
                )
        with suppress(Exception):
            async with self.sessions() as session, session.begin():
                await leases.release(session, LEASE_NAME, self.holder)
