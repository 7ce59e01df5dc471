"""The one place that builds SQL engines and sessions.

SQLite runs in WAL mode with a busy timeout and foreign keys on, and every transaction starts
with ``BEGIN IMMEDIATE``: it takes the write lock up front, so two transactions never both read
and then deadlock upgrading to write (SQLite's "one writer"). Read-only work (reports, exports)
uses ``session_factory(engine, read_only=True)``, whose transactions begin DEFERRED, so a long
report reads a WAL snapshot without holding the write lock the bots need. PostgreSQL goes
through asyncpg.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(
    url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **options: Any
) -> AsyncEngine:
    """An async engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs.

    ``busy_timeout_ms`` is how long a SQLite connection waits for another's write lock.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options.setdefault("connect_args", {}).setdefault("timeout", busy_timeout_ms / 1000)
        engine = create_async_engine(parsed, **options)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **options)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        connection.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


_BEGIN_OPTION = "feedbackbot_sqlite_begin"


def session_factory(
    engine: AsyncEngine, *, read_only: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit; the caller owns the transaction.

    ``read_only`` sessions must not write: on SQLite they do not take the write lock.
    """
    if read_only and is_sqlite(engine):
        engine = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def open_engine(url: str, **options: Any) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url, **options)
    try:
        yield engine
    finally:
        await engine.dispose()
