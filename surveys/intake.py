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

from sqlalchemy.ext.asyncio import AsyncSession

from feedbackbot.errors import AlreadyExists, FeedbackbotError
from storage import cases, customers, invitations
from storage.models import Invitation, InvitationStatus, Platform, SupportCase
from surveys.catalog import Catalog
from surveys.conversation import pin_version
from surveys.errors import UnknownSurvey
from surveys.events import CaseClosed
from surveys.policy import (
    CAMPAIGN_SURVEYS,
    CASE_SURVEYS,
    CustomerHistory,
    Decision,
    PolicyConfig,
    decide_for_campaign,
    decide_for_case,
)

log = logging.getLogger(__name__)


class CaseConflict(FeedbackbotError):
    """This case_id was already recorded with different details."""


class AddressConflict(FeedbackbotError):
    """A chat address in the event belongs to another customer."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


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
class CaseOutcome:
    case_id: str
    created: bool
    invitations: tuple[InvitationView, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "duplicate": not self.created,
            "invitations": [i.as_json() for i in self.invitations],
        }


def history_of(contact: customers.Contact) -> CustomerHistory:
    return CustomerHistory(
        opted_out=contact.opted_out,
        channels=tuple(p.value for p in contact.linked),
        timezone=contact.timezone,
        last_invited=contact.last_invited,
        last_any=contact.last_any,
    )


def _offered(catalog: Catalog, keys: tuple[str, ...]) -> dict[str, object]:
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
    survey: object,
    *,
    customer_id: int,
    case_id: int | None,
    agent_id: int | None,
    now: datetime,
) -> Invitation:
    scheduled = decision.scheduled
    if scheduled:
        await pin_version(session, survey)  # type: ignore[arg-type]
    row = Invitation(
        customer_id=customer_id,
        case_id=case_id,
        agent_id=agent_id,
        survey_key=decision.survey_key,
        survey_version=survey.version,  # type: ignore[attr-defined]
        channel=Platform(decision.channel) if decision.channel else None,
        status=InvitationStatus.PENDING if scheduled else InvitationStatus.SKIPPED,
        status_reason=decision.reason.value,
        created_at=now,
        due_at=decision.due_at or now,
    )
    return await invitations.add_invitation(session, row)


async def _existing(session: AsyncSession, case: SupportCase, event: CaseClosed) -> CaseOutcome:
    if case.event_hash != event.fingerprint():
        raise CaseConflict(
            f"case {event.case_id} was already recorded with different details; "
            "a case is recorded once, so send a new case_id for a new case"
        )
    rows = await invitations.case_invitations(session, case.id or 0)
    return CaseOutcome(event.case_id, False, tuple(InvitationView.of(r) for r in rows))


async def record_case(
    session: AsyncSession,
    event: CaseClosed,
    *,
    catalog: Catalog,
    config: PolicyConfig,
    now: datetime,
) -> CaseOutcome:
    """Record a closed case and invite its customer as the policy decides.

    Returns the case's invitations, scheduled (``pending``) and ``skipped`` with the reason. The
    same event again returns what the first one recorded and changes nothing. Raises
    ``CaseConflict`` for a known case_id with a different body, ``AddressConflict`` for a chat
    address that belongs to another customer. Runs in the caller's transaction.
    """
    person = event.customer
    customer = await customers.upsert_customer(
        session,
        person.id,
        now=now,
        name=person.name,
        email=person.email,
        phone=person.phone,
        language=person.language,
        timezone=person.timezone,
    )
    known = await cases.find_case(session, event.case_id)
    if known is not None:
        return await _existing(session, known, event)
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
        except customers.IdentityTaken as error:
            raise AddressConflict(field_name, str(error)) from None
    agent_id = None
    if event.agent is not None:
        agent = await customers.upsert_agent(
            session,
            event.agent.id,
            now=now,
            name=event.agent.name,
            email=event.agent.email,
            slack_user_id=event.agent.slack_user_id,
            team=event.agent.team,
        )
        agent_id = agent.id
    case = SupportCase(
        external_id=event.case_id,
        customer_id=customer.id or 0,
        agent_id=agent_id,
        opened_at=event.opened_at,
        closed_at=event.closed_at,
        contacts=event.contacts,
        resolved=event.resolved,
        handle_seconds=event.handle_seconds,
        channel=event.channel,
        event_hash=event.fingerprint(),
        created_at=now,
    )
    try:
        await cases.add_case(session, case)
    except AlreadyExists:
        known = await cases.find_case(session, event.case_id)
        assert known is not None
        return await _existing(session, known, event)
    history = history_of(await customers.contact(session, customer))
    offered = _offered(catalog, CASE_SURVEYS)
    decisions = [
        decision
        for position, decision in enumerate(
            decide_for_case(
                config, history, closed_at=event.closed_at, now=now, surveys=tuple(offered)
            )
        )
        # Recorded: what is sent, and why the case's own survey is not. A relationship survey
        # that lost to csat is left to the campaign rather than stored as skipped on every case.
        if decision.scheduled or position == 0
    ]
    rows = [
        await _invite(
            session,
            decision,
            offered[decision.survey_key],
            customer_id=customer.id or 0,
            case_id=case.id,
            agent_id=agent_id,
            now=now,
        )
        for decision in decisions
    ]
    log.info(
        "case recorded",
        extra={
            "case_id": event.case_id,
            "scheduled": ",".join(
                r.survey_key for r in rows if r.status is InvitationStatus.PENDING
            )
            or "none",
        },
    )
    return CaseOutcome(event.case_id, True, tuple(InvitationView.of(r) for r in rows))


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
    offered = _offered(catalog, CAMPAIGN_SURVEYS)
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
