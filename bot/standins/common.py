"""Pieces both stand-ins share: the local server, sliding-window rate limits, injected faults
and waiting for something to happen without sleeping.

Nothing here (or anywhere in ``bot.standins``) imports the rest of feedbackbot: the stand-ins
play the platforms, so they must not know the code under test.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from aiohttp import web


class StandInError(AssertionError):
    """A test asked a stand-in for something the platform would not allow or that never
    happened (no such button, a wait that timed out). An ``AssertionError``, so pytest reports
    it as a failed expectation about the bot, not as a crash."""


@dataclass
class Fault:
    """One injected failure: the HTTP status and the platform's error text for it.

    ``retry_after`` is in seconds (Telegram ``parameters.retry_after``, Slack ``Retry-After``).
    ``disconnect`` drops the connection without any answer (a network error for the client).
    """

    status: int
    error: str | None = None
    retry_after: int | None = None
    disconnect: bool = False


class FaultPlan:
    """Failures queued per method: ``add("sendMessage", fault, times=2)`` makes the next two
    calls of that method fail, then the method works again. An outage (``start_outage``)
    fails every call of the method until ``end_outage``."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[Fault]] = defaultdict(deque)
        self._outages: dict[str, Fault] = {}

    def start_outage(self, method: str, fault: Fault) -> None:
        self._outages[method.lower()] = fault

    def end_outage(self, method: str) -> None:
        self._outages.pop(method.lower(), None)

    def add(self, method: str, fault: Fault, times: int = 1) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        self._queued[method.lower()].extend([fault] * times)

    def take(self, method: str) -> Fault | None:
        if method.lower() in self._outages:
            return self._outages[method.lower()]
        queue = self._queued.get(method.lower())
        return queue.popleft() if queue else None

    def clear(self) -> None:
        self._queued.clear()
        self._outages.clear()


class SlidingWindow:
    """At most ``limit`` events per key in any ``period`` seconds, on an injectable clock.

    ``hit`` records an event and returns ``None`` when it fits, or the seconds until it would
    fit (nothing recorded): the platform's ``retry_after``.
    """

    def __init__(self, limit: float, period: float, clock: Callable[[], float]) -> None:
        if limit <= 0 or period <= 0:
            raise ValueError("limit and period must be above 0")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._events: dict[Hashable, deque[float]] = defaultdict(deque)

    def wait_needed(self, key: Hashable) -> float | None:
        now = self._clock()
        events = self._events[key]
        while events and events[0] <= now - self.period:
            events.popleft()
        if len(events) + 1 > self.limit:
            return events[0] + self.period - now
        return None

    def record(self, key: Hashable) -> None:
        self._events[key].append(self._clock())

    def hit(self, key: Hashable) -> float | None:
        wait = self.wait_needed(key)
        if wait is None:
            self.record(key)
        return wait


class Changes:
    """Lets a test wait until a condition holds: every recorded change calls ``notify``.

    ``await changes.wait_for(lambda: len(chat.messages) >= 3, 5.0, "3 messages")`` returns as
    soon as the predicate is true and raises ``StandInError`` after the timeout; no sleeps.
    """

    def __init__(self) -> None:
        self._condition = asyncio.Condition()

    async def notify(self) -> None:
        async with self._condition:
            self._condition.notify_all()

    async def wait(self, predicate: Callable[[], bool], within: float | None) -> bool:
        """True once the predicate holds, False when ``within`` seconds passed first."""
        try:
            async with asyncio.timeout(within):
                async with self._condition:
                    await self._condition.wait_for(predicate)
        except TimeoutError:
            return False
        return True

    async def wait_for(self, predicate: Callable[[], bool], within: float, what: str) -> None:
        if not await self.wait(predicate, within):
            raise StandInError(f"timed out after {within:g}s waiting for {what}")


class LocalServer:
    """An aiohttp application on a free port of ``host``; ``root`` is ``http://host:port``."""

    def __init__(self, app: web.Application, host: str) -> None:
        self._app = app
        self._host = host
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def root(self) -> str:
        if self._runner is None:
            raise StandInError("the stand-in is not running: use it as `async with`")
        return f"http://{self._host}:{self.port}"

    async def start(self) -> None:
        runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, 0)
        await site.start()
        self.port = runner.addresses[0][1]
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def drop_connection(request: web.Request) -> web.StreamResponse:
    """Closes the client's connection without an answer (the client sees a network error)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=499)
