"""Free-text answers (comments) for an agent's digest, App Home and the dashboard's search."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.models import Agent, Answer, Customer


@dataclass(frozen=True)
class Comment:
    answered_at: datetime
    agent_id: int | None
    customer_external_id: str
    customer_name: str | None
    survey_key: str
    text: str


async def recent_comments(
    session: AsyncSession,
    *,
    since: datetime,
    until: datetime,
    agent_ids: Collection[int] | None = None,
    limit: int = 5,
) -> list[Comment]:
    """Non-empty comments answered in ``[since, until)``, newest first, at most ``limit``."""
    query = (
        select(
            col(Answer.answered_at),
            col(Answer.agent_id),
            col(Customer.external_id),
            col(Customer.name),
            col(Answer.survey_key),
            col(Answer.text),
        )
        .join(Customer, col(Customer.id) == col(Answer.customer_id))
        .where(
            col(Answer.text).is_not(None),
            col(Answer.text) != "",
            col(Answer.answered_at) >= since,
            col(Answer.answered_at) < until,
        )
        .order_by(col(Answer.answered_at).desc(), col(Answer.id).desc())
        .limit(limit)
    )
    if agent_ids is not None:
        query = query.where(col(Answer.agent_id).in_(list(agent_ids)))
    return [
        Comment(at, agent_id, customer_id, name, survey_key, text or "")
        for at, agent_id, customer_id, name, survey_key, text in await session.execute(query)
    ]


@dataclass(frozen=True)
class FoundComment:
    """A comment with whom it was about and the score its survey's main question got."""

    answered_at: datetime
    agent_external_id: str | None
    agent_name: str | None
    customer_external_id: str
    customer_name: str | None
    survey_key: str
    score: int | None
    text: str | None


async def search_comments(
    session: AsyncSession,
    *,
    since: datetime | None,
    until: datetime,
    contains: str | None = None,
    agent: str | None = None,
    survey: str | None = None,
    score_min: int | None = None,
    score_max: int | None = None,
    limit: int = 200,
) -> list[FoundComment]:
    """Comments answered in ``[since, until)``, newest first, at most ``limit``.

    ``contains`` matches the text case-insensitively (``%`` and ``_`` are literal); ``agent`` is
    an agent's external id; the score is the answer to the question named like the survey
    (``csat``, ``nps``, ``ces``) on the same invitation, and a score filter drops comments
    without one.
    """
    score = aliased(Answer)
    query = (
        select(
            col(Answer.answered_at),
            col(Agent.external_id),
            col(Agent.name),
            col(Customer.external_id),
            col(Customer.name),
            col(Answer.survey_key),
            col(score.value),
            col(Answer.text),
        )
        .join(Customer, col(Customer.id) == col(Answer.customer_id))
        .outerjoin(Agent, col(Agent.id) == col(Answer.agent_id))
        .outerjoin(
            score,
            and_(
                col(score.invitation_id) == col(Answer.invitation_id),
                col(score.question_key) == col(Answer.survey_key),
            ),
        )
        .where(
            col(Answer.text).is_not(None), col(Answer.text) != "", col(Answer.answered_at) < until
        )
        .order_by(col(Answer.answered_at).desc(), col(Answer.id).desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(col(Answer.answered_at) >= since)
    if contains:
        query = query.where(col(Answer.text).icontains(contains, autoescape=True))
    if agent is not None:
        query = query.where(col(Agent.external_id) == agent)
    if survey is not None:
        query = query.where(col(Answer.survey_key) == survey)
    if score_min is not None:
        query = query.where(col(score.value) >= score_min)
    if score_max is not None:
        query = query.where(col(score.value) <= score_max)
    return [FoundComment(*row) for row in await session.execute(query)]
