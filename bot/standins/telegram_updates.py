"""Where the Telegram stand-in's updates go: a getUpdates queue or the bot's webhook.

Like the Bot API: updates stay queued until a getUpdates ``offset`` confirms them; a pending
long poll is terminated with 409 when another getUpdates arrives ("terminated by other
getUpdates request") or a webhook is set; getUpdates while a webhook is set is a 409; with a
webhook, each update is POSTed as JSON with ``X-Telegram-Bot-Api-Secret-Token`` and retried
until the bot answers 2xx. A webhook answer may carry a method call (``{"method": ...}`` as
JSON or form data, as aiogram's webhook handler replies), which the stand-in executes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from bot.standins.common import Changes
from bot.standins.telegram_methods import DEFAULT_UPDATE_TYPES, BotApiError
from bot.standins.telegram_objects import WebhookDelivery

log = logging.getLogger(__name__)
TERMINATED_BY_POLLER = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
Executor = Callable[[str, dict[str, Any]], Awaitable[Any]]


class Updates:
    """The update queue, the long-poll and the webhook sender of one bot token."""

    def __init__(self, changes: Changes, execute: Executor, wall_clock: Callable[[], int]) -> None:
        self._changes = changes
        self._execute = execute
        self._wall_clock = wall_clock
        self.pending: list[dict[str, Any]] = []
        """Updates not yet confirmed (by a getUpdates offset or a 2xx webhook answer)."""
        self.dropped: list[dict[str, Any]] = []
        """Updates of a type the bot excluded with ``allowed_updates``."""
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.deliveries: list[WebhookDelivery] = []
        self.webhook_retry_delay = 1.0
        self.last_error: tuple[int, str] | None = None
        self._next_id = 1
        self._poller: asyncio.Event | None = None
        self._webhook_generation = 0
        self._closing = False
        self._sender: asyncio.Task[None] | None = None

    @property
    def polling(self) -> bool:
        """True while a getUpdates long poll is waiting (tests wait for this before racing)."""
        return self._poller is not None

    async def start(self) -> None:
        self._closing = False
        self._sender = asyncio.create_task(self._send_to_webhook())

    async def stop(self) -> None:
        self._closing = True
        await self._changes.notify()
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None

    async def add(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        if kind in self.allowed:
            self.pending.append(update)
        else:
            self.dropped.append(update)
        await self._changes.notify()
        return update

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise BotApiError(400, "Bad Request: can't parse allowed updates JSON object")
        self.allowed = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    async def get_updates(
        self, offset: int, limit: int, poll_seconds: int, allowed_updates: Any
    ) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise BotApiError(409, WEBHOOK_ACTIVE)
        self._set_allowed(allowed_updates)
        self._confirm(offset)
        if self._poller is not None:
            self._poller.set()
        mine = asyncio.Event()
        self._poller = mine
        await self._changes.notify()
        try:
            if not self.pending and poll_seconds > 0:
                await self._changes.wait(
                    lambda: (
                        bool(self.pending)
                        or mine.is_set()
                        or bool(self.webhook_url)
                        or self._closing
                    ),
                    poll_seconds,
                )
            if mine.is_set():
                raise BotApiError(409, TERMINATED_BY_POLLER)
            if self.webhook_url:
                raise BotApiError(409, "Conflict: terminated by setWebhook request")
            return self.pending[:limit]
        finally:
            if self._poller is mine:
                self._poller = None

    async def set_webhook(
        self, url: str, secret: str | None, allowed: Any, *, drop_pending: bool
    ) -> bool:
        self._set_allowed(allowed)
        self.webhook_url = url
        self.webhook_secret = secret if url else None
        self._webhook_generation += 1
        self.last_error = None
        if drop_pending:
            self.pending.clear()
        await self._changes.notify()
        return True

    def webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            info["allowed_updates"] = sorted(self.allowed)
        if self.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    async def _send_to_webhook(self) -> None:
        async with aiohttp.ClientSession() as session:
            while not self._closing:
                await self._changes.wait(
                    lambda: self._closing or bool(self.webhook_url and self.pending), None
                )
                if self._closing:
                    return
                generation = self._webhook_generation
                if not await self._deliver(session, self.pending[0]):
                    await self._changes.wait(
                        functools.partial(self._moved_on, generation), self.webhook_retry_delay
                    )

    def _moved_on(self, generation: int) -> bool:
        """Closing, or the webhook changed since ``generation``: stop retrying that delivery."""
        return self._closing or self._webhook_generation != generation

    async def _deliver(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json"}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        update_id = update["update_id"]
        try:
            async with session.post(
                self.webhook_url,
                data=json.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=60),
            ) as response:
                reply = await _read_reply(response) if response.status < 300 else None
                status = response.status
                reason = response.reason
        except (aiohttp.ClientError, TimeoutError) as error:
            return await self._failed(update_id, None, f"Connection failed: {type(error).__name__}")
        if status >= 300:
            message = f"Wrong response from the webhook: {status} {reason}"
            return await self._failed(update_id, status, message)
        self.deliveries.append(WebhookDelivery(update_id, status))
        self.pending = [u for u in self.pending if u["update_id"] != update_id]
        await self._changes.notify()
        if reply and reply.get("method"):
            method = str(reply.pop("method"))
            try:
                await self._execute(method, reply)
            except BotApiError as error:
                log.info("webhook reply refused", extra={"method": method, "status": error.status})
        return True

    async def _failed(self, update_id: int, status: int | None, message: str) -> bool:
        self.deliveries.append(WebhookDelivery(update_id, status, message))
        self.last_error = (self._wall_clock(), message)
        log.info("webhook delivery failed", extra={"update_id": update_id, "status": status})
        await self._changes.notify()
        return False


async def _read_reply(response: aiohttp.ClientResponse) -> dict[str, Any] | None:
    """The method call a webhook answered with, if any (JSON, urlencoded or multipart)."""
    content_type = response.content_type
    if content_type == "application/json":
        body = await response.json(content_type=None)
        return body if isinstance(body, dict) else None
    if content_type == "multipart/form-data":
        reader = aiohttp.MultipartReader.from_response(response)
        fields: dict[str, Any] = {}
        while (part := await reader.next()) is not None:
            if isinstance(part, aiohttp.BodyPartReader) and part.name:
                fields[part.name] = await part.text()
        return fields
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(await response.text()))
    return None
