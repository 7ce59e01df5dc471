"""The chat platforms ``feedbackbot run`` starts: a registry the platform packages plug into.

A platform package registers a factory once, at import time::

    register_platform("telegram", create_runtime)

and ``PLATFORM_MODULES`` names the module that does it, so ``serve()`` imports it. A factory
gets ``(settings, sessions, worker)`` and returns a runtime, or None when the platform is not
configured (no token). A runtime has a ``channel`` the dispatcher sends through and
``start()``/``stop()``; it may also have ``add_routes(app)`` (called before the HTTP server
starts, e.g. /slack/events), ``jobs()`` (scheduled work such as digests, see
``bot.scheduler.Job``) and ``supervised()`` (long-running parts such as the Telegram poller,
see ``bot.supervision.Supervised``), which ``serve()`` restarts after any error.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatch.channel import Channel
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.scheduler import Job

PLATFORM_MODULES = ("bot.telegram.app", "bot.slack.app")


@runtime_checkable
class PlatformRuntime(Protocol):
    channel: Channel

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class WithJobs(Protocol):
    def jobs(self) -> Iterable[Job]: ...


RuntimeFactory = Callable[[Settings, async_sessionmaker[AsyncSession], str], PlatformRuntime | None]
_FACTORIES: dict[str, RuntimeFactory] = {}


def register_platform(name: str, factory: RuntimeFactory) -> None:
    """Make ``serve()`` start platform ``name`` through ``factory`` (last registration wins)."""
    _FACTORIES[name] = factory


def registered() -> dict[str, RuntimeFactory]:
    """Every registered factory, after importing the platform modules that exist."""
    for module in PLATFORM_MODULES:
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return dict(_FACTORIES)


def create_runtimes(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], worker: str
) -> list[PlatformRuntime]:
    """A runtime for each registered platform that is configured."""
    runtimes = []
    for factory in registered().values():
        runtime = factory(settings, sessions, worker)
        if runtime is not None:
            runtimes.append(runtime)
    return runtimes
