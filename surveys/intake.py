"""Case events in, invitations out: recording a closed case and the periodic campaign.

The case, its customer, identities and agent, and the invitations the policy decides on are
written in the caller's one transaction: the invitation rows are the outbox, so an event is
either fully recorded with its invitations or not at all.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedbackbot.errors import AlreadyExists
from storage import cases, customers, invitations
from storage.models import Customer, Invitation, InvitationStatus, Platform, SupportCase
from surveys.catalog import Catalog
from surveys.conversation import pin_version
from surveys.definitions import Survey
from surveys.errors import UnknownSurvey
from surveys.events import CaseClosed, InvalidEvent
from surveys.policy import (
    CustomerHistory,
    Decision,
    PolicyConfig,
    decide_for_campaign,
    decide_for_case,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationView:
    """What the API answers about one invitation of a case."""

    id: int
    survey: str
    status: str
    reason: str | None
    due_at: datetime
    channel: str | None

    @classmethod
    def of(cls, row: Invitation) -> InvitationView:
        return cls(
            id=row.id or 0,
            survey=row.survey_key,
            status=row.status.value,
            reason=row.status_reason,
            due_at=row.due_at,
            channel=row.channel.value if row.channel else None,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "survey": self.survey,
            "status": self.status,
            "reason": self.reason,
            "due_at": self.due_at.isoformat().replace("+00:00", "Z")
            if self.status == InvitationStatus.PENDING
            else None,
            "channel": self.channel,
        }


@dataclass(frozen=True)
class EventWarning:
    """A part of the event that was not used, and why (the case itself was recorded)."""

    field: str
    problem: str


@dataclass(frozen=True)
class CaseOutcome:
    """What a case event did: a new case (``created``), a newer state of a known case
    (``updated``: reopened and resolved again), or nothing (the same or an older event)."""

    case_id: str
    created: bool
    invitations: tuple[InvitationView, ...]
    updated: bool = False
    warnings: tuple[EventWarning, ...] = ()

    @property
    def duplicate(self) -> bool:
        return not (self.created or self.updated)

    def as_json(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "duplicate": self.duplicate,
            "updated": self.updated,
            "invitations": [i.as_json() for i in self.invitations],
            "warnings": [{"field": w.field, "problem": w.problem} for w in self.warnings],
        }


def history_of(contact: customers.Contact, *, address_taken: bool = False) -> CustomerHistory:
    return CustomerHistory(
        opted_out=contact.opted_out,
        channels=tuple(p.value for p in contact.linked),
        timezone=contact.timezone,
        last_invited=contact.last_invited,
        last_any=contact.last_any,
        address_taken=address_taken,
    )


def _offered(catalog: Catalog, keys: tuple[str, ...]) -> dict[str, Survey]:
    found = {}
    for key in keys:
        try:
            found[key] = catalog.get(key)
        except UnknownSurvey:
            continue
    return found


async def _invite(
    session: AsyncSession,
    decision: Decision,
    survey: Survey,
    *,
    customer_id: int,
    case_id: int | None,
    agent_id: int | None,
    now: datetime,
) -> Invitation:
    scheduled = decision.scheduled
    if scheduled:
        await pin_version(session, survey)
    row = Invitation(
        customer_id=customer_id,
        case_id=case_id,
        agent_id=agent_id,
        survey_key=decision.survey_key,
        survey_version=survey.version,
        channel=Platform(decision.channel) if decision.channel else None,
        status=InvitationStatus.PENDING if scheduled else InvitationStatus.SKIPPED,
        status_reason=decision.reason.value,
        created_at=now,
        due_at=decision.due_at or now,
    )
    return await invitations.add_invitation(session, row)


def _case_surveys(catalog: Catalog, event: CaseClosed, config: PolicyConfig) -> tuple[str, ...]:
    """The event's own ``surveys`` (each must be in the catalog), else ``CASE_SURVEYS``."""
    if event.surveys is None:
        return config.case_surveys
    unknown = [key for key in event.surveys if key not in catalog]
    if unknown:
        raise InvalidEvent(
            [
                (
                    "surveys",
                    f"{', '.join(map(repr, unknown))} is not a survey of the catalog "
                    f"(known: {', '.join(catalog.keys())})",
                )
            ]
        )
    return event.surveys


