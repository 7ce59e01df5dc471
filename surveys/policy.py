"""The survey policy: which surveys a customer is invited to, and when. Pure functions.

Everything comes in as plain values (``PolicyConfig`` built from the settings by ``bot/``, the
customer's history read by ``storage/``), so each rule is tested with a fixed clock.

The rules, in the order they are applied (the first that refuses gives the reason):

1. an opted-out customer gets nothing (``opted_out``); nor does a case whose event named a chat
   that belongs to another customer (``address_taken``): the data is not to be trusted;
2. a customer with no linked chat gets nothing (``no_channel``);
3. a case closed so long ago that the survey would already have expired gets nothing
   (``too_old``): an import of last year's cases must not survey anyone;
4. cadence: ``csat`` after every case; ``nps`` and ``value`` only when the customer was not
   invited to them within their interval (``not_due``, not recorded as an invitation);
5. the fatigue throttle: one invitation per customer per ``throttle`` across surveys. ``csat``
   has priority, so a case normally yields its csat and the relationship surveys (nps, value)
   reach customers through the periodic campaign, on a day they are not throttled.

A due time that falls in the customer's quiet hours moves to the first minute after them, in
the customer's own time zone, DST gaps and overlaps included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CSAT = "csat"
NPS = "nps"
VALUE = "value"
CASE_SURVEYS = (CSAT, NPS, VALUE)
"""Surveys a closed case may lead to, highest priority first."""
CAMPAIGN_SURVEYS = (NPS, VALUE)
"""Relationship surveys the periodic campaign offers, highest priority first."""


class Reason(StrEnum):
    SCHEDULED = "scheduled"
    QUIET_HOURS = "scheduled after quiet hours"
    OPTED_OUT = "opted out"
    NO_CHANNEL = "no reachable channel"
    THROTTLED = "throttled"
    TOO_OLD = "case closed too long ago"
    ADDRESS_TAKEN = "chat linked to another customer"


@dataclass(frozen=True)
class PolicyConfig:
    """The policy settings as plain values (``bot`` builds this from ``Settings``)."""

    csat_delay: timedelta = timedelta(minutes=30)
    intervals: Mapping[str, timedelta] = field(
        default_factory=lambda: {NPS: timedelta(days=90), VALUE: timedelta(days=180)}
    )
    throttle: timedelta = timedelta(days=7)
    quiet_hours: tuple[time, time] | None = (time(21, 0), time(9, 0))
    default_timezone: str = "UTC"
    reminder_after: timedelta | None = timedelta(hours=24)
    expire_after: timedelta = timedelta(hours=72)
    case_surveys: tuple[str, ...] = CASE_SURVEYS
    """``CASE_SURVEYS``: what a closed case may lead to, highest priority first."""
    campaign_surveys: tuple[str, ...] = CAMPAIGN_SURVEYS
    """``CAMPAIGN_SURVEYS``: what the periodic campaign offers, highest priority first."""


@dataclass(frozen=True)
class CustomerHistory:
    """What the policy needs to know about one customer, read from storage.

    ``last_invited`` holds, per survey key, the latest time the customer was (or will be)
    invited to it; ``last_any`` the latest over all surveys. Skipped, cancelled and failed
    invitations do not count: the customer never saw them.
    """

    opted_out: bool = False
    channels: tuple[str, ...] = ()
    timezone: str | None = None
    last_invited: Mapping[str, datetime] = field(default_factory=dict)
    last_any: datetime | None = None
    address_taken: bool = False
    """The event named a chat that belongs to another customer: the case's surveys are skipped."""


@dataclass(frozen=True)
class Decision:
    """One survey's outcome: send at ``due_at`` on ``channel``, or not, and why."""

    survey_key: str
    reason: Reason
    due_at: datetime | None = None
    channel: str | None = None

    @property
    def scheduled(self) -> bool:
        return self.due_at is not None


def customer_zone(config: PolicyConfig, timezone: str | None) -> ZoneInfo:
    """The customer's zone, falling back to the default for a missing or unknown name."""
    for name in (timezone, config.default_timezone):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _in_quiet_hours(moment: time, quiet: tuple[time, time]) -> bool:
    start, end = quiet
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def _earliest_instant_at(wall: datetime, zone: ZoneInfo, not_before: datetime) -> datetime:
    """The first real instant at or after local wall time ``wall`` (naive) and ``not_before``.

    A wall time inside a DST gap does not exist: the next minute that exists is used. A wall
    time inside an overlap exists twice: the earlier one that is not before ``not_before``.
    """
    for _ in range(48 * 60):
        candidates = []
        for fold in (0, 1):
            aware = wall.replace(tzinfo=zone, fold=fold)
            instant = aware.astimezone(UTC)
            if instant.astimezone(zone).replace(tzinfo=None) == wall:
                candidates.append(instant)
        usable = sorted(c for c in candidates if c >= not_before)
        if usable:
            return usable[0]
        wall = wall.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return not_before


