"""Bulk import and streaming export of answers (``feedbackbot import/export answers``).

Imported answers are answers, not cases (issue 13): they never create or change the cases that
operational FCR, AHT and deflection count. An answer for a case this database knows joins that
case's invitation to the survey (made if missing) and marks it answered. Any other answer hangs
on an invitation without a case that keeps the file's ``case_id`` and ``response`` (which
answers were given together), so an export imports again into an empty database with every
answer-based figure equal. An answer already stored for the same invitation and question is
left alone, so importing the same file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import (
    Agent,
    Answer,
    Customer,
    Invitation,
    InvitationStatus,
    SupportCase,
    table_of,
)

IMPORTED_VERSION = "imported"
EXPORT_BATCH = 2000


@dataclass(frozen=True)
class AnswerRecord:
    """One imported answer, already validated; ids are external ids."""

    customer: str
    agent: str | None
    case: str | None
    survey: str
    question: str
    value: int | None
    choice: str | None
    text: str | None
    answered_at: datetime
    survey_version: str | None = None
    channel: str | None = None
    team: str | None = None
    response: str | None = None

    @property
    def skipped(self) -> bool:
        return self.value is None and self.choice is None and self.text is None

    @property
    def response_ref(self) -> str | None:
        """Which answers belong together: the file's ``response``; for an answer with neither a
        response nor a case, each answer time is a response of its own."""
        if self.response is not None or self.case is not None:
            return self.response
        return f"at:{self.answered_at.isoformat()}"


IMPORTED = "imported"
PRESENT = "present"


async def _ids(session: AsyncSession, model: Any, external_ids: set[str]) -> dict[str, Any]:
    if not external_ids:
        return {}
    rows = await session.execute(sa.select(model).where(model.external_id.in_(external_ids)))
    return {row.external_id: row for row in rows.scalars()}


async def _customers(session: AsyncSession, records: Sequence[AnswerRecord]) -> dict[str, int]:
    wanted = {r.customer for r in records}
    found = await _ids(session, Customer, wanted)
    created = [Customer(external_id=name) for name in sorted(wanted - set(found))]
    session.add_all(created)
    await session.flush()
    return {c.external_id: c.id for c in (*found.values(), *created)}


async def _agents(session: AsyncSession, records: Sequence[AnswerRecord]) -> dict[str, int]:
    teams = {r.agent: r.team for r in records if r.agent}
    found = await _ids(session, Agent, set(teams))
    missing = sorted(set(teams) - set(found))
    created = [Agent(external_id=name, team=teams[name]) for name in missing]
    session.add_all(created)
    await session.flush()
    return {a.external_id: a.id for a in (*found.values(), *created)}


ImportKey = tuple[int, str, str | None, str | None]
"""An imported invitation without a case: customer id, survey, file case_id, response."""


async def _imported_invitations(
    session: AsyncSession, wanted: set[ImportKey]
) -> dict[ImportKey, Invitation]:
    """The invitations earlier imports (or, for a numeric response, this database) made."""
    if not wanted:
        return {}
    customer_ids = {key[0] for key in wanted}
    numeric = {int(key[3]) for key in wanted if key[3] and key[3].isdigit() and len(key[3]) < 18}
    found = await session.scalars(
        sa.select(Invitation).where(
            col(Invitation.customer_id).in_(customer_ids),
            col(Invitation.case_id).is_(None),
            sa.or_(
                col(Invitation.import_case).is_not(None),
                col(Invitation.import_ref).is_not(None),
                col(Invitation.id).in_(numeric),
            ),
        )
    )
    by_key: dict[ImportKey, Invitation] = {}
    for row in found:
        if row.import_case is None and row.import_ref is None:
            # A survey answered here and exported: its response is its id.
            key: ImportKey = (row.customer_id, row.survey_key, None, str(row.id))
        else:
            key = (row.customer_id, row.survey_key, row.import_case, row.import_ref)
        if key in wanted:
            by_key[key] = row
    return by_key


def _answered(invitation: Invitation, at: datetime) -> None:
    """A known case's invitation answered by an import: it reached the customer by then."""
    if invitation.status is not InvitationStatus.ANSWERED:
        invitation.status = InvitationStatus.ANSWERED
        invitation.claimed_by = None
        invitation.claim_expires_at = None
    invitation.answered_at = min(invitation.answered_at or at, at)
    invitation.sent_at = min(invitation.sent_at or at, at)


