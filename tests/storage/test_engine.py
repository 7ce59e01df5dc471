import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import is_sqlite


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