def next_allowed(moment: datetime, config: PolicyConfig, timezone: str | None) -> datetime:
    """``moment`` (aware), or the first minute after the customer's quiet hours it falls in."""
    if config.quiet_hours is None:
        return moment
    zone = customer_zone(config, timezone)
    local = moment.astimezone(zone)
    if not _in_quiet_hours(local.time(), config.quiet_hours):
        return moment
    start, end = config.quiet_hours
    end_day = local.date()
    if start > end and local.time() >= start:
        end_day += timedelta(days=1)
    wall_end = datetime.combine(end_day, end)
    return _earliest_instant_at(wall_end, zone, moment.astimezone(UTC))


def _schedule(
    survey_key: str, due: datetime, config: PolicyConfig, history: CustomerHistory
) -> Decision:
    allowed = next_allowed(due, config, history.timezone)
    reason = Reason.QUIET_HOURS if allowed != due else Reason.SCHEDULED
    return Decision(survey_key, reason, allowed.astimezone(UTC), history.channels[0])


def _cadence_due(survey_key: str, at: datetime, config: PolicyConfig, h: CustomerHistory) -> bool:
    interval = config.intervals.get(survey_key)
    last = h.last_invited.get(survey_key)
    return interval is None or last is None or at - last >= interval


def _throttled(at: datetime, config: PolicyConfig, history: CustomerHistory) -> bool:
    last = history.last_any
    return last is not None and abs(at - last) < config.throttle


def _refusal(history: CustomerHistory) -> Reason | None:
    if history.opted_out:
        return Reason.OPTED_OUT
    if history.address_taken:
        return Reason.ADDRESS_TAKEN
    if not history.channels:
        return Reason.NO_CHANNEL
    return None


def decide_for_case(
    config: PolicyConfig,
    history: CustomerHistory,
    *,
    closed_at: datetime,
    now: datetime,
    surveys: Iterable[str] = CASE_SURVEYS,
) -> list[Decision]:
    """The decisions for a closed case, one per survey worth recording, in priority order.

    ``surveys`` are the surveys the case may lead to, highest priority first (``CASE_SURVEYS``
    or the event's own choice). Surveys that are simply not due by their cadence are left out
    (nothing to record); at most one decision is scheduled.
    """
    offered = list(dict.fromkeys(surveys))
    due = max(closed_at + config.csat_delay, now)
    refusal = _refusal(history)
    if refusal is None and now - (closed_at + config.csat_delay) >= config.expire_after:
        refusal = Reason.TOO_OLD
    decisions: list[Decision] = []
    chosen = False
    for key in offered:
        if not _cadence_due(key, due, config, history):
            continue
        if refusal is not None:
            decisions.append(Decision(key, refusal))
        elif chosen or _throttled(due, config, history):
            decisions.append(Decision(key, Reason.THROTTLED))
        else:
            decisions.append(_schedule(key, due, config, history))
            chosen = True
    return decisions


def decide_for_campaign(
    config: PolicyConfig,
    history: CustomerHistory,
    *,
    now: datetime,
    surveys: Iterable[str] = CAMPAIGN_SURVEYS,
) -> Decision | None:
    """The relationship survey to invite the customer to now, or None when none is due.

    Returns a refused decision (opted out, no channel, throttled) only for a survey that is due,
    so a campaign can count why customers were passed over without recording anything.
    """
    for key in surveys:
        if not _cadence_due(key, now, config, history):
            continue
        refusal = _refusal(history)
        if refusal is not None:
            return Decision(key, refusal)
        if _throttled(now, config, history):
            return Decision(key, Reason.THROTTLED)
        return _schedule(key, now, config, history)
    return None


def reminder_at(sent_at: datetime, config: PolicyConfig, timezone: str | None) -> datetime | None:
    """When to remind about an unanswered invitation sent at ``sent_at`` (None: never).

    A reminder that would land in quiet hours moves after them; one that would come after
    the invitation expired is not sent.
    """
    if not config.reminder_after:
        return None
    at = next_allowed(sent_at + config.reminder_after, config, timezone)
    return at if at < expires_at(sent_at, config) else None


def expires_at(sent_at: datetime, config: PolicyConfig) -> datetime:
    return sent_at + config.expire_after