async def import_answers(session: AsyncSession, records: Sequence[AnswerRecord]) -> list[str]:
    """Store ``records``; returns, for each, ``IMPORTED``, ``PRESENT`` or why it was refused.

    A record for a known case is refused when that case has another customer, or another agent
    than the record names. Creates customers and agents, never cases. Flushes, never commits:
    the caller's transaction decides.
    """
    customers = await _customers(session, records)
    agents = await _agents(session, records)
    cases = await _ids(session, SupportCase, {r.case for r in records if r.case})
    outcomes: list[str] = []
    targets: list[tuple[int, str] | ImportKey | None] = []
    for record in records:
        customer_id = customers[record.customer]
        agent_id = agents.get(record.agent) if record.agent else None
        case = cases.get(record.case) if record.case else None
        target: tuple[int, str] | ImportKey | None = None
        if case is None:
            target = (customer_id, record.survey, record.case, record.response_ref)
            outcomes.append(IMPORTED)
        elif case.customer_id != customer_id:
            outcomes.append(f"case {record.case} belongs to another customer")
        elif record.agent and case.agent_id != agent_id:
            outcomes.append(f"case {record.case} is handled by another agent")
        else:
            target = (case.id, record.survey)
            outcomes.append(IMPORTED)
        targets.append(target)

    case_ids = {t[0] for t in targets if t is not None and len(t) == 2}
    invitations: dict[Any, Invitation] = {}
    if case_ids:
        found = await session.scalars(
            sa.select(Invitation).where(col(Invitation.case_id).in_(case_ids))
        )
        invitations = {(i.case_id, i.survey_key): i for i in found}
    imported = {t for t in targets if t is not None and len(t) == 4}
    invitations.update(await _imported_invitations(session, imported))
    for record, target in zip(records, targets, strict=True):
        if target is None:
            continue
        invitation = invitations.get(target)
        if invitation is None:
            invitation = _new_invitation(record, target, cases, customers, agents)
            session.add(invitation)
            invitations[target] = invitation
        elif len(target) == 2:
            _answered(invitation, record.answered_at)
    await session.flush()

    used = {id(i): i for i in invitations.values()}
    existing: set[tuple[int, str]] = set()
    if used:
        found_answers = await session.execute(
            sa.select(col(Answer.invitation_id), col(Answer.question_key)).where(
                col(Answer.invitation_id).in_([i.id for i in used.values()])
            )
        )
        existing = {(row.invitation_id, row.question_key) for row in found_answers}
    for index, (record, target) in enumerate(zip(records, targets, strict=True)):
        if target is None:
            continue
        invitation = invitations[target]
        assert invitation.id is not None
        key = (invitation.id, record.question)
        if key in existing:
            outcomes[index] = PRESENT
            continue
        existing.add(key)
        session.add(
            Answer(
                invitation_id=invitation.id,
                customer_id=invitation.customer_id,
                agent_id=invitation.agent_id,
                survey_key=invitation.survey_key,
                question_key=record.question,
                value=record.value,
                choice=record.choice,
                text=record.text,
                skipped=record.skipped,
                answered_at=record.answered_at,
            )
        )
    await session.flush()
    return outcomes


def _new_invitation(
    record: AnswerRecord,
    target: tuple[int, str] | ImportKey,
    cases: dict[str, SupportCase],
    customers: dict[str, int],
    agents: dict[str, int],
) -> Invitation:
    """An answered invitation for an imported answer: on its known case, or on none."""
    case = cases.get(record.case) if record.case and len(target) == 2 else None
    at = record.answered_at
    return Invitation(
        customer_id=case.customer_id if case else customers[record.customer],
        case_id=case.id if case else None,
        agent_id=case.agent_id if case else (agents.get(record.agent) if record.agent else None),
        survey_key=record.survey,
        survey_version=record.survey_version or IMPORTED_VERSION,
        status=InvitationStatus.ANSWERED,
        status_reason="imported",
        created_at=at,
        due_at=at,
        sent_at=at,
        answered_at=at,
        import_case=None if case else record.case,
        import_ref=None if case else record.response_ref,
    )


EXPORT_COLUMNS = (
    "customer_id",
    "agent_id",
    "case_id",
    "survey",
    "question",
    "value",
    "text",
    "answered_at",
    "survey_version",
    "channel",
    "team",
    "response",
)


def _export_query(since: datetime | None, until: datetime | None) -> sa.Select[Any]:
    answer, invitation = table_of(Answer).c, table_of(Invitation).c
    customer, agent, case = table_of(Customer), table_of(Agent), table_of(SupportCase)
    query = (
        sa.select(
            answer.id,
            customer.c.external_id.label("customer_id"),
            agent.c.external_id.label("agent_id"),
            sa.func.coalesce(case.c.external_id, invitation.import_case).label("case_id"),
            answer.survey_key.label("survey"),
            answer.question_key.label("question"),
            answer.value,
            answer.choice,
            answer.text,
            answer.answered_at,
            invitation.survey_version,
            case.c.channel,
            agent.c.team,
            sa.case(
                (
                    invitation.import_case.is_not(None) | invitation.import_ref.is_not(None),
                    invitation.import_ref,
                ),
                else_=sa.cast(invitation.id, sa.String),
            ).label("response"),
        )
        .select_from(table_of(Answer))
        .join(customer, customer.c.id == answer.customer_id)
        .join(table_of(Invitation), invitation.id == answer.invitation_id)
        .outerjoin(agent, agent.c.id == answer.agent_id)
        .outerjoin(case, case.c.id == invitation.case_id)
        .order_by(answer.id)
    )
    if since is not None:
        query = query.where(answer.answered_at >= since)
    if until is not None:
        query = query.where(answer.answered_at < until)
    return query


async def count_answers(
    session: AsyncSession, since: datetime | None = None, until: datetime | None = None
) -> int:
    """How many answers ``stream_answers`` will yield (for a progress bar)."""
    query = _export_query(since, until).with_only_columns(sa.func.count()).order_by(None)
    return int((await session.execute(query)).scalar_one())


async def stream_answers(
    session: AsyncSession, since: datetime | None = None, until: datetime | None = None
) -> AsyncIterator[sa.RowMapping]:
    """Every answer (oldest first) with its customer, agent, case, survey version, channel, team.

    Streams with a server-side cursor in batches of ``EXPORT_BATCH`` rows, so memory stays flat
    however many answers there are. ``channel`` is the case's helpdesk channel; ``response``
    names the invitation the answer belongs to (what an import groups answers by).
    """
    query = _export_query(since, until).execution_options(yield_per=EXPORT_BATCH)
    result = await session.stream(query)
    async for row in result.mappings():
        yield row


async def set_languages(session: AsyncSession, languages: dict[str, str]) -> None:
    """Record the language of imported customers (external id -> code); flushes, never commits."""
    table = Customer.metadata.tables["customer"]
    for code in sorted(set(languages.values())):
        names = [name for name, language in languages.items() if language == code]
        await session.execute(
            sa.update(table).where(table.c.external_id.in_(names)).values(language=code)
        )
