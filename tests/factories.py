"""Rows in a named state, each committed in its own transaction.

The cast: customers ``alice`` (Telegram, English) and ``boris`` (Slack, Russian); agents
``dana`` (team "tier1") and ``eli`` (team "tier2").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import (
    Agent,
    Answer,
    Customer,
    Identity,
    Invitation,
    InvitationStatus,
    Platform,
    SQLModel,
    SupportCase,
)

Row = TypeVar("Row", bound=SQLModel)


class Factory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
        self.sessions = sessions
        self.now = now

    async def save(self, row: Row) -> Row:
        async with self.sessions() as session, session.begin():
            session.add(row)
        return row

    async def customer(self, external_id: str = "alice", **fields: Any) -> Customer:
        return await self.save(Customer(external_id=external_id, **fields))

    async def identity(
        self,
        customer: Customer,
        platform: Platform = Platform.TELEGRAM,
        external_id: str | None = None,
        **fields: Any,
    ) -> Identity:
        default_id = "1001" if platform is Platform.TELEGRAM else "U0CUSTOMER"
        return await self.save(
            Identity(
                customer_id=customer.id,
                platform=platform,
                external_id=external_id or default_id,
                **fields,
            )
        )

    async def agent(self, external_id: str = "dana", **fields: Any) -> Agent:
        fields.setdefault("team", "tier1")
        return await self.save(Agent(external_id=external_id, **fields))

    async def case(
        self, customer: Customer, agent: Agent | None, external_id: str = "CASE-1", **fields: Any
    ) -> SupportCase:
        fields.setdefault("closed_at", self.now - timedelta(hours=1))
        return await self.save(
            SupportCase(
                external_id=external_id,
                customer_id=customer.id,
                agent_id=agent.id if agent else None,
                **fields,
            )
        )

    async def invitation(
        self,
        case: SupportCase,
        survey_key: str = "csat",
        status: InvitationStatus = InvitationStatus.PENDING,
        **fields: Any,
    ) -> Invitation:
        fields.setdefault("survey_version", "1")
        fields.setdefault("due_at", self.now)
        fields.setdefault("channel", Platform.TELEGRAM)
        return await self.save(
            Invitation(
                customer_id=case.customer_id,
                case_id=case.id,
                agent_id=case.agent_id,
                survey_key=survey_key,
                status=status,
                **fields,
            )
        )

    async def pending_invitation(self, survey_key: str = "csat") -> Invitation:
        alice = await self.customer()
        await self.identity(alice)
        dana = await self.agent()
        case = await self.case(alice, dana)
        return await self.invitation(case, survey_key)

    async def answer(
        self, invitation: Invitation, question_key: str, value: int | None = None, **fields: Any
    ) -> Answer:
        fields.setdefault("answered_at", self.now)
        return await self.save(
            Answer(
                invitation_id=invitation.id,
                customer_id=invitation.customer_id,
                agent_id=invitation.agent_id,
                survey_key=invitation.survey_key,
                question_key=question_key,
                value=value,
                **fields,
            )
        )


async def stored_values_containing(
    sessions: async_sessionmaker[AsyncSession], needles: Iterable[str]
) -> list[str]:
    """``table.column=value`` for every stored text that contains one of ``needles`` (and every
    whole number equal to one), across every table: what an erasure must have left nothing of."""
    wanted = [n for n in needles if n]
    found = []
    async with sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await session.execute(sa.select(table))).mappings():
                for column, value in row.items():
                    text = str(value) if isinstance(value, str | int) else None
                    if text is None or isinstance(value, bool):
                        continue
                    hit = any(
                        needle in text if isinstance(value, str) else needle == text
                        for needle in wanted
                    )
                    if hit:
                        found.append(f"{table.name}.{column}={value}")
    return found
