"""Low-score alerts (the ``follow_up`` table): which to send, what they say, who closed the loop.

The survey engine inserts a row when a low score is recorded; the Slack side sends the alert
(``alerted_at``/``alert_ref``) and records the agent's "Follow up" press. Rows are an outbox: a
worker claims one by bumping ``attempts`` with a conditional update, so two workers sweeping at
the same moment never both send it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.answers import GivenAnswer
from storage.models import Agent, Answer, Customer, FollowUp, Invitation, SupportCase
from storage.results import affected_rows


@dataclass(frozen=True)
class AlertDetails:
    """Everything an alert message shows: the follow-up, its agent, customer, case and answers."""

    follow_up: FollowUp
    agent_slack_user_id: str | None
    agent_name: str | None
    customer_external_id: str
    customer_name: str | None
    case_external_id: str | None
    survey_key: str
    answers: tuple[GivenAnswer, ...]
    customer_erased: bool = False


@dataclass(frozen=True)
class OpenAlert:
    """An alert the agent was sent and nobody has followed up yet."""

    follow_up_id: int
    created_at: datetime
    customer_external_id: str
    customer_name: str | None
    case_external_id: str | None
    survey_key: str
    reason: str


async def pending_alerts(
    session: AsyncSession,
    *,
    max_attempts: int,
    created_before: datetime | None = None,
    invitation_id: int | None = None,
    limit: int = 100,
) -> list[FollowUp]:
    """Follow-ups not yet alerted, whose agent can be reached on Slack, oldest first.

    ``created_before`` lets a periodic sweep leave fresh rows to the worker that made them.
    """
    query = (
        select(FollowUp)
        .join(Agent, col(Agent.id) == col(FollowUp.agent_id))
        .where(
            col(FollowUp.alerted_at).is_(None),
            col(FollowUp.attempts) < max_attempts,
            col(Agent.slack_user_id).is_not(None),
        )
        .order_by(col(FollowUp.created_at), col(FollowUp.id))
        .limit(limit)
    )
    if created_before is not None:
        query = query.where(col(FollowUp.created_at) < created_before)
    if invitation_id is not None:
        query = query.where(col(FollowUp.invitation_id) == invitation_id)
    return list((await session.scalars(query)).all())


async def claim_alert(session: AsyncSession, follow_up: FollowUp) -> bool:
    """Count one attempt at sending ``follow_up``'s alert; False if another worker got there first.

    The update only matches while ``attempts`` is still what ``follow_up`` was read with.
    """
    result = await session.execute(
        update(FollowUp)
        .where(
            col(FollowUp.id) == follow_up.id,
            col(FollowUp.attempts) == follow_up.attempts,
            col(FollowUp.alerted_at).is_(None),
        )
        .values(attempts=col(FollowUp.attempts) + 1)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result) == 1


async def alert_details(session: AsyncSession, follow_up_id: int) -> AlertDetails | None:
    """The follow-up with its agent, customer, case and every answer of its invitation."""
    row = (
        await session.execute(
            select(FollowUp, Agent, Customer, SupportCase, Invitation)
            .join(Invitation, col(Invitation.id) == col(FollowUp.invitation_id))
            .join(Customer, col(Customer.id) == col(Invitation.customer_id))
            .outerjoin(Agent, col(Agent.id) == col(FollowUp.agent_id))
            .outerjoin(SupportCase, col(SupportCase.id) == col(Invitation.case_id))
            .where(col(FollowUp.id) == follow_up_id)
        )
    ).one_or_none()
    if row is None:
        return None
    follow_up, agent, customer, case, invitation = row
    answers = await session.scalars(
        select(Answer).where(col(Answer.invitation_id) == invitation.id).order_by(col(Answer.id))
    )
    return AlertDetails(
        follow_up=follow_up,
        agent_slack_user_id=agent.slack_user_id if agent else None,
        agent_name=agent.name if agent else None,
        customer_external_id=customer.external_id,
        customer_name=customer.name,
        case_external_id=case.external_id if case else None,
        survey_key=invitation.survey_key,
        answers=tuple(
            GivenAnswer(a.question_key, a.value, a.choice, a.text, a.skipped) for a in answers
        ),
        customer_erased=customer.erased_at is not None,
    )


async def outdated_alerts(session: AsyncSession, limit: int = 100) -> list[FollowUp]:
    """Posted alerts whose message no longer matches what is stored (``alert_outdated_at``),
    oldest mark first."""
    rows = await session.scalars(
        select(FollowUp)
        .where(col(FollowUp.alert_outdated_at).is_not(None), col(FollowUp.alert_ref).is_not(None))
        .order_by(col(FollowUp.alert_outdated_at), col(FollowUp.id))
        .limit(limit)
    )
    return list(rows)


async def mark_alert_current(session: AsyncSession, follow_up: FollowUp) -> bool:
    """The alert message was edited to match: clear the mark, unless a newer one was set since
    ``follow_up`` was read. True if cleared."""
    result = await session.execute(
        update(FollowUp)
        .where(
            col(FollowUp.id) == follow_up.id,
            col(FollowUp.alert_outdated_at) == follow_up.alert_outdated_at,
        )
        .values(alert_outdated_at=None)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result) == 1


async def alert_for_invitation(session: AsyncSession, invitation_id: int) -> FollowUp | None:
    return await session.scalar(
        select(FollowUp).where(col(FollowUp.invitation_id) == invitation_id)
    )


async def mark_alerted(session: AsyncSession, follow_up_id: int, *, at: datetime, ref: str) -> None:
    """Record that the alert went out as message ``ref`` (``channel:ts``)."""
    await session.execute(
        update(FollowUp)
        .where(col(FollowUp.id) == follow_up_id)
        .values(alerted_at=at, alert_ref=ref, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def record_alert_failure(session: AsyncSession, follow_up_id: int, error: str) -> None:
    await session.execute(
        update(FollowUp)
        .where(col(FollowUp.id) == follow_up_id)
        .values(last_error=error[:500])
        .execution_options(synchronize_session=False)
    )


async def record_follow_up(
    session: AsyncSession, follow_up_id: int, *, by: str, at: datetime
) -> FollowUp | None:
    """Record that ``by`` (a Slack user id) followed up; the first press wins, later ones change
    nothing. Returns the row as stored (with whoever was first), or None for an unknown id."""
    await session.execute(
        update(FollowUp)
        .where(col(FollowUp.id) == follow_up_id, col(FollowUp.followed_up_at).is_(None))
        .values(followed_up_by=by, followed_up_at=at)
        .execution_options(synchronize_session=False)
    )
    return await session.scalar(
        select(FollowUp)
        .where(col(FollowUp.id) == follow_up_id)
        .execution_options(populate_existing=True)
    )


async def open_alerts(session: AsyncSession, agent_id: int, limit: int = 10) -> list[OpenAlert]:
    """The agent's alerts that were sent and not yet followed up, newest first."""
    rows = await session.execute(
        select(
            col(FollowUp.id),
            col(FollowUp.created_at),
            col(Customer.external_id),
            col(Customer.name),
            col(SupportCase.external_id),
            col(Invitation.survey_key),
            col(FollowUp.reason),
        )
        .join(Invitation, col(Invitation.id) == col(FollowUp.invitation_id))
        .join(Customer, col(Customer.id) == col(Invitation.customer_id))
        .outerjoin(SupportCase, col(SupportCase.id) == col(Invitation.case_id))
        .where(
            col(FollowUp.agent_id) == agent_id,
            col(FollowUp.alerted_at).is_not(None),
            col(FollowUp.followed_up_at).is_(None),
        )
        .order_by(col(FollowUp.created_at).desc(), col(FollowUp.id).desc())
        .limit(limit)
    )
    return [
        OpenAlert(follow_up_id, created_at, customer_id, name, case_id, survey_key, reason)
        for follow_up_id, created_at, customer_id, name, case_id, survey_key, reason in rows
    ]


