"""Alembic environment: runs on the connection handed in by ``storage.migrate``.

For ``alembic revision --autogenerate`` from a shell, set DATABASE_URL (default: the local
SQLite file) and run ``alembic`` from the repository root.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from storage import models
from storage.engine import create_engine

target_metadata = models.SQLModel.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_url(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(
        run_from_url(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./feedbackbot.db"))
    )
