"""Bulk import and streaming export of answers (``feedbackbot import/export answers``).

Imported answers hang on invitations like live ones do (one per case and survey), created as
``answered`` with the given survey version or "imported"; customers, agents and cases that do
not exist yet are created. An answer already stored for the same case, survey and question is
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
    case: str
    survey: str
    question: str
    value: int | None
    choice: str | None
    text: str | None
    answered_at: datetime
    survey_version: str | None = None
    channel: str | None = None
    team: str | None = None

    @property
    def skipped(self) -> bool:
        return self.value is None and self.choice is None and self.text is None


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


async def import_answers(session: AsyncSession, records: Sequence[AnswerRecord]) -> list[str]:
    """Store ``records``; returns, for each, ``IMPORTED``, ``PRESENT`` or why it was refused.

    A record is refused when its case exists with another customer or agent. Flushes, never
    commits: the caller's transaction decides.
    """
    customers = await _customers(session, records)
    agents = await _agents(session, records)
    cases = await _ids(session, SupportCase, {r.case for r in records})
    outcomes: list[str] = []
    accepted: list[tuple[int, AnswerRecord, SupportCase]] = []
    for index, record in enumerate(records):
        customer_id = customers[record.customer]
        agent_id = agents.get(record.agent) if record.agent else None
        case = cases.get(record.case)
        if case is None:
            case = SupportCase(
                external_id=record.case,
                customer_id=customer_id,
                agent_id=agent_id,
                closed_at=record.answered_at,
                channel=record.channel,
            )
            session.add(case)
            cases[record.case] = case
        elif case.customer_id != customer_id:
            outcomes.append(f"case {record.case} belongs to another customer")
            continue
        elif case.agent_id != agent_id:
            outcomes.append(f"case {record.case} is handled by another agent")
            continue
        outcomes.append(IMPORTED)
        accepted.append((index, record, case))
    await session.flush()

    case_ids = {case.id for _, _, case in accepted}
    invitations: dict[tuple[int | None, str], Invitation] = {}
    if case_ids:
        found = await session.execute(
            sa.select(Invitation).where(col(Invitation.case_id).in_(case_ids))
        )
        invitations = {(i.case_id, i.survey_key): i for i in found.scalars()}
    for _, record, case in accepted:
        if (case.id, record.survey) not in invitations:
            invitation = Invitation(
                customer_id=case.customer_id,
                case_id=case.id,
                agent_id=case.agent_id,
                survey_key=record.survey,
                survey_version=record.survey_version or IMPORTED_VERSION,
                status=InvitationStatus.ANSWERED,
                status_reason="imported",
                due_at=record.answered_at,
                sent_at=record.answered_at,
                answered_at=record.answered_at,
            )
            session.add(invitation)
            invitations[(case.id, record.survey)] = invitation
    await session.flush()

    invitation_ids = {i.id for i in invitations.values()}
    existing: set[tuple[int, str]] = set()
    if invitation_ids:
        found_answers = await session.execute(
            sa.select(col(Answer.invitation_id), col(Answer.question_key)).where(
                col(Answer.invitation_id).in_(invitation_ids)
            )
        )
        existing = {(row.invitation_id, row.question_key) for row in found_answers}
    for index, record, case in accepted:
        invitation = invitations[(case.id, record.survey)]
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
)


def _export_query(since: datetime | None, until: datetime | None) -> sa.Select[Any]:
    answer, invitation = table_of(Answer).c, table_of(Invitation).c
    customer, agent, case = table_of(Customer), table_of(Agent), table_of(SupportCase)
    query = (
        sa.select(
            answer.id,
            customer.c.external_id.label("customer_id"),
            agent.c.external_id.label("agent_id"),
            case.c.external_id.label("case_id"),
            answer.survey_key.label("survey"),
            answer.question_key.label("question"),
            answer.value,
            answer.choice,
            answer.text,
            answer.answered_at,
            invitation.survey_version,
            case.c.channel,
            agent.c.team,
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
    however many answers there are. ``channel`` is the case's helpdesk channel.
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
