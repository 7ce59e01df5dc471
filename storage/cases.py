"""Closed support cases. Functions take the caller's session and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from feedbackbot.errors import AlreadyExists
from storage.integrity import violated_constraint
from storage.models import SupportCase

UNIQUE_CASE = "uq_support_case_external_id"


async def find_case(
    session: AsyncSession, external_id: str, *, for_update: bool = False
) -> SupportCase | None:
    """The case recorded under the event's ``case_id``, if any.

    ``for_update`` locks the row (PostgreSQL) until the caller's transaction ends, so two later
    events about one case are applied one after the other.
    """
    query = select(SupportCase).where(col(SupportCase.external_id) == external_id)
    return await session.scalar(query.with_for_update() if for_update else query)


async def update_case(session: AsyncSession, case: SupportCase, **fields: Any) -> SupportCase:
    """Overwrite the case's fields with ``fields`` (a reopened and re-resolved case); flushed."""
    for name, value in fields.items():
        setattr(case, name, value)
    await session.flush()
    return case


async def add_case(session: AsyncSession, case: SupportCase) -> SupportCase:
    """Insert ``case`` (flushed, with its id) inside a savepoint.

    Raises ``AlreadyExists`` when another transaction recorded the same ``case_id`` first; the
    caller's transaction stays usable, so it can read that case and answer from it. Any other
    integrity error (a missing customer, a NULL) is raised as it is.
    """
    try:
        async with session.begin_nested():
            session.add(case)
    except IntegrityError as error:
        if violated_constraint(error) != UNIQUE_CASE:
            raise
        raise AlreadyExists(f"case {case.external_id} is already recorded") from None
    return case


async def latest_agent_id(session: AsyncSession, customer_id: int) -> int | None:
    """The agent of the customer's most recently closed case (who a relationship survey credits)."""
    return await session.scalar(
        select(col(SupportCase.agent_id))
        .where(col(SupportCase.customer_id) == customer_id)
        .order_by(col(SupportCase.closed_at).desc(), col(SupportCase.id).desc())
        .limit(1)
    )
