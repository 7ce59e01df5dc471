"""Free-text answers (comments) for an agent's digest and App Home."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Answer, Customer


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
