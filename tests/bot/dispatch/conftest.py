"""Invitations due for sending, with the csat survey pinned so the engine can render them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from bot.dispatch import DispatchConfig, Dispatcher
from bot.dispatch.dispatcher import PlatformLimits
from storage.engine import create_engine, session_factory
from storage.models import Customer, Identity, Invitation, InvitationStatus, Platform
from surveys.catalog import load_catalog
from surveys.conversation import pin_version
from surveys.policy import PolicyConfig
from tests.bot.dispatch.channels import TestChannel

FAST = DispatchConfig(
    policy=PolicyConfig(quiet_hours=None),
    limits={"telegram": PlatformLimits(10_000.0, 10_000.0), "slack": PlatformLimits(None, None)},
    max_batch=200,
)


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def csat_version(sessions: async_sessionmaker[AsyncSession]) -> str:
    survey = load_catalog(None).get("csat")
    async with sessions() as session, session.begin():
        await pin_version(session, survey)
    return survey.version


class Seeder:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], now: datetime, version: str
    ) -> None:
        self.sessions = sessions
        self.now = now
        self.version = version

    async def due(
        self,
        customers: int = 1,
        per_customer: int = 1,
        *,
        platform: Platform = Platform.TELEGRAM,
        **fields: object,
    ) -> list[int]:
        """``customers`` customers with a linked chat, each with ``per_customer`` invitations
        due now; returns the invitation ids."""
        fields.setdefault("due_at", self.now)
        async with self.sessions() as session, session.begin():
            start = len(list(await session.scalars(select(Customer.id))))
            people = [Customer(external_id=f"c{start + n}") for n in range(customers)]
            session.add_all(people)
            await session.flush()
            session.add_all(
                Identity(customer_id=c.id, platform=platform, external_id=str(10_000 + c.id))
                for c in people
            )
            rows = [
                Invitation(
                    customer_id=c.id,
                    survey_key="csat",
                    survey_version=self.version,
                    channel=platform,
                    **fields,
                )
                for _ in range(per_customer)
                for c in people
            ]
            session.add_all(rows)
            await session.flush()
            return [r.id for r in rows if r.id is not None]

    async def get(self, invitation_id: int) -> Invitation:
        async with self.sessions() as session:
            row = await session.get(Invitation, invitation_id)
            assert row is not None
            return row

    async def statuses(self) -> dict[InvitationStatus, int]:
        async with self.sessions() as session:
            found: dict[InvitationStatus, int] = {}
            for status in await session.scalars(select(Invitation.status)):
                found[status] = found.get(status, 0) + 1
            return found


@pytest.fixture
def seed(sessions: async_sessionmaker[AsyncSession], now: datetime, csat_version: str) -> Seeder:
    return Seeder(sessions, now, csat_version)


@pytest.fixture
def channel() -> TestChannel:
    return TestChannel("telegram")


@pytest.fixture
def make_dispatcher(
    sessions: async_sessionmaker[AsyncSession], now: datetime
) -> Callable[..., Dispatcher]:
    def make(
        channel: TestChannel,
        worker: str = "worker-a",
        *,
        config: DispatchConfig = FAST,
        at: datetime | None = None,
    ) -> Dispatcher:
        moment = at or now
        return Dispatcher(
            sessions, [channel], config, worker=worker, clock=lambda: moment, jitter=lambda: 0.5
        )

    return make


@pytest.fixture
def lease() -> timedelta:
    return FAST.lease


class Outage:
    """A database that refuses new connections while ``down``: the fault at the driver's
    door, the way a restarting server or ``ALLOW_CONNECTIONS false`` refuses them.

    ``sessions`` open a new connection per transaction (no pool), so every step meets it.
    """

    def __init__(self, url: str) -> None:
        self.down = False
        self.refused = 0
        self._allowed: int | None = None
        self._waiters: list[tuple[int, asyncio.Event]] = []
        self.engine = create_engine(url, poolclass=NullPool)
        event.listen(self.engine.sync_engine, "do_connect", self._connect)
        self.sessions = session_factory(self.engine)

    def down_after(self, connections: int) -> None:
        """Let ``connections`` more connections through, then refuse."""
        self._allowed = connections

    def _connect(self, *_: object) -> None:
        if self._allowed is not None:
            self._allowed -= 1
            self.down = self._allowed < 0
        if self.down:
            self.refused += 1
            for count, reached in self._waiters:
                if self.refused >= count:
                    reached.set()
            raise ConnectionRefusedError("the database refuses connections")

    async def wait_refused(self, count: int) -> None:
        """Return once ``count`` connections have been refused in all."""
        reached = asyncio.Event()
        self._waiters.append((count, reached))
        if self.refused >= count:
            reached.set()
        await asyncio.wait_for(reached.wait(), 10)

    def up(self) -> None:
        self.down, self._allowed = False, None


@pytest.fixture
async def outage(engine: AsyncEngine, database_url: str) -> AsyncIterator[Outage]:
    fault = Outage(database_url)
    yield fault
    await fault.engine.dispose()
