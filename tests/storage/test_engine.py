from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.engine import connection_of, create_engine, engine_of, is_sqlite, session_factory


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


async def test_a_connection_returned_inside_a_transaction_is_rolled_back_on_sqlite(
    engine: AsyncEngine, impatient_writer: AsyncEngine
) -> None:
    """The pool rolls back only what is still open: a transaction left open under
    SQLAlchemy's feet must not keep its row or the write lock."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute(
            "INSERT INTO customer (external_id, created_at, updated_at) "
            "VALUES ('left-open', '2026-01-01', '2026-01-01')"
        )
    async with impatient_writer.begin() as writer:
        left = await writer.execute(text("SELECT count(*) FROM customer"))
        assert left.scalar() == 0


async def _kill_backend(engine: AsyncEngine, pid: int) -> None:
    async with engine.connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.mark.postgres
async def test_an_idle_pooled_connection_that_died_is_replaced_on_checkout(
    database_url: str,
) -> None:
    checked = create_engine(database_url, ping_after_idle_seconds=0, pool_size=1)
    admin = create_engine(database_url)
    try:
        pid = await _backend_pid(checked)
        await _kill_backend(admin, pid)
        assert await _backend_pid(checked) != pid
    finally:
        await checked.dispose()
        await admin.dispose()


@pytest.mark.postgres
async def test_a_connection_used_a_moment_ago_is_lent_without_a_ping(database_url: str) -> None:
    """Within the idle window no round trip checks the connection: the first statement on a
    connection that died in that window fails, and the pool connects afresh after it."""
    trusting = create_engine(database_url, ping_after_idle_seconds=3600, pool_size=1)
    admin = create_engine(database_url)
    try:
        pid = await _backend_pid(trusting)
        await _kill_backend(admin, pid)
        with pytest.raises(DBAPIError):
            await _backend_pid(trusting)
        assert await _backend_pid(trusting) != pid
    finally:
        await trusting.dispose()
        await admin.dispose()


async def test_a_press_runs_on_the_same_engine_and_transaction_rules_as_sessions(
    engine: AsyncEngine,
) -> None:
    """``engine_of`` gives back the bound engine with its options (SQLite's BEGIN mode)."""
    assert engine_of(session_factory(engine)) is engine
    reader = engine_of(session_factory(engine, read_only=True))
    assert reader.sync_engine.pool is engine.sync_engine.pool
    async with session_factory(engine)() as session, session.begin():
        connection = await connection_of(session)
        assert connection is await session.connection()
        assert await connection_of(connection) is connection


def test_sessions_without_an_engine_are_refused() -> None:
    with pytest.raises(TypeError, match="session_factory"):
        engine_of(async_sessionmaker())
