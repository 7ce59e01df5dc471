"""The one place that builds SQL engines and sessions.

SQLite runs in WAL mode with a busy timeout and foreign keys on, and every transaction starts
with ``BEGIN IMMEDIATE``: it takes the write lock up front, so two transactions never both read
and then deadlock upgrading to write (SQLite's "one writer"). Read-only work (reports, exports)
uses ``session_factory(engine, read_only=True)``, whose transactions begin DEFERRED, so a long
report reads a WAL snapshot without holding the write lock the bots need. PostgreSQL goes
through asyncpg, with a pool that checks a connection before lending it out only when the
connection has sat idle (see ``_ping_idle_connections``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from time import monotonic
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000
POSTGRESQL_POOL_SIZE = 20
"""Connections a PostgreSQL pool keeps open once used. The bot answers up to 16 chats at once
(``bot.telegram.inbound.UpdateRunner``) beside the outbox, the Slack app and scheduled jobs;
with SQLAlchemy's default of 5, every press beyond the fifth opened a connection (TCP, TLS
offer, authentication, asyncpg's set-up) and closed it again on return: a tenth of a press's
CPU with eight customers pressing at once. Up to 10 more open for bursts (``max_overflow``)."""
Database = AsyncSession | AsyncConnection
"""What the hot-path reads and writes take: a session, or a bare connection (a button press
skips the session's bookkeeping, a quarter of its storage CPU)."""
PING_AFTER_IDLE_SECONDS = 0.5
_IDLE_SINCE = "feedbackbot_idle_since"
"""Where a pooled connection's record keeps when it was last checked in."""


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(
    url: str,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
    **options: Any,
) -> AsyncEngine:
    """An async engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs.

    ``busy_timeout_ms`` is how long a SQLite connection waits for another's write lock;
    ``ping_after_idle_seconds`` how long a PostgreSQL connection may sit in the pool before
    it is checked on its next checkout.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options.setdefault("connect_args", {}).setdefault("timeout", busy_timeout_ms / 1000)
        options.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(parsed, **options)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    if "poolclass" not in options:
        options.setdefault("pool_size", POSTGRESQL_POOL_SIZE)
    engine = create_async_engine(parsed, **options)
    if not options.get("pool_pre_ping"):
        _ping_idle_connections(engine, ping_after_idle_seconds)
    return engine


def _ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a pooled connection on checkout if it sat idle for more than ``idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and asyncpg's ping is three round
    trips (BEGIN, ``;``, ROLLBACK): on the press path that was half of all round trips and an
    eighth of the CPU. A connection checked in a moment ago is as good as the work it just
    did, so, like HikariCP's ``aliveBypassWindowMs`` (500 ms), only a connection idle for
    longer is pinged. A dead one invalidates the pool as a failed pre-ping does, and the pool
    connects afresh. A server that restarts within the window costs one failed statement,
    handled like any database error: the dispatcher tries the send again, a webhook is
    redelivered, a customer's press gets the bot's apology and can be pressed again.
    """
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or monotonic() - idle_since <= idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError() from error
            raise


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

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, _state: Any) -> None:
        # The pool's own reset is a ROLLBACK on every return, a trip to aiosqlite's thread
        # even after a COMMIT; roll back only what is still open.
        if dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()

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


async def connection_of(database: Database) -> AsyncConnection:
    """The connection a session works on (beginning its transaction), or the connection itself."""
    return await database.connection() if isinstance(database, AsyncSession) else database


def engine_of(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    """The engine, with its execution options, that ``session_factory`` bound ``sessions`` to."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise TypeError("sessions are not bound to an engine: use storage.engine.session_factory")
    return bind


@asynccontextmanager
async def open_engine(url: str, **options: Any) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url, **options)
    try:
        yield engine
    finally:
        await engine.dispose()
