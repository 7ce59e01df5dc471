"""Many answered surveys at once (bulk inserts), for the insight tests on big random data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import OutcomeType, SQLModel

T = SQLModel.metadata.tables


@dataclass
class Survey:
    """One answered invitation: its customer (external id), agent and answers."""

    customer: str
    agent: str | None
    survey: str
    answers: Mapping[str, int | str | None]
    at: datetime


@dataclass
class Population:
    customers: dict[str, str | None] = field(default_factory=dict)
    """External id -> language."""
    agents: dict[str, str | None] = field(default_factory=dict)
    """External id -> team."""
    surveys: list[Survey] = field(default_factory=list)
    events: list[tuple[str, OutcomeType, datetime, float | None]] = field(default_factory=list)


async def seed(engine: AsyncEngine, population: Population, now: datetime) -> None:
    """Insert everything in a few statements; invitations are answered, with no case."""
    async with engine.begin() as connection:
        await connection.execute(
            sa.insert(T["customer"]),
            [
                {"external_id": name, "language": language, "created_at": now, "updated_at": now}
                for name, language in population.customers.items()
            ],
        )
        if population.agents:
            await connection.execute(
                sa.insert(T["agent"]),
                [
                    {"external_id": name, "team": team, "created_at": now, "updated_at": now}
                    for name, team in population.agents.items()
                ],
            )
        customers = dict(
            (
                await connection.execute(sa.select(T["customer"].c.external_id, T["customer"].c.id))
            ).all()
        )
        agents = dict(
            (await connection.execute(sa.select(T["agent"].c.external_id, T["agent"].c.id))).all()
        )
        if population.surveys:
            first = (
                await connection.execute(sa.select(sa.func.max(T["invitation"].c.id)))
            ).scalar()
            start = (first or 0) + 1
            await connection.execute(
                sa.insert(T["invitation"]),
                [
                    _invitation(start + i, s, customers, agents)
                    for i, s in enumerate(population.surveys)
                ],
            )
            answers: list[dict[str, Any]] = []
            for i, s in enumerate(population.surveys):
                for question, value in s.answers.items():
                    answers.append(_answer(start + i, s, question, value, customers, agents))
            for chunk in range(0, len(answers), 5000):
                await connection.execute(sa.insert(T["answer"]), answers[chunk : chunk + 5000])
        if population.events:
            await connection.execute(
                sa.insert(T["customer_event"]),
                [
                    {
                        "customer_id": customers[c],
                        "event_key": f"e{i}",
                        "type": kind.value,
                        "at": at,
                        "amount": amount,
                        "created_at": now,
                    }
                    for i, (c, kind, at, amount) in enumerate(population.events)
                ],
            )


def _invitation(
    ident: int, s: Survey, customers: Mapping[str, int], agents: Mapping[str, int]
) -> dict[str, Any]:
    return {
        "id": ident,
        "customer_id": customers[s.customer],
        "agent_id": agents.get(s.agent) if s.agent else None,
        "survey_key": s.survey,
        "survey_version": "1",
        "status": "answered",
        "created_at": s.at,
        "due_at": s.at,
        "sent_at": s.at,
        "answered_at": s.at,
        "attempts": 1,
    }


def _answer(
    invitation: int,
    s: Survey,
    question: str,
    value: int | str | None,
    customers: Mapping[str, int],
    agents: Mapping[str, int],
) -> dict[str, Any]:
    return {
        "invitation_id": invitation,
        "customer_id": customers[s.customer],
        "agent_id": agents.get(s.agent) if s.agent else None,
        "survey_key": s.survey,
        "question_key": question,
        "value": value if isinstance(value, int) else None,
        "choice": None,
        "text": value if isinstance(value, str) else None,
        "skipped": value is None,
        "answered_at": s.at,
    }


def names(prefix: str, n: int) -> Sequence[str]:
    return [f"{prefix}{i:05d}" for i in range(n)]
