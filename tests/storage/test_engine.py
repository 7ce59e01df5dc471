from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine, is_sqlite, session_factory


async def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(engine: AsyncEngine) -> None:
    if not is_sqlite(engine):
        pytest.skip("SQLite pragmas")
    async with engine.connect() as connection:
        pragmas = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 15000, "foreign_keys": 1}


async def test_database_answers(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT 1"))).scalar() == 1


@pytest.fixture
async def impatient_writer(engine: AsyncEngine, database_url: str) -> AsyncIterator[AsyncEngine]:
    """A second SQLite engine that fails at once instead of waiting for the write lock."""
    if not is_sqlite(engine):
        pytest.skip("SQLite locking")
    writer = create_engine(database_url, busy_timeout_ms=0)
    yield writer
    await writer.dispose()


async def test_a_read_only_session_on_sqlite_does_not_hold_the_write_lock(
    engine: AsyncEngine, impatient_writer: AsyncEngine
) -> None:
    async with session_factory(engine, read_only=True)() as reader, reader.begin():
        await reader.execute(text("SELECT count(*) FROM customer"))
        async with impatient_writer.begin() as writer:
            await writer.execute(
                text(
                    "INSERT INTO customer (external_id, created_at, updated_at) "
                    "VALUES ('w', '2026-01-01', '2026-01-01')"
                )
            )


async def test_a_writing_session_on_sqlite_takes_the_write_lock_at_begin(
    engine: AsyncEngine, impatient_writer: AsyncEngine
) -> None:
    async with session_factory(engine)() as first, first.begin():
        await first.execute(text("SELECT 1"))
        with pytest.raises(OperationalError, match="locked"):
            async with impatient_writer.begin():
                pass
