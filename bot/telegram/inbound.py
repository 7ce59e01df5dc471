"""Inbound updates: chats handled side by side, each chat in order, a flooding chat throttled.

Issue 12: 300 ``/start`` from one chat were handled one at a time, so another customer waited
seconds for an answer, and every refused reply logged a traceback. Now

- ``UpdateRunner`` runs each update as its own task: updates of different chats run
  concurrently (at most ``limit`` at once, so a burst cannot exhaust the database pool), while
  an update waits for the previous one of the same chat, so one customer's taps stay in order.
  Polling and the webhook both feed it.
- ``FloodThrottle``, an outer middleware on every update, gives each chat a token bucket. What
  a chat sends beyond it is dropped before any handler or database work; the chat is told once
  per flood (the first refusal; again only after its bucket has refilled), and other chats
  never notice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update

from bot.telegram.texts import language_of, say

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def chat_of(update: Update) -> int | None:
    """The chat (or, without one, the user) an update belongs to; None for neither."""
    context = UserContextMiddleware.resolve_event_context(update)
    return context.chat_id if context.chat_id is not None else context.user_id


class UpdateRunner:
    """Handles updates as tasks: concurrent across chats, in order within a chat."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, limit: int = 16) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self._slots = asyncio.Semaphore(limit)
        self._last_of_chat: dict[int, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def submit(self, update: Update) -> asyncio.Task[None]:
        """Start handling ``update``; it runs once the chat's earlier updates are done and
        fewer than ``limit`` others are running (a waiting update holds no slot, so a flooding
        chat's queue never keeps another chat waiting)."""
        chat = chat_of(update)
        previous = self._last_of_chat.get(chat) if chat is not None else None
        task = asyncio.create_task(self._handle(update, previous), name=f"update-{chat}")
        self._running.add(task)
        if chat is not None:
            self._last_of_chat[chat] = task
        task.add_done_callback(lambda done: self._finished(done, chat))
        return task

    async def handle(self, update: Update) -> None:
        """Handle ``update`` in its chat's order and return when it is done (the webhook)."""
        await asyncio.shield(self.submit(update))

    async def drain(self) -> None:
        """Wait until every submitted update is handled."""
        while self._running:
            await asyncio.wait(set(self._running))

    def _finished(self, task: asyncio.Task[None], chat: int | None) -> None:
        self._running.discard(task)
        if chat is not None and self._last_of_chat.get(chat) is task:
            del self._last_of_chat[chat]

    async def _handle(self, update: Update, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception as error:  # one bad update must not stop the others
            log.error(
                "update failed",
                extra={"update_id": update.update_id, "error": type(error).__name__},
            )


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class FloodThrottle(BaseMiddleware):
    """A token bucket per chat: ``burst`` updates at once, refilled at ``rate`` per second.

    Register it with ``dispatcher.update.outer_middleware``, after aiogram's own context
    middleware (which names the chat).
    """

    def __init__(
        self,
        burst: int,
        rate: float,
        default_language: str,
        clock: Callable[[], float] = time.monotonic,
        max_chats: int = 10_000,
    ) -> None:
        self.burst = burst
        self.rate = rate
        self.default_language = default_language
        self.clock = clock
        self.max_chats = max_chats
        self._buckets: dict[int, _Bucket] = {}
        self.refused: dict[int, int] = {}
        """Updates dropped per chat since start (kept for the chats currently tracked)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        chat = chat_of(event)
        if chat is None or self.admit(chat):
            return await handler(event, data)
        self.refused[chat] = self.refused.get(chat, 0) + 1
        bucket = self._buckets[chat]
        if not bucket.warned:
            bucket.warned = True
            log.warning("chat throttled", extra={"chat_id": chat, "update_id": event.update_id})
            await self._tell(event, data.get("bot"))
        return None

    def admit(self, chat: int) -> bool:
        """Whether an update of ``chat`` may pass now (and take a token if so)."""
        now = self.clock()
        bucket = self._buckets.get(chat)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[chat] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= self.burst:
            bucket.warned = False  # the flood is over: a new one gets its own notice
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: chats whose bucket has refilled need no state."""
        if len(self._buckets) < self.max_chats:
            return
        for chat, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * self.rate >= self.burst:
                del self._buckets[chat]
                self.refused.pop(chat, None)

    async def _tell(self, update: Update, bot: Bot | None) -> None:
        """The one polite notice; a refused one (often a 429 to this very chat) is one line."""
        context = UserContextMiddleware.resolve_event_context(update)
        code = context.user.language_code if context.user else None
        text = say(language_of(code, self.default_language), "flood")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text)
            elif context.chat_id is not None and bot is not None:
                await bot.send_message(context.chat_id, text)
        except TelegramAPIError as error:
            log.warning(
                "throttle notice refused",
                extra={"chat_id": context.chat_id, "error": type(error).__name__},
            )