async def _unchanged(session: AsyncSession, case: SupportCase, event: CaseClosed) -> CaseOutcome:
    rows = await invitations.case_invitations(session, case.id or 0)
    return CaseOutcome(event.case_id, False, tuple(InvitationView.of(r) for r in rows))


async def _record_addresses(
    session: AsyncSession, customer: Customer, event: CaseClosed, now: datetime
) -> tuple[EventWarning, ...]:
    """Link the event's chat addresses; one that belongs to another customer is left alone."""
    person = event.customer
    warnings = []
    for platform, field_name, address in (
        (Platform.TELEGRAM, "customer.telegram_chat_id", person.telegram_chat_id),
        (Platform.SLACK, "customer.slack_user_id", person.slack_user_id),
    ):
        if address is None:
            continue
        try:
            await customers.record_identity(
                session, customer, platform, str(address), now=now, language=person.language
            )
        except customers.IdentityTaken:
            warnings.append(
                EventWarning(field_name, "belongs to another customer; not linked, survey skipped")
            )
    return tuple(warnings)


async def _agent_id(session: AsyncSession, event: CaseClosed, now: datetime) -> int | None:
    if event.agent is None:
        return None
    agent = await customers.upsert_agent(
        session,
        event.agent.id,
        now=now,
        name=event.agent.name,
        slack_user_id=event.agent.slack_user_id,
        team=event.agent.team,
    )
    return agent.id


def _case_fields(event: CaseClosed, customer_id: int, agent_id: int | None) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "agent_id": agent_id,
        "opened_at": event.opened_at,
        "closed_at": event.closed_at,
        "contacts": event.contacts,
        "resolved": event.resolved,
        "handle_seconds": event.handle_seconds,
        "channel": event.channel,
        "event_hash": event.fingerprint(),
    }


async def _decide(
    session: AsyncSession,
    customer: Customer,
    event: CaseClosed,
    open_to: tuple[str, ...],
    *,
    config: PolicyConfig,
    now: datetime,
    address_taken: bool,
) -> list[Decision]:
    contact = await customers.contact(session, customer)
    history = history_of(contact, address_taken=address_taken)
    return decide_for_case(config, history, closed_at=event.closed_at, now=now, surveys=open_to)


async def record_case(
    session: AsyncSession,
    event: CaseClosed,
    *,
    catalog: Catalog,
    config: PolicyConfig,
    now: datetime,
) -> CaseOutcome:
    """Record a closed case and invite its customer as the policy decides.

    Returns the case's invitations, scheduled (``pending``) and ``skipped`` with the reason.
    For a known case_id: the same event, or one with an earlier ``closed_at`` (a late
    re-delivery), changes nothing; any other event is the case reopened and resolved again, so
    the case takes the event's details and the policy decides on its surveys once more: a
    survey the case has no invitation to yet is invited to, one it skipped may now be
    scheduled, and one it already sent is never sent twice (one invitation per case and survey).
    A chat address that belongs to another customer is not linked; the case is recorded with
    its surveys skipped (``chat linked to another customer``) and a warning naming the field.
    Runs in the caller's transaction.
    """
    person = event.customer
    customer = await customers.upsert_customer(
        session,
        person.id,
        now=now,
        name=person.name,
        email=person.email,
        language=person.language,
        timezone=person.timezone,
    )
    known = await cases.find_case(session, event.case_id, for_update=True)
    if known is not None and _is_old_news(known, event):
        return await _unchanged(session, known, event)
    warnings = await _record_addresses(session, customer, event, now)
    agent_id = await _agent_id(session, event, now)
    fields = _case_fields(event, customer.id or 0, agent_id)
    if known is None:
        case = SupportCase(external_id=event.case_id, created_at=now, **fields)
        try:
            await cases.add_case(session, case)
        except AlreadyExists:
            # Another transaction recorded this case_id first (SQLite has no row lock to wait
            # on): its row stands, and this event is applied to it as a later one would be.
            known = await cases.find_case(session, event.case_id, for_update=True)
            assert known is not None
            if _is_old_news(known, event):
                return await _unchanged(session, known, event)
    if known is not None:
        case = await cases.update_case(session, known, **fields)
    offered = _offered(catalog, _case_surveys(catalog, event, config))
    existing = {} if known is None else await _by_survey(session, case)
    # One invitation per case and survey: a case resolved again is offered only the surveys
    # it has none of yet and those it skipped; one already sent is never sent again.
    open_to = tuple(
        key
        for key in offered
        if key not in existing or existing[key].status is InvitationStatus.SKIPPED
    )
    decisions = await _decide(
        session,
        customer,
        event,
        open_to,
        config=config,
        now=now,
        address_taken=bool(warnings),
    )
    rows = []
    for position, decision in enumerate(decisions):
        survey = offered[decision.survey_key]
        row = existing.get(decision.survey_key)
        if row is None and (decision.scheduled or (known is None and position == 0)):
            # Recorded: what is sent, and why the case's own survey is not. A relationship
            # survey that lost to csat is left to the campaign rather than stored as skipped.
            invitation = await _invite(
                session,
                decision,
                survey,
                customer_id=customer.id or 0,
                case_id=case.id,
                agent_id=agent_id,
                now=now,
            )
            rows.append(invitation)
        elif row is not None and decision.scheduled and row.status is InvitationStatus.SKIPPED:
            if await _schedule_skipped(session, row, decision, survey, agent_id):
                rows.append(row)
    log.info(
        "case updated" if known is not None else "case recorded",
        extra={
            "case_id": event.case_id,
            "scheduled": ",".join(
                r.survey_key for r in rows if r.status is InvitationStatus.PENDING
            )
            or "none",
        },
    )
    everything = await invitations.case_invitations(session, case.id or 0)
    return CaseOutcome(
        event.case_id,
        created=known is None,
        updated=known is not None,
        invitations=tuple(InvitationView.of(r) for r in everything),
        warnings=warnings,
    )


