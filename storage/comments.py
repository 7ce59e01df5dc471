"""Free-text answers (comments) for an agent's digest, App Home and the dashboard's search."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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
            Answer.answered_at,
            Answer.agent_id,
            Customer.external_id,
            Customer.name,
            Answer.survey_key,
            Answer.text,
        )
        .join(Customer, Customer.id == Answer.customer_id)
        .where(
            Answer.text.is_not(None),
            Answer.text != "",
            Answer.answered_at >= since,
            Answer.answered_at < until,
        )
        .order_by(Answer.answered_at.desc(), Answer.id.desc())
        .limit(limit)
    )
    if agent_ids is not None:
        query = query.where(Answer.agent_id.in_(list(agent_ids)))
    return [Comment(*row) for row in await session.execute(query)]


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
    text: str


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
            Answer.answered_at,
            Agent.external_id,
            Agent.name,
            Customer.external_id,
            Customer.name,
            Answer.survey_key,
            score.value,
            Answer.text,
        )
        .join(Customer, Customer.id == Answer.customer_id)
        .outerjoin(Agent, Agent.id == Answer.agent_id)
        .outerjoin(
            score,
            and_(
                score.invitation_id == Answer.invitation_id,
                score.question_key == Answer.survey_key,
            ),
        )
        .where(Answer.text.is_not(None), Answer.text != "", Answer.answered_at < until)
        .order_by(Answer.answered_at.desc(), Answer.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(Answer.answered_at >= since)
    if contains:
        query = query.where(Answer.text.icontains(contains, autoescape=True))
    if agent is not None:
        query = query.where(Agent.external_id == agent)
    if survey is not None:
        query = query.where(Answer.survey_key == survey)
    if score_min is not None:
        query = query.where(score.value >= score_min)
    if score_max is not None:
        query = query.where(score.value <= score_max)
    return [FoundComment(*row) for row in await session.execute(query)]
