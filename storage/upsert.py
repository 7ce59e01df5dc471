"""``INSERT ... ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from storage.results import affected_rows


async def insert_ignoring_duplicates(
    session: AsyncSession, model: type[SQLModel], values: dict[str, Any], unique: list[str]
) -> bool:
    """Insert one row unless a row with the same ``unique`` columns exists; True if inserted.

    Two transactions inserting the same key at once both succeed: the second waits for the
    first and then inserts nothing, where a plain INSERT would raise an integrity error.
    """
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(model).values(**values).on_conflict_do_nothing(index_elements=unique)
    result = await session.execute(statement)
    return bool(affected_rows(result))
