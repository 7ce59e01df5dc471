"""Survey definition snapshots (table ``survey_definition``), one per survey key and version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Database
from storage.models import SurveyDefinition
from storage.types import utcnow
from storage.upsert import insert_ignoring_duplicates


async def save_definition(
    session: AsyncSession, survey_key: str, version: str, definition: dict[str, Any]
) -> bool:
    """Store the snapshot unless that version is already stored; True if this call stored it.

    A version is derived from the content, so an existing row already holds the same definition.
    """
    return await insert_ignoring_duplicates(
        session,
        SurveyDefinition,
        {
            "survey_key": survey_key,
            "version": version,
            "definition": definition,
            "created_at": utcnow(),
        },
        ["survey_key", "version"],
    )


async def get_definition(
    database: Database, survey_key: str, version: str
) -> dict[str, Any] | None:
    """The stored snapshot of ``survey_key`` at ``version``, or None if it was never pinned."""
    return await database.scalar(
        select(col(SurveyDefinition.definition)).where(
            col(SurveyDefinition.survey_key) == survey_key, col(SurveyDefinition.version) == version
        )
    )
