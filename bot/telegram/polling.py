"""Long polling by exactly one worker: whoever holds the ``telegram-poller`` lease polls.

The Bot API answers a second ``getUpdates`` with 409 Conflict, so workers sharing a database
take turns through a lease that the poller renews on every round. Each round's long poll is
shorter than the lease, so a poller that dies leaves the lease to lapse within
``lease_seconds`` and another worker takes over; one that stops cleanly releases it at once.
Updates the Bot API handed out but nobody confirmed (a crash mid-batch) are delivered again
to the next poller, and the engine records each answer once.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.inbound import UpdateRunner
from storage import leases

log = logging.getLogger(__name__)
LEASE_NAME = "telegram-poller"


@dataclass(frozen=True)
class PollingTimes:
    lease_seconds: float = 15.0
    poll_seconds: int = 5
    standby_seconds: float = 2.0
    backoff_seconds: float = 2.0


async def pause(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


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


async def poll(
    bot: Bot,
    dispatcher: Dispatcher,
    sessions: async_sessionmaker[AsyncSession],
    holder: str,
    stop: asyncio.Event,
    times: PollingTimes = PollingTimes(),
) -> None:
    """Poll while holding the lease, stand by otherwise, until ``stop`` is set."""
    if times.poll_seconds >= times.lease_seconds:
        raise ValueError("the long poll must be shorter than the lease")
    allowed = dispatcher.resolve_used_update_types()
    runner = UpdateRunner(bot, dispatcher)
    offset: int | None = None
    polling = False
    try:
        while not stop.is_set():
            if not await _hold(sessions, holder, times.lease_seconds):
                if polling:
                    log.warning("lost the poller lease", extra={"worker": holder})
                    polling, offset = False, None
                await pause(stop, times.standby_seconds)
                continue
            if not polling:
                log.info("polling Telegram", extra={"worker": holder})
                await bot.delete_webhook(drop_pending_updates=False)
                polling = True
            try:
                updates = await _get_updates(bot, offset, times.poll_seconds, allowed, stop)
            except TelegramRetryAfter as error:
                await pause(stop, float(error.retry_after))
                continue
            except TelegramConflictError:
                log.warning("another program polls this bot", extra={"worker": holder})
                await pause(stop, times.backoff_seconds)
                continue
            except (TelegramNetworkError, TelegramServerError) as error:
                log.warning("getUpdates failed", extra={"error": type(error).__name__})
                await pause(stop, times.backoff_seconds)
                continue
            # Chats side by side, each in order; the batch is done before the next getUpdates
            # confirms it, so a crash mid-batch still leaves it to be delivered again.
            for update in updates:
                offset = update.update_id + 1
                runner.submit(update)
            await runner.drain()
    finally:
        await runner.drain()
        if polling and offset is not None:
            # Confirm the last batch, so the next poller does not handle it again.
            with suppress(Exception):
                await bot.get_updates(offset=offset, timeout=0, limit=1, allowed_updates=allowed)
        with suppress(Exception):
            async with sessions() as session, session.begin():
                await leases.release(session, LEASE_NAME, holder)
