"""Who is who on Slack: the customer an invitation belongs to, agents by Slack user id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Agent, Identity, Invitation, Platform


async def slack_user_of_invitation(session: AsyncSession, invitation_id: int) -> str | None:
    """The Slack user id of the invitation's customer, or None (unknown invitation, no Slack)."""
    return await session.scalar(
        select(col(Identity.external_id))
        .join(Invitation, col(Invitation.customer_id) == col(Identity.customer_id))
        .where(col(Invitation.id) == invitation_id, col(Identity.platform) == Platform.SLACK)
    )


async def agent_by_slack_user(session: AsyncSession, slack_user_id: str) -> Agent | None:
    """The agent with this Slack user id (the oldest, should two share it)."""
    return await session.scalar(
        select(Agent)
        .where(col(Agent.slack_user_id) == slack_user_id)
        .order_by(col(Agent.id))
        .limit(1)
    )


async def agents_on_slack(session: AsyncSession) -> list[Agent]:
    """Every agent with a Slack user id, by id."""
    return list(
        (
            await session.scalars(
                select(Agent).where(col(Agent.slack_user_id).is_not(None)).order_by(col(Agent.id))
            )
        ).all()
    )


async def agents_by_external_id(session: AsyncSession, external_ids: list[str]) -> dict[str, Agent]:
    if not external_ids:
        return {}
    rows = await session.scalars(select(Agent).where(col(Agent.external_id).in_(external_ids)))
    return {agent.external_id: agent for agent in rows}
