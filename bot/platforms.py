"""The chat platforms ``feedbackbot run`` starts: one explicit list, ``PLATFORMS``.

Each entry names a platform and its factory. A factory gets the settings and the
``PlatformServices`` built once at start-up and returns a runtime, or None when the platform is
not configured (no token). A runtime has a ``channel`` the dispatcher sends through,
``start()``/``stop()``, ``add_routes(app)`` (called before the HTTP server starts, e.g.
/slack/events), ``jobs()`` (scheduled work such as digests, see ``bot.scheduler.Job``) and
``supervised()`` (long-running parts such as the Telegram poller, see
``bot.supervision.Supervised``), which ``serve()`` restarts after any error.
The platform packages are imported by their factory, so a command that starts no bot never
loads aiogram or slack-bolt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.answers import AnswerDesk
from bot.dispatch.channel import Channel
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.scheduler import Job
    from bot.supervision import Supervised


class PlatformRuntime(Protocol):
    @property
    def channel(self) -> Channel: ...

    def add_routes(self, app: web.Application) -> None: ...

    def jobs(self) -> Iterable[Job]: ...

    def supervised(self) -> Iterable[Supervised]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class PlatformServices:
    """What every platform shares: the database, the worker's name and the answer desk (so a
    low score from any channel reaches the agents' alert channel at once)."""

    sessions: async_sessionmaker[AsyncSession]
    worker: str
    answers: AnswerDesk


RuntimeFactory = Callable[[Settings, PlatformServices], PlatformRuntime | None]


def telegram(settings: Settings, services: PlatformServices) -> PlatformRuntime | None:
    from bot.telegram.app import create_runtime

    return create_runtime(settings, services.sessions, services.worker, services.answers)


def slack(settings: Settings, services: PlatformServices) -> PlatformRuntime | None:
    from bot.slack.app import create_runtime

    return create_runtime(settings, services.sessions, services.worker, services.answers)


PLATFORMS: tuple[tuple[str, RuntimeFactory], ...] = (("telegram", telegram), ("slack", slack))


def create_runtimes(settings: Settings, services: PlatformServices) -> list[PlatformRuntime]:
    """A runtime for each platform in ``PLATFORMS`` that is configured, in that order."""
    runtimes = []
    for _, factory in PLATFORMS:
        runtime = factory(settings, services)
        if runtime is not None:
            runtimes.append(runtime)
    return runtimes
