"""Supervision: every long-running part of ``feedbackbot run`` restarts itself after an error.

A part is a coroutine (the Telegram poller, the Slack Socket Mode connection, a scheduled
job). ``supervise`` runs it; when it raises, the failure is logged as one line (the error's
type and message, no traceback: an outage must not flood the log), counted in the metrics,
and the part starts again after a backoff that doubles per consecutive failure, is capped,
and is jittered so that workers that failed together do not retry together.

Each part reports its state to ``Parts``, which ``/healthz`` and ``/metrics`` read: it is
``starting`` until it first works, ``running`` (or ``standby``: healthy, another worker
leads) while it works, ``down`` from a failure until it works again, ``stopped`` at shutdown.
A part says itself when it works (the poller after a successful long poll); a one-shot run
(a job, the webhook set-up) works when it returns.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot import metrics
from storage.types import utcnow

log = logging.getLogger(__name__)
ERROR_LENGTH = 200


class State(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    STANDBY = "standby"
    DOWN = "down"
    STOPPED = "stopped"


WORKING = frozenset({State.RUNNING, State.STANDBY})


def describe(error: BaseException) -> str:
    """``Type: message`` on one line, shortened: what a log line or /healthz may show."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:ERROR_LENGTH]


@dataclass
class Part:
    """One supervised part's state, and the handle the part reports through."""

    name: str
    clock: Callable[[], datetime] = utcnow
    state: State = State.STARTING
    since: datetime = field(default_factory=utcnow)
    restarts: int = 0
    failures: int = 0
    """Consecutive failures; 0 again once the part works."""
    error: str | None = None
    """The last failure (``Type: message``), kept until the part works again."""

    @property
    def working(self) -> bool:
        return self.state in WORKING

    def running(self) -> None:
        self._become(State.RUNNING)

    def standby(self) -> None:
        self._become(State.STANDBY)

    def lost(self, reason: str) -> None:
        """Not working, without a restart: the part waits for something to come back."""
        self.error = reason[:ERROR_LENGTH]
        self._become(State.DOWN)

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        self.restarts += 1
        self.error = describe(error)
        metrics.part_restarted(self.name)
        self._become(State.DOWN)

    def stopped(self) -> None:
        self._become(State.STOPPED)

    def _become(self, state: State) -> None:
        if state in WORKING:
            self.failures, self.error = 0, None
        if state is not self.state:
            if self.state is State.DOWN and state in WORKING:
                log.info("part recovered", extra={"part": self.name, "state": state.value})
            self.state, self.since = state, self.clock()


class Parts:
    """Every supervised part by name: the registry /healthz and /metrics read."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        self._parts: dict[str, Part] = {}

    def add(self, name: str) -> Part:
        """The part called ``name`` (created ``starting`` the first time)."""
        if name not in self._parts:
            self._parts[name] = Part(name, self.clock, since=self.clock())
        return self._parts[name]

    def all(self) -> list[Part]:
        return sorted(self._parts.values(), key=lambda part: part.name)

    def working(self) -> dict[str, bool]:
        return {part.name: part.working for part in self.all()}

    def down(self) -> list[str]:
        """The parts not working (starting, down, stopped), by name."""
        return [part.name for part in self.all() if not part.working]


@dataclass(frozen=True)
class Backoff:
    """The wait before restart number n: ``base * 2**(n-1)`` capped at ``cap``, jittered."""

    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(seconds=30)

    def delay(self, failures: int, jitter: float) -> float:
        # Imported here: bot.dispatch reports to supervised parts, so it imports this module.
        from bot.dispatch.retry import retry_delay

        return retry_delay(failures, jitter, base=self.base, cap=self.cap).total_seconds()


DEFAULT_BACKOFF = Backoff()


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, cut short when ``stop`` is set."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


Run = Callable[[Part], Awaitable[None]]


async def supervise(
    part: Part,
    run: Run,
    stop: asyncio.Event,
    *,
    backoff: Backoff = DEFAULT_BACKOFF,
    forever: bool = True,
    jitter: Callable[[], float] = random.random,
) -> None:
    """Run ``run(part)`` until ``stop`` is set, again after each failure (with backoff).

    ``forever``: the part should only end when ``stop`` is set (the poller), so an early
    return is a failure too; otherwise (a job, a set-up step) a return means it worked.
    """
    while not stop.is_set():
        try:
            await run(part)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            failure: Exception = error
        else:
            if stop.is_set():
                break
            if not forever:
                part.running()
                return
            failure = RuntimeError("ended without being stopped")
        part.failed(failure)
        wait = backoff.delay(part.failures, jitter())
        log.warning(
            "part failed, restarting",
            extra={
                "part": part.name,
                "error": part.error,
                "failures": part.failures,
                "restart_in": round(wait, 2),
            },
        )
        await pause(stop, wait)
    part.stopped()


@dataclass(frozen=True)
class Supervised:
    """A long-running part a platform runtime asks ``serve()`` to supervise."""

    name: str
    run: Callable[[Part, asyncio.Event], Awaitable[None]]
    """Called with the part to report through and the event set at shutdown."""
    forever: bool = True


class Supervisor:
    """Runs ``Supervised`` parts as tasks until ``stop()``."""

    def __init__(self, parts: Parts, backoff: Backoff = DEFAULT_BACKOFF) -> None:
        self.parts = parts
        self.backoff = backoff
        self.stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, supervised: Supervised) -> None:
        part = self.parts.add(supervised.name)

        async def run(part: Part) -> None:
            await supervised.run(part, self.stopping)

        self._tasks.append(
            asyncio.create_task(
                supervise(
                    part, run, self.stopping, backoff=self.backoff, forever=supervised.forever
                ),
                name=f"supervised:{supervised.name}",
            )
        )

    async def stop(self, grace: float = 15.0) -> None:
        """Ask every part to stop, wait ``grace`` seconds, then cancel what still runs."""
        self.stopping.set()
        if not self._tasks:
            return
        done, pending = await asyncio.wait(self._tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for task in done:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                log.error("supervisor task failed", extra={"error": describe(error)})
