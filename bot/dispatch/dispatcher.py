"""The dispatcher: claims due invitations from the outbox and sends them within rate limits.

How several workers (``feedbackbot run`` on several hosts, one PostgreSQL) behave as one bot
------------------------------------------------------------------------------------------
The limits that matter are per bot token and per recipient (Telegram: ~30 messages/s per bot,
~1/s per chat), i.e. shared by every worker. We chose **per-platform sending leadership**
over a token bucket shared through the database:

* each platform has a lease (``dispatch:telegram``, ``dispatch:slack`` in table ``lease``);
  only its holder claims and sends that platform's invitations, pacing them in memory
  (``limiter.Pacer``). The pacing is exact (no clock skew between hosts, no hot row updated 30
  times a second, no polling for tokens), and one process easily fills a 30/s budget, so a
  second sender would add nothing but the risk of 429 storms. Different platforms can be led by
  different workers.
* the holder renews the lease on every tick; it stops starting sends once the lease is too
  close to its end to finish them, and its claims expire with the lease. A worker that stops
  cleanly releases both at once, so another takes over at its next tick (seconds); one that
  dies is replaced after one lease period (``DISPATCH_LEASE_SECONDS``, 15 s by default).
* claims still use ``FOR UPDATE SKIP LOCKED`` (``storage.invitations.claim_due``), so even two
  leaders during a hand-over (or a misconfigured clock) never claim the same row.

Delivery is at least once: each outcome is recorded right after its send, so a worker killed
outright repeats at most the sends that were in flight; a clean stop repeats none.

Faults never strand a claim (issue 12). A worker renews only the claims it is still working
on: when claiming or checking a batch fails (the database went away), the batch's claims are
abandoned and lapse with the lease, so the next claim (by any worker) sends them. An outcome
that cannot be recorded is tried again with backoff while the worker keeps the claim, so a
message that went out during a database outage is recorded once the database is back rather
than sent again. When the drain itself fails, the sends already under way finish and record
before the error reaches the scheduler.

The steps of a tick, per platform: take or renew the lease; claim a batch (about two seconds of
budget, one invitation per customer) in one short transaction; in a second one, check each
claim (opted out since? still reachable? what to ask: ``surveys.conversation.next_step``); send
outside any transaction, paced; record each outcome in its own short transaction.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.dispatch.channel import Channel, Delivery, DeliveryError
from bot.dispatch.limiter import Pacer
from bot.dispatch.outcomes import Outcome, TickReport
from bot.dispatch.retry import retry_delay
from bot.supervision import Part
from storage import customers, identities, invitations, leases
from storage.models import Invitation, InvitationStatus, Platform
from storage.types import utcnow
from surveys import policy
from surveys.conversation import Complete, Prompt, next_step
from surveys.errors import SurveyError

log = logging.getLogger(__name__)
PREFETCH_SECONDS = 1.0
"""Claim the next batch when this much of the current one is left to send."""
RECORD_RETRY_CAP = timedelta(seconds=2)
"""The longest wait between two tries to record an outcome while the database is away."""

Store = Callable[[AsyncSession], Awaitable[bool]]
"""One storage call that settles a claim; True if the claim was still ours."""


@dataclass(frozen=True)
class PlatformLimits:
    """Messages per second for the whole bot (None: no global cap) and per recipient."""

    rate: float | None
    per_address: float | None


@dataclass(frozen=True)
class DispatchConfig:
    policy: policy.PolicyConfig = field(default_factory=policy.PolicyConfig)
    limits: Mapping[str, PlatformLimits] = field(
        default_factory=lambda: {
            "telegram": PlatformLimits(30.0, 1.0),
            "slack": PlatformLimits(None, 1.0),
        }
    )
    default_language: str = "en"
    max_attempts: int = 5
    lease: timedelta = timedelta(seconds=15)
    send_timeout: float = 10.0
    retry_base: timedelta = timedelta(seconds=30)
    retry_cap: timedelta = timedelta(hours=1)
    batch_seconds: float = 2.0
    max_batch: int = 200
    record_patience: timedelta = timedelta(minutes=5)
    """How long to keep trying to record an outcome before leaving the claim to lapse."""

    def batch_size(self, platform: str) -> int:
        rate = self.limits.get(platform, PlatformLimits(None, None)).rate
        if rate is None:
            return min(50, self.max_batch)
        return max(1, min(self.max_batch, math.ceil(rate * self.batch_seconds)))


@dataclass
class _Send:
    invitation: Invitation
    delivery: Delivery
    prompt: Prompt
    timezone: str | None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Dispatcher:
    """Sends due invitations through ``channels``; one ``tick`` at a time or ``drain``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Iterable[Channel],
        config: DispatchConfig,
        *,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
        part: Part | None = None,
    ) -> None:
        """``part``: where to report health while a drain runs (it may run for minutes)."""
        self.sessions = sessions
        self.channels = {Platform(c.platform): c for c in channels}
        self.config = config
        self.worker = worker or worker_name()
        self.clock = clock
        self.jitter = jitter
        self.part = part
        self._pacers = {
            p: Pacer(self._limits(p).rate, self._limits(p).per_address) for p in self.channels
        }
        self._lease_until: dict[Platform, datetime] = {}
        self._working: set[int] = set()
        """Invitations claimed and not yet settled or abandoned: the claims ``_lead`` renews."""
        self._lock = asyncio.Lock()
        self._stopping = False
        self._stopped = asyncio.Event()

    def _limits(self, platform: Platform) -> PlatformLimits:
        return self.config.limits.get(platform.value, PlatformLimits(None, None))

    async def tick(self) -> TickReport:
        """One batch per platform this worker leads, sent to the end; what happened to each."""
        report = TickReport()
        for platform, channel in self.channels.items():
            if self._stopping or not await self._lead(platform):
                continue
            sends, _ = await self._fetch(platform, report, busy=set())
            await self._send_all(platform, channel, sends, report, busy=set())
        return report

    async def drain(self, max_batches: int | None = None) -> TickReport:
        """Send until nothing is due (or ``max_batches`` per platform); one drain at a time.

        Batches overlap: the next one is claimed and checked while the last second of the
        current one is still being sent, so the platform's budget is used without gaps.
        """
        report = TickReport()
        async with self._lock:
            await asyncio.gather(
                *(
                    self._drain_platform(platform, channel, report, max_batches)
                    for platform, channel in self.channels.items()
                )
            )
        return report

    async def _drain_platform(
        self, platform: Platform, channel: Channel, report: TickReport, max_batches: int | None
    ) -> None:
        pacer = self._pacers[platform]
        busy: set[int] = set()
        in_flight: set[asyncio.Task[None]] = set()
        batches = 0
        failure: Exception | None = None
        async with asyncio.TaskGroup() as group:
            while not self._stopping and (max_batches is None or batches < max_batches):
                try:
                    if not await self._lead(platform):
                        break
                    sends, claimed = await self._fetch(platform, report, busy)
                except Exception as error:
                    # The sends under way finish and record (the task group waits for them);
                    # the error reaches the caller after that, not as a cancellation of them.
                    failure = error
                    break
                if not claimed:
                    if not in_flight:
                        break
                    # What is left may belong to customers still being sent to: wait for them.
                    await asyncio.wait(set(in_flight), return_when=asyncio.FIRST_COMPLETED)
                    continue
                batches += 1
                busy.update(s.invitation.customer_id for s in sends)
                task = group.create_task(self._send_all(platform, channel, sends, report, busy))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                await self._pause(pacer.backlog() - PREFETCH_SECONDS)
        if failure is not None:
            raise failure

    async def close(self) -> None:
        """Stop cleanly: finish the sends in flight, then hand claims and leases back.

        Sends still waiting for their paced slot are handed back at once rather than when
        their slot comes (up to a batch, ~2 s, later): a SIGTERM should not wait for them."""
        self._stopping = True
        self._stopped.set()
        async with self._lock, self.sessions() as session, session.begin():
            released = await invitations.release_all(session, self.worker)
            for platform in self.channels:
                await leases.release(session, f"dispatch:{platform.value}", self.worker)
        self._lease_until.clear()
        log.info("dispatcher stopped", extra={"worker": self.worker, "released": released})

    async def expire_overdue(self) -> int:
        """Expire sent invitations past ``expires_at`` and ones that could not be sent in time."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            count = await invitations.expire_due(
                session, now=now, unsent_before=now - self.config.policy.expire_after
            )
        if count:
            log.info("invitations expired", extra={"count": count})
        return count

    async def _lead(self, platform: Platform) -> bool:
        now = self.clock()
        until = now + self.config.lease
        async with self.sessions() as session, session.begin():
            held = await leases.acquire(
                session, f"dispatch:{platform.value}", self.worker, self.config.lease, now
            )
            if held:
                await invitations.renew_claims(session, self.worker, until, self._working)
        if self.part is not None:
            self.part.running()
        if held and platform not in self._lease_until:
            log.info("leading dispatch", extra={"platform": platform.value, "worker": self.worker})
        if held:
            self._lease_until[platform] = until
        else:
            self._lease_until.pop(platform, None)
        return held

    async def _fetch(
        self, platform: Platform, report: TickReport, busy: set[int]
    ) -> tuple[list[_Send], int]:
        """Claim a batch and check it; what cannot be sent is settled and counted here.

        Returns what to send and how many invitations were claimed."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            claimed = await invitations.claim_due(
                session,
                platform=platform,
                worker=self.worker,
                now=now,
                claim_until=self._lease_until[platform],
                limit=self.config.batch_size(platform.value),
                reminders=self.config.policy.reminder_after is not None,
                busy_customers=busy,
            )
        if not claimed:
            return [], 0
        ids = {i.id for i in claimed if i.id is not None}
        self._working.update(ids)
        try:
            sends = await self._prepare(platform, claimed, report)
        except BaseException:
            self._working.difference_update(ids)  # abandoned: the claims lapse with the lease
            raise
        self._working.difference_update(ids - {s.delivery.invitation_id for s in sends})
        return sends, len(claimed)

    async def _send_all(
        self,
        platform: Platform,
        channel: Channel,
        sends: list[_Send],
        report: TickReport,
        busy: set[int],
    ) -> None:
        pacer = self._pacers[platform]
        results = await asyncio.gather(*(self._deliver(platform, channel, pacer, s) for s in sends))
        report.outcomes.update(results)
        for outcome in results:
            metrics.send_finished(platform.value, outcome)
        busy.difference_update(s.invitation.customer_id for s in sends)

    async def _prepare(
        self, platform: Platform, claimed: list[Invitation], report: TickReport
    ) -> list[_Send]:
        """Check each claim against the customer's current state; close what cannot be sent."""
        sends: list[_Send] = []
        async with self.sessions() as session, session.begin():
            reachable = await customers.reach(session, sorted({i.customer_id for i in claimed}))
            for invitation in claimed:
                outcome = await self._check(session, platform, invitation, reachable, sends)
                if outcome:
                    report.outcomes[outcome] += 1
                    metrics.send_finished(platform.value, outcome)
        return sends

    async def _check(
        self,
        session: AsyncSession,
        platform: Platform,
        invitation: Invitation,
        reachable: dict[int, customers.Reach],
        sends: list[_Send],
    ) -> Outcome | None:
        iid = invitation.id or 0
        person = reachable.get(invitation.customer_id)
        reminder = invitation.status is InvitationStatus.SENT
        if person is None or person.opted_out:
            await invitations.mark_closed(
                session, iid, self.worker, InvitationStatus.CANCELLED, "opted out"
            )
            return Outcome.CANCELLED
        identity = person.linked(platform)
        if identity is None:
            other = person.other_linked(platform)
            if other is not None and not reminder:
                await invitations.switch_channel(session, iid, self.worker, other.platform)
                return Outcome.MOVED
            await invitations.mark_failed(
                session, iid, self.worker, reason="no reachable channel", error=None
            )
            return Outcome.FAILED
        try:
            step = await next_step(
                session, iid, default_language=person.language or self.config.default_language
            )
        except SurveyError as error:
            log.error("survey unusable", extra={"invitation_id": iid, "error": str(error)})
            await invitations.mark_failed(
                session, iid, self.worker, reason="survey unusable", error=str(error)
            )
            return Outcome.FAILED
        if isinstance(step, Complete):
            status = InvitationStatus.ANSWERED if reminder else InvitationStatus.CANCELLED
            await invitations.mark_closed(session, iid, self.worker, status, "nothing to ask")
            return Outcome.CLOSED
        delivery = Delivery(
            invitation_id=iid,
            customer_id=invitation.customer_id,
            platform=platform.value,
            address=identity.external_id,
            language=step.language,
            reminder=reminder,
            attempt=invitation.attempts + 1,
        )
        sends.append(_Send(invitation, delivery, step, person.timezone))
        return None

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds`` (at least yield), cut short by ``close()``."""
        if seconds <= 0 or self._stopped.is_set():
            await asyncio.sleep(0)
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    def _lease_left(self, platform: Platform) -> float:
        until = self._lease_until.get(platform)
        return (until - self.clock()).total_seconds() if until else 0.0

    async def _deliver(
        self, platform: Platform, channel: Channel, pacer: Pacer, send: _Send
    ) -> Outcome:
        """Pace, send and record one invitation; returns its outcome. Never raises (but for a
        cancellation): one failing invitation must not end its batch."""
        try:
            return await self._send_one(platform, channel, pacer, send)
        finally:
            self._working.discard(send.delivery.invitation_id)

    async def _send_one(
        self, platform: Platform, channel: Channel, pacer: Pacer, send: _Send
    ) -> Outcome:
        iid, address = send.delivery.invitation_id, send.delivery.address
        start = pacer.reserve(address)
        if start is None:
            later = self.clock() + timedelta(seconds=pacer.ready_in(address))
            return await self._record(
                iid,
                Outcome.DEFERRED,
                lambda session: invitations.release(session, iid, self.worker, due_at=later),
            )
        await self._pause(start - pacer.clock())
        if self._stopping or self._lease_left(platform) <= self.config.send_timeout + 1:
            return await self._record(
                iid,
                Outcome.DEFERRED,
                lambda session: invitations.release(session, iid, self.worker),
            )
        await pacer.gate(address)
        extra: dict[str, object] = {
            "invitation_id": iid,
            "platform": platform.value,
            "attempt": send.delivery.attempt,
        }
        try:
            ref = await asyncio.wait_for(
                channel.send_question(send.delivery, send.prompt), self.config.send_timeout
            )
        except DeliveryError as error:
            return await self._refused(platform, pacer, send, error, extra)
        except TimeoutError:
            log.warning("send timed out", extra=extra)
            return await self._transient(send, "timed out")
        except Exception as error:  # a channel bug must not stop the other sends
            log.exception("send crashed", extra=extra)
            return await self._transient(send, f"{type(error).__name__}: {error}")
        now = self.clock()
        if send.delivery.reminder:
            log.info("reminder sent", extra=extra)
            return await self._record(
                iid,
                Outcome.REMINDED,
                lambda session: invitations.mark_reminded(
                    session, iid, self.worker, now=now, message_ref=ref
                ),
            )
        log.info("invitation sent", extra=extra)
        remind_at = policy.reminder_at(now, self.config.policy, send.timezone)
        expires_at = policy.expires_at(now, self.config.policy)
        return await self._record(
            iid,
            Outcome.SENT,
            lambda session: invitations.mark_sent(
                session,
                iid,
                self.worker,
                now=now,
                message_ref=ref,
                remind_at=remind_at,
                expires_at=expires_at,
            ),
        )

    async def _refused(
        self,
        platform: Platform,
        pacer: Pacer,
        send: _Send,
        error: DeliveryError,
        extra: dict[str, object],
    ) -> Outcome:
        iid, address = send.delivery.invitation_id, send.delivery.address
        if error.permanent:
            log.warning("recipient unreachable", extra=extra)
            now = self.clock()

            async def unreachable(session: AsyncSession) -> bool:
                await identities.mark_unreachable(session, platform, address, now)
                return await invitations.mark_failed(
                    session, iid, self.worker, reason="recipient unreachable", error=str(error)
                )

            return await self._record(iid, Outcome.UNREACHABLE, unreachable)
        if error.retry_after is not None:
            wait = max(0.0, error.retry_after)
            pacer.hold(address, wait)
            log.warning("rate limited", extra={**extra, "retry_after": wait})
            metrics.rate_limited(platform.value, wait)
            due = self.clock() + timedelta(seconds=wait)
            return await self._record(
                iid,
                Outcome.RATE_LIMITED,
                lambda session: invitations.release(session, iid, self.worker, due_at=due),
            )
        log.warning("send failed", extra={**extra, "error": type(error).__name__})
        return await self._transient(send, str(error))

    async def _transient(self, send: _Send, error: str) -> Outcome:
        """Retry later with backoff; an unsent invitation out of attempts fails."""
        attempt = send.delivery.attempt
        iid = send.delivery.invitation_id
        if not send.delivery.reminder and attempt >= self.config.max_attempts:
            reason = f"gave up after {attempt} attempts"
            return await self._record(
                iid,
                Outcome.FAILED,
                lambda session: invitations.mark_failed(
                    session, iid, self.worker, reason=reason, error=error
                ),
            )
        delay = retry_delay(
            attempt, self.jitter(), base=self.config.retry_base, cap=self.config.retry_cap
        )
        due = self.clock() + delay
        return await self._record(
            iid,
            Outcome.RETRY,
            lambda session: invitations.retry_later(
                session, iid, self.worker, due_at=due, error=error
            ),
        )

    async def _record(self, invitation_id: int, outcome: Outcome, store: Store) -> Outcome:
        """Record one outcome in its own transaction, even if the caller is being cancelled: a
        message that went out must not be sent again because its worker was told to stop."""
        return await asyncio.shield(self._store(invitation_id, outcome, store))

    async def _store(self, invitation_id: int, outcome: Outcome, store: Store) -> Outcome:
        """Run ``store`` in a transaction; while it fails (the database is away), try again
        with capped, jittered backoff for up to ``record_patience``, the claim kept meanwhile.
        After that the claim is left to lapse (logged once), and the invitation is sent again
        by a later claim: the one case where a send repeats."""
        extra: dict[str, object] = {"invitation_id": invitation_id, "outcome": outcome.value}
        give_up = asyncio.get_running_loop().time() + self.config.record_patience.total_seconds()
        failures = 0
        while True:
            try:
                async with self.sessions() as session, session.begin():
                    applied = await store(session)
                break
            except Exception as error:
                failures += 1
                wait = retry_delay(
                    failures, self.jitter(), base=timedelta(seconds=0.25), cap=RECORD_RETRY_CAP
                ).total_seconds()
                out_of_time = self._stopping or asyncio.get_running_loop().time() + wait > give_up
                if self.part is not None:
                    self.part.lost(f"outcome not recorded: {type(error).__name__}")
                if failures == 1 or out_of_time:
                    log.warning(
                        "outcome not recorded, leaving the claim to lapse"
                        if out_of_time
                        else "outcome not recorded yet, retrying",
                        extra={**extra, "error": type(error).__name__},
                    )
                if out_of_time:
                    return outcome
                await asyncio.sleep(wait)
        if failures:
            log.info("outcome recorded", extra={**extra, "tries": failures + 1})
        if not applied:
            log.warning("claim lost before the outcome was recorded", extra=extra)
        return outcome
