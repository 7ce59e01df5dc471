"""Free-text answers (comments) for an agent's digest and App Home."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
