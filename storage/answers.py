"""Answers to survey questions, and what the conversation engine reads and changes with them.

One answer per invitation and question (a unique constraint); inserting goes through
``ON CONFLICT DO NOTHING`` so a double tap handled by two workers at once stores one row and
raises nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Answer, Customer, FollowUp, Identity, Invitation, InvitationStatus
from storage.results import affected_rows
from storage.upsert import insert_ignoring_duplicates

ANSWERABLE = (InvitationStatus.PENDING, InvitationStatus.SENDING, InvitationStatus.SENT)
"""Statuses that take answers and can become ``answered``: a reminder being sent, or a send
still being recorded, must not lose an answer the customer already gave."""


@dataclass(frozen=True)
class Respondent:
    """An invitation with the languages its customer is known to speak."""

    invitation: Invitation
    identity_language: str | None
    customer_language: str | None
    has_follow_up: bool = False
    """A low-score follow-up (alert) exists for the invitation."""


async def respondent(
    session: AsyncSession, invitation_id: int, *, lock: bool = False
) -> Respondent | None:
    """The invitation with its channel identity's and customer's languages, or None.

    ``lock`` takes the invitation's row lock (PostgreSQL), so answers to one invitation are
    recorded one at a time; SQLite's single writer gives the same.
    """
    query = (
        select(Invitation, col(Identity.language), col(Customer.language), col(FollowUp.id))
        .join(Customer, col(Customer.id) == col(Invitation.customer_id))
        .outerjoin(
            Identity,
            (col(Identity.customer_id) == col(Invitation.customer_id))
            & (col(Identity.platform) == col(Invitation.channel)),
        )
        .outerjoin(FollowUp, col(FollowUp.invitation_id) == col(Invitation.id))
        .where(col(Invitation.id) == invitation_id)
    )
    if lock:
        query = query.with_for_update(of=Invitation)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    invitation, identity_language, customer_language, follow_up_id = row
    return Respondent(invitation, identity_language, customer_language, follow_up_id is not None)


async def answers_for(session: AsyncSession, invitation_id: int) -> list[Answer]:
    """Every answer of the invitation, in the order given."""
    rows = await session.scalars(
        select(Answer).where(col(Answer.invitation_id) == invitation_id).order_by(col(Answer.id))
    )
    return list(rows)


async def answer_to(session: AsyncSession, invitation_id: int, question_key: str) -> Answer | None:
    return await session.scalar(
        select(Answer)
        .where(col(Answer.invitation_id) == invitation_id, col(Answer.question_key) == question_key)
        .execution_options(populate_existing=True)
    )


async def record_answer(
    session: AsyncSession,
    invitation: Invitation,
    question_key: str,
    *,
    value: int | None,
    choice: str | None,
    text: str | None,
    skipped: bool,
    answered_at: datetime,
) -> bool:
    """Store an answer, copying customer, agent and survey from the invitation.

    Returns False, changing nothing, when the question already has an answer.
    """
    return await insert_ignoring_duplicates(
        session,
        Answer,
        {
            "invitation_id": invitation.id,
            "customer_id": invitation.customer_id,
            "agent_id": invitation.agent_id,
            "survey_key": invitation.survey_key,
            "question_key": question_key,
            "value": value,
            "choice": choice,
            "text": text,
            "skipped": skipped,
            "answered_at": answered_at,
        },
        ["invitation_id", "question_key"],
    )


async def mark_answered(session: AsyncSession, invitation_id: int, answered_at: datetime) -> bool:
    """Set the invitation ``answered`` if it is still open; True if this call changed it."""
    result = await session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation_id, col(Invitation.status).in_(ANSWERABLE))
        .values(status=InvitationStatus.ANSWERED, answered_at=answered_at)
        .execution_options(synchronize_session=False)
    )
    return bool(affected_rows(result))


async def add_follow_up(
    session: AsyncSession, invitation: Invitation, reason: str, created_at: datetime
) -> bool:
    """Queue the low-score alert for the invitation's agent, once per invitation.

    Returns False when the invitation already has one.
    """
    return await insert_ignoring_duplicates(
        session,
        FollowUp,
        {
            "invitation_id": invitation.id,
            "agent_id": invitation.agent_id,
            "reason": reason,
            "created_at": created_at,
        },
        ["invitation_id"],
    )
