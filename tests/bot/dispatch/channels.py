"""``TestChannel``: a channel that records what it sends and fails when told to.

For the dispatcher's tests; the platform tests exercise their real channels
against local stand-ins of the platform APIs.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from bot.dispatch.channel import Delivery, DeliveryError
from surveys.conversation import Prompt


class Failure(StrEnum):
    RATE_LIMITED = "429"
    BLOCKED = "403"
    SERVER_ERROR = "500"
    TIMEOUT = "timeout"
    HANG = "hang"
    """Never answer (until cancelled or the dispatcher's timeout)."""


@dataclass(frozen=True)
class Sent:
    delivery: Delivery
    prompt: Prompt
    message_ref: str


class TestChannel:
    """Records every successful send in ``sent``; ``fail`` queues failures for coming sends."""

    __test__ = False  # not a pytest test class

    def __init__(self, platform: str = "telegram", *, retry_after: float = 3.0) -> None:
        self.platform = platform
        self.retry_after = retry_after
        self.sent: list[Sent] = []
        self.attempts = 0
        self._failures: deque[Failure | None] = deque()
        self._ids = itertools.count(1)
        self.release_hang = asyncio.Event()
        self.hanging = 0
        self._changed = asyncio.Condition()

    def fail(self, failure: Failure, times: int = 1) -> None:
        """The next ``times`` sends fail with ``failure`` (queued after earlier ones)."""
        self._failures.extend([failure] * times)

    def succeed(self, times: int = 1) -> None:
        """The next ``times`` sends succeed (to put failures after them)."""
        self._failures.extend([None] * times)

    async def wait_hanging(self, count: int) -> None:
        """Return once ``count`` sends are hanging."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.hanging >= count)

    async def send_question(self, delivery: Delivery, prompt: Prompt) -> str:
        self.attempts += 1
        failure = self._failures.popleft() if self._failures else None
        match failure:
            case Failure.RATE_LIMITED:
                raise DeliveryError(
                    "429 Too Many Requests: retry after", retry_after=self.retry_after
                )
            case Failure.BLOCKED:
                raise DeliveryError("403 Forbidden: bot was blocked by the user", permanent=True)
            case Failure.SERVER_ERROR:
                raise DeliveryError("500 Internal Server Error")
            case Failure.TIMEOUT:
                raise TimeoutError
            case Failure.HANG:
                async with self._changed:
                    self.hanging += 1
                    self._changed.notify_all()
                await self.release_hang.wait()
        ref = f"{delivery.address}:{next(self._ids)}"
        async with self._changed:
            self.sent.append(Sent(delivery, prompt, ref))
            self._changed.notify_all()
        return ref

    async def wait_sent(self, count: int) -> None:
        """Return once ``count`` sends have succeeded."""
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.sent) >= count)

    def sent_ids(self) -> list[int]:
        return [s.delivery.invitation_id for s in self.sent]
