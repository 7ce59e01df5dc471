"""What the Slack listeners and jobs use, handed to them through bolt's ``context``.

Listeners acknowledge Slack at once and leave the slow part (database, Web API calls) to
``BackgroundWork``: tasks that are kept track of, so shutdown can let them finish and a test
can wait for them instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.answers import AnswerDesk
from storage.types import utcnow
from surveys.flow import AnswerRules

log = logging.getLogger(__name__)
SERVICES_KEY = "feedbackbot"


class BackgroundWork:
    """A set of tasks started after an ack; failures are logged, never lost silently."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._open = asyncio.Event()
        self._open.set()

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await self._open.wait()
            await work
        except Exception as error:
            # Not log.exception: database and HTTP errors quote their parameters, which can
            # hold a customer's comment. The type and where it happened are enough to start.
            frame = traceback.extract_tb(error.__traceback__)[-1]
            log.error(
                "slack work failed",
                extra={
                    "work": name,
                    "error": type(error).__name__,
                    "at": f"{frame.filename}:{frame.lineno}",
                },
            )

    def pause(self) -> None:
        """Hold new and waiting work until ``resume`` (tests use it to press twice before the
        first press is handled, as a fast double tap does)."""
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    async def join(self) -> None:
        """Wait until every task, including tasks those tasks start, has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @property
    def pending(self) -> int:
        return len(self._tasks)


@dataclass
class SlackServices:
    """Plain values from the settings, the session factory, a clock and the answer desk
    (shared with the other channels; one of its own when not given)."""

    sessions: async_sessionmaker[AsyncSession]
    default_language: str = "en"
    admin_users: frozenset[str] = frozenset()
    digest_channel: str | None = None
    worker: str = "worker"
    clock: Callable[[], datetime] = utcnow
    link_secret: str | None = None
    dashboard_url: str = "http://127.0.0.1:8080"
    work: BackgroundWork = field(default_factory=BackgroundWork)
    max_alert_attempts: int = 10
    desk: InitVar[AnswerDesk | None] = None
    answers: AnswerDesk = field(init=False)

    def __post_init__(self, desk: AnswerDesk | None) -> None:
        rules = AnswerRules(default_language=self.default_language)
        self.answers = desk or AnswerDesk(self.sessions, rules, lambda: self.clock())
