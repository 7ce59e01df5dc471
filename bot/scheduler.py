"""The periodic work of ``feedbackbot run``, on APScheduler 3's ``AsyncIOScheduler``.

Jobs only move work through the database: the dispatcher tick drains due invitations (sending
is led by one worker per platform, see ``bot.dispatch.dispatcher``), expiry is one conditional
UPDATE any worker may run, and the campaign runs once per day across all workers through its
``digest_log`` key ``("campaign", <date>)``. Platform packages add their own jobs (digests,
alerts) through ``jobs()`` on their runtime. Every job runs one instance at a time and
coalesces missed runs. Each job is a supervised part (``bot.supervision``) named after it: a
run that raises is logged as one line and tried again after a backoff (not only at its next
time, which may be half an hour away), and ``/healthz`` shows it ``down`` until a run works.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatch import Dispatcher
from bot.supervision import DEFAULT_BACKOFF, Backoff, Part, Parts, supervise
from storage import digest_log
from storage.types import utcnow
from surveys.catalog import Catalog
from surveys.intake import campaign_batch
from surveys.policy import PolicyConfig

log = logging.getLogger(__name__)
CAMPAIGN = "campaign"
EXPIRY_INTERVAL = timedelta(minutes=1)
CAMPAIGN_CHECK_INTERVAL = timedelta(minutes=30)


@dataclass(frozen=True)
class Job:
    """A periodic job: ``run`` is called at each time of ``trigger``."""

    name: str
    trigger: BaseTrigger
    run: Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class CampaignResult:
    ran: bool
    invited: int = 0


async def run_campaign(
    sessions: async_sessionmaker[AsyncSession],
    *,
    catalog: Catalog,
    config: PolicyConfig,
    worker: str,
    now: datetime | None = None,
    batch: int = 500,
) -> CampaignResult:
    """Invite every reachable customer due for a relationship survey, once per UTC day.

    The first worker to claim today's ``digest_log`` row does it, in batches of ``batch``
    customers (one transaction each, so a crash loses no batch already committed; the next
    claim after the stale timeout finishes the rest). Returns whether this call ran it.
    """
    now = now or utcnow()
    period = now.date().isoformat()
    async with sessions() as session, session.begin():
        claimed = await digest_log.claim(session, CAMPAIGN, period, "", worker=worker, now=now)
    if not claimed:
        return CampaignResult(ran=False)
    invited = 0
    after: int | None = 0
    try:
        while after is not None:
            async with sessions() as session, session.begin():
                result = await campaign_batch(
                    session, catalog=catalog, config=config, now=now, after_id=after, limit=batch
                )
            invited += sum(result.invited.values())
            after = result.last_customer_id
    except Exception:
        async with sessions() as session, session.begin():
            await digest_log.release(session, CAMPAIGN, period, "")
        raise
    async with sessions() as session, session.begin():
        await digest_log.finish(
            session, CAMPAIGN, period, "", now=utcnow(), result_ref=f"invited={invited}"
        )
    log.info("campaign done", extra={"period": period, "invited": invited})
    return CampaignResult(ran=True, invited=invited)


class Scheduler:
    """The APScheduler instance, plus a clean stop that lets running jobs finish.

    APScheduler's own ``shutdown`` cancels asyncio jobs in flight; a cancelled expiry or
    campaign would only be redone later, but we would rather finish the transaction.
    """

    def __init__(
        self, jobs: Iterable[Job], parts: Parts | None = None, backoff: Backoff = DEFAULT_BACKOFF
    ) -> None:
        self.aps = AsyncIOScheduler(timezone="UTC")
        self.parts = parts if parts is not None else Parts()
        self.backoff = backoff
        self._running: set[asyncio.Task[object]] = set()
        self._stopping = asyncio.Event()
        for job in jobs:
            self.aps.add_job(
                self._supervised(job),
                job.trigger,
                id=job.name,
                name=job.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=utcnow(),
            )

    @property
    def running(self) -> bool:
        return bool(self.aps.running)

    def start(self) -> None:
        """Start the jobs; needs the running event loop."""
        self.aps.start()

    async def shutdown(self, grace: float = 30.0) -> None:
        """Stop scheduling, give running jobs ``grace`` seconds to finish, then stop."""
        self._stopping.set()
        if not self.aps.running:
            return
        self.aps.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        self.aps.shutdown(wait=False)

    def _supervised(self, job: Job) -> Callable[[], Awaitable[None]]:
        part = self.parts.add(job.name)

        async def once(_: Part) -> None:
            await job.run()

        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await supervise(part, once, self._stopping, backoff=self.backoff, forever=False)
            finally:
                self._running.discard(task)

        return run


def build_scheduler(
    *,
    dispatcher: Dispatcher,
    sessions: async_sessionmaker[AsyncSession],
    catalog: Catalog,
    config: PolicyConfig,
    worker: str,
    dispatch_interval: float,
    extra_jobs: Iterable[Job] = (),
    parts: Parts | None = None,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> Scheduler:
    """The scheduler with every job added, not started (``start()`` needs the running loop)."""

    async def campaign() -> CampaignResult:
        return await run_campaign(sessions, catalog=catalog, config=config, worker=worker)

    return Scheduler(
        [
            Job("dispatch", IntervalTrigger(seconds=dispatch_interval), dispatcher.drain),
            Job("expire", _every(EXPIRY_INTERVAL), dispatcher.expire_overdue),
            Job("campaign", _every(CAMPAIGN_CHECK_INTERVAL), campaign),
            *extra_jobs,
        ],
        parts,
        backoff,
    )


def _every(interval: timedelta) -> IntervalTrigger:
    return IntervalTrigger(seconds=interval.total_seconds())