async def count_follow_ups(session: AsyncSession) -> int:
    """How many low-score alerts were raised, sent or not."""
    return await session.scalar(select(func.count()).select_from(FollowUp)) or 0


@dataclass(frozen=True)
class FollowUpEntry:
    """A low score's alert for the dashboard: whose, how low, and who closed the loop when."""

    follow_up_id: int
    created_at: datetime
    agent_external_id: str | None
    agent_name: str | None
    customer_external_id: str
    customer_name: str | None
    case_external_id: str | None
    survey_key: str
    score: int | None
    reason: str
    alerted_at: datetime | None
    followed_up_by: str | None
    followed_up_by_name: str | None
    followed_up_at: datetime | None


async def list_follow_ups(
    session: AsyncSession,
    *,
    since: datetime | None,
    until: datetime,
    agent: str | None = None,
    closed: bool | None = None,
    limit: int = 500,
) -> list[FollowUpEntry]:
    """Low-score follow-ups raised in ``[since, until)``, oldest open first then newest closed.

    ``agent`` is an external id; ``closed`` True keeps those someone followed up, False the
    open ones. Who followed up is a Slack user id, named by the agent with that Slack id.
    """
    closer = aliased(Agent)
    closer_name = (
        select(func.coalesce(col(closer.name), col(closer.external_id)))
        .where(col(closer.slack_user_id) == col(FollowUp.followed_up_by))
        .order_by(col(closer.id))
        .limit(1)
        .scalar_subquery()
    )
    score = aliased(Answer)
    query = (
        select(
            col(FollowUp.id),
            col(FollowUp.created_at),
            col(Agent.external_id),
            col(Agent.name),
            col(Customer.external_id),
            col(Customer.name),
            col(SupportCase.external_id),
            col(Invitation.survey_key),
            col(score.value),
            col(FollowUp.reason),
            col(FollowUp.alerted_at),
            col(FollowUp.followed_up_by),
            closer_name,
            col(FollowUp.followed_up_at),
        )
        .join(Invitation, col(Invitation.id) == col(FollowUp.invitation_id))
        .join(Customer, col(Customer.id) == col(Invitation.customer_id))
        .outerjoin(Agent, col(Agent.id) == col(FollowUp.agent_id))
        .outerjoin(SupportCase, col(SupportCase.id) == col(Invitation.case_id))
        .outerjoin(
            score,
            (col(score.invitation_id) == col(Invitation.id))
            & (col(score.question_key) == col(Invitation.survey_key)),
        )
        .where(col(FollowUp.created_at) < until)
        .order_by(
            col(FollowUp.followed_up_at).is_not(None),
            case((col(FollowUp.followed_up_at).is_(None), col(FollowUp.created_at))),
            col(FollowUp.followed_up_at).desc(),
            col(FollowUp.id),
        )
        .limit(limit)
    )
    if since is not None:
        query = query.where(col(FollowUp.created_at) >= since)
    if agent is not None:
        query = query.where(col(Agent.external_id) == agent)
    if closed is not None:
        query = query.where(
            col(FollowUp.followed_up_at).is_not(None)
            if closed
            else col(FollowUp.followed_up_at).is_(None)
        )
    return [FollowUpEntry(*tuple(row)) for row in await session.execute(query)]
