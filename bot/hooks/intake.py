"""Recording a helpdesk closure, answered within the helpdesk's patience whatever the database does.

The closure, its delivery key and the case are written in one transaction: a redelivery finds
its key and changes nothing, and a key is never remembered without its case. The work runs as
a task that the request waits for only ``answer_within`` seconds (Chatwoot gives up after 5):
when the database is slow or away, the helpdesk gets 202 at once and the task keeps trying
for ``retry_for`` seconds, so a lock held by a long report or a database restart loses
nothing while the process lives. Slack ids are looked up by e-mail before the transaction, so
no network call runs while it holds SQLite's write lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.hooks.helpdesks import case_event
from bot.hooks.payload import Closure
from storage import cases
from storage.hook_deliveries import forget_deliveries, remember_delivery
from surveys.catalog import Catalog
from surveys.events import CaseClosed
from surveys.intake import CaseOutcome, record_case
from surveys.policy import PolicyConfig

if TYPE_CHECKING:
    from bot.hooks.directory import SlackDirectory

log = logging.getLogger(__name__)
KEEP_DELIVERIES = timedelta(days=3)
"""Longer than any helpdesk retries (Freshdesk's last retry is ~95 minutes after, deferred
webhooks are dropped after 24 h); a Freshdesk ticket resolved again after this is news."""


class HookStatus(StrEnum):
    RECORDED = "recorded"
    UPDATED = "updated"
    """A known ticket resolved again: its case took the new closure."""
    DUPLICATE = "duplicate"
    ACCEPTED = "accepted"
    BUSY = "busy"


@dataclass(frozen=True)
class HookResult:
    status: HookStatus
    case_id: str
    outcome: CaseOutcome | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status.value, "case_id": self.case_id}
        if self.outcome is not None:
            body["invitations"] = self.outcome.as_json()["invitations"]
        return body


@dataclass
class HookIntake:
    """Turns closures into recorded cases; one per application."""

    sessions: async_sessionmaker[AsyncSession]
    catalog: Callable[[], Catalog]
    config: PolicyConfig
    clock: Callable[[], datetime]
    directory: SlackDirectory | None = None
    answer_within: float = 2.5
    retry_for: float = 600.0
    max_in_flight: int = 1000
    _tasks: set[asyncio.Task[HookResult]] = field(default_factory=set)
    _purged_at: datetime | None = None

    async def take(self, helpdesk: str, closure: Closure) -> HookResult:
        """Record the closure, or have it recorded soon; raises ``BadPayload`` for a closure
        that cannot become a case (before anything is written)."""
        received = self.clock()
        event = case_event(helpdesk, closure, received_at=received)
        if len(self._tasks) >= self.max_in_flight:
            return HookResult(HookStatus.BUSY, event.case_id)
        task = asyncio.create_task(self._record(helpdesk, closure, event, received))
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        done, _ = await asyncio.wait({task}, timeout=self.answer_within)
        if task in done:
            return task.result()
        log.warning(
            "webhook accepted before it was recorded (database slow)",
            extra={"helpdesk": helpdesk, "case_id": event.case_id},
        )
        return HookResult(HookStatus.ACCEPTED, event.case_id)

    def _finished(self, task: asyncio.Task[HookResult]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "webhook could not be recorded",
                exc_info=task.exception(),
                extra={"error": type(task.exception()).__name__},
            )

    async def _record(
        self, helpdesk: str, closure: Closure, event: CaseClosed, received: datetime
    ) -> HookResult:
        event = await self._with_slack_ids(helpdesk, closure, event, received)
        loop = asyncio.get_running_loop()
        give_up, pause = loop.time() + self.retry_for, 0.2
        while True:
            try:
                result = await self._write(helpdesk, closure.delivery_key, event, received)
                break
            except IntegrityError:
                raise
            except (DBAPIError, OSError, TimeoutError) as error:
                if loop.time() + pause > give_up:
                    raise
                log.warning(
                    "database unavailable for a webhook, retrying",
                    extra={"case_id": event.case_id, "error": type(error).__name__},
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 10.0)
        log.info(
            "webhook recorded",
            extra={"helpdesk": helpdesk, "case_id": event.case_id, "status": result.status.value},
        )
        await self._purge_now_and_then()
        return result

    async def _with_slack_ids(
        self, helpdesk: str, closure: Closure, event: CaseClosed, received: datetime
    ) -> CaseClosed:
        if self.directory is None:
            return event
        customer = event.customer.slack_user_id or await self.directory.user_id(
            event.customer.email
        )
        agent = None
        if event.agent is not None and event.agent.email:
            agent = event.agent.slack_user_id or await self.directory.user_id(event.agent.email)
        if customer == event.customer.slack_user_id and agent is None:
            return event
        return case_event(
            helpdesk,
            closure,
            received_at=received,
            slack_user_id=customer,
            agent_slack_user_id=agent,
        )

    async def _write(
        self, helpdesk: str, key: str, event: CaseClosed, received: datetime
    ) -> HookResult:
        async with self.sessions() as session, session.begin():
            fresh = await remember_delivery(
                session, helpdesk=helpdesk, key=key[:200], case_id=event.case_id, now=received
            )
            if not fresh:
                return HookResult(HookStatus.DUPLICATE, event.case_id)
            known = await cases.find_case(session, event.case_id)
            if known is not None and event.closed_at > known.closed_at:
                # Resolved again after a reopen: the customer came back, one more contact
                # (so operational FCR does not count the ticket as solved at first contact).
                event = event.model_copy(update={"contacts": known.contacts + 1})
            outcome = await record_case(
                session, event, catalog=self.catalog(), config=self.config, now=self.clock()
            )
        if outcome.created:
            return HookResult(HookStatus.RECORDED, event.case_id, outcome)
        status = HookStatus.UPDATED if outcome.updated else HookStatus.DUPLICATE
        return HookResult(status, event.case_id, outcome)

    async def _purge_now_and_then(self) -> None:
        now = self.clock()
        if self._purged_at is not None and now - self._purged_at < timedelta(hours=1):
            return
        self._purged_at = now
        async with self.sessions() as session, session.begin():
            gone = await forget_deliveries(session, before=now - KEEP_DELIVERIES)
        if gone:
            log.info("old webhook deliveries forgotten", extra={"count": gone})

    async def settle(self, wait: float | None = None) -> set[asyncio.Task[HookResult]]:
        """Wait until the webhooks in flight are recorded (at most ``wait`` seconds); returns
        those still running."""
        if not self._tasks:
            return set()
        _, pending = await asyncio.wait(set(self._tasks), timeout=wait)
        return pending

    async def close(self, wait: float = 5.0) -> None:
        """Let the webhooks in flight finish (up to ``wait`` seconds), then cancel the rest."""
        for task in await self.settle(wait):
            log.error(
                "webhook still not recorded at shutdown: lost", extra={"task": task.get_name()}
            )
            task.cancel()
