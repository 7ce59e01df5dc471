"""Shared fixtures: a clean environment, a migrated database per run, a clean one per test.

The suite runs on SQLite unless TEST_DATABASE_URL names a PostgreSQL server; then each run
creates its own scratch database there (so parallel runs never meet) and drops it at the end.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.log_privacy import LEVEL_FLOOR
from bot.logs import configure_logging
from bot.settings import Settings
from storage import migrate
from storage.engine import create_engine, session_factory
from storage.models import SQLModel
from surveys.conversation import forget_pinned_surveys
from tests.factories import Factory
from tests.running import Worker

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
ON_POSTGRES = bool(TEST_DATABASE_URL)
SETTING_NAMES = [name.upper() for name in Settings.model_fields]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``postgres`` tests run only on PostgreSQL; ``once`` tests (slow end-to-end runs whose
    subject is not the database) only in the SQLite pass, so CI runs them once."""
    postgres_only = pytest.mark.skip(reason="PostgreSQL only: set TEST_DATABASE_URL")
    run_once = pytest.mark.skip(reason="runs once, in the SQLite pass")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(postgres_only)
        if "once" in item.keywords and ON_POSTGRES:
            item.add_marker(run_once)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer's environment or .env reaches a test."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    # Each test has a new database: a survey decoded for an earlier one must not be reused.
    forget_pinned_surveys()


async def _postgres_admin(sql: str) -> None:
    url = make_url(TEST_DATABASE_URL).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


class ScratchDatabases:
    """Makes empty databases of the kind under test and removes them afterwards."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []

    def new(self) -> str:
        name = f"fbtest_{uuid.uuid4().hex[:12]}"
        if not ON_POSTGRES:
            return f"sqlite+aiosqlite:///{self.folder / name}.db"
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()


_SCRATCH: list[ScratchDatabases] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the run's scratch databases after the last test, outside any test's timeout: on a
    busy server dropping dozens of databases can take longer than one test may."""
    for databases in _SCRATCH:
        databases.drop_all()


@pytest.fixture(scope="session")
def scratch_databases(tmp_path_factory: pytest.TempPathFactory) -> ScratchDatabases:
    databases = ScratchDatabases(tmp_path_factory.mktemp("databases"))
    _SCRATCH.append(databases)
    return databases


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(scratch_databases: ScratchDatabases) -> str:
    """A database migrated to head, shared by the run; tests get it emptied (``engine``)."""
    url = scratch_databases.new()
    asyncio.run(_migrate(url))
    return url


@pytest.fixture
def empty_database_url(scratch_databases: ScratchDatabases) -> str:
    """A database with no tables at all, for migration tests."""
    return scratch_databases.new()


async def empty_tables(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The run's database, with every table emptied before the test."""
    engine = create_engine(database_url)
    await empty_tables(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with session_factory(engine)() as session:
        yield session


@pytest.fixture
def now() -> datetime:
    """A fixed 'now' for tests that reason about time: Monday 2026-03-02 12:00 UTC."""
    return datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def factory(engine: AsyncEngine, now: datetime) -> Factory:
    return Factory(session_factory(engine), now)


@pytest.fixture
def hour() -> timedelta:
    return timedelta(hours=1)


@pytest.fixture
async def started() -> AsyncIterator[list[Worker]]:
    """The processes a test started; any still running at the end is killed, so a failed
    test leaves no bot behind."""
    workers: list[Worker] = []
    yield workers
    for worker in workers:
        if worker.process.returncode is None:
            worker.process.kill()
            await worker.process.wait()


@pytest.fixture
def debug_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Logging configured as ``feedbackbot run`` does at LOG_LEVEL=DEBUG, into a buffer."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in LEVEL_FLOOR}
    buffer = io.StringIO()
    monkeypatch.setattr("sys.stderr", buffer)
    configure_logging("DEBUG")
    yield buffer
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