def _is_old_news(case: SupportCase, event: CaseClosed) -> bool:
    """The same event again, or one from before the state already recorded."""
    return case.event_hash == event.fingerprint() or event.closed_at < case.closed_at


async def _by_survey(session: AsyncSession, case: SupportCase) -> dict[str, Invitation]:
    rows = await invitations.case_invitations(session, case.id or 0)
    return {row.survey_key: row for row in rows}


async def _schedule_skipped(
    session: AsyncSession,
    row: Invitation,
    decision: Decision,
    survey: Survey,
    agent_id: int | None,
) -> bool:
    """A survey the case skipped before (no chat yet, throttled) that its re-resolution earns."""
    assert decision.due_at is not None and decision.channel is not None
    await pin_version(session, survey)
    return await invitations.schedule_skipped(
        session,
        row,
        due_at=decision.due_at,
        channel=Platform(decision.channel),
        reason=decision.reason.value,
        survey_version=survey.version,
        agent_id=agent_id,
    )


@dataclass
class CampaignBatch:
    """One batch of the campaign: who was invited, why others were passed over, where to go on."""

    invited: Counter[str] = field(default_factory=Counter)
    passed_over: Counter[str] = field(default_factory=Counter)
    last_customer_id: int | None = None


async def campaign_batch(
    session: AsyncSession,
    *,
    catalog: Catalog,
    config: PolicyConfig,
    now: datetime,
    after_id: int = 0,
    limit: int = 500,
) -> CampaignBatch:
    """Invite up to ``limit`` customers (ids after ``after_id``) to a due relationship survey.

    Safe to repeat: a customer just invited is throttled and no longer due. The invitation
    credits the agent of the customer's latest case. ``last_customer_id`` is None at the end.
    """
    batch = CampaignBatch()
    offered = _offered(catalog, config.campaign_surveys)
    candidates = await customers.campaign_candidates(
        session, invited_since=now - config.throttle, after_id=after_id, limit=limit
    )
    for customer in candidates:
        history = history_of(await customers.contact(session, customer))
        decision = decide_for_campaign(config, history, now=now, surveys=tuple(offered))
        if decision is None:
            continue
        if not decision.scheduled:
            batch.passed_over[decision.reason.value] += 1
            continue
        await _invite(
            session,
            decision,
            offered[decision.survey_key],
            customer_id=customer.id or 0,
            case_id=None,
            agent_id=await cases.latest_agent_id(session, customer.id or 0),
            now=now,
        )
        batch.invited[decision.survey_key] += 1
    batch.last_customer_id = candidates[-1].id if len(candidates) == limit else None
    return batch
