"""The Telegram bot end to end: the real aiogram Bot and Dispatcher over HTTP to the stand-in.

``Harness`` plays the helpdesk (a case closes), the dispatcher (one drain) and reads the
database; the stand-in plays the customers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from aiogram import Bot, Dispatcher
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.dispatch.dispatcher import DispatchConfig, TickReport
from bot.dispatch.dispatcher import Dispatcher as Outbox
from bot.settings import Settings, load_settings
from bot.standins.telegram import TelegramBotAPI
from bot.standins.telegram_objects import TelegramUser
from bot.supervision import Part
from bot.telegram.app import build_dispatcher
from bot.telegram.channel import TelegramChannel
from bot.telegram.client import build_bot
from bot.telegram.links import make_link_token, new_link_id
from bot.telegram.polling import Poller, PollingTimes
from bot.telegram.webhook import PATH, add_webhook_route
from storage import customers
from storage.engine import session_factory
from storage.links import issue_link
from storage.models import Answer, Identity, Invitation, Platform, SupportCase
from storage.types import utcnow
from surveys.catalog import load_catalog
from surveys.conversation import pin_version
from surveys.events import CaseClosed
from surveys.intake import CaseOutcome, record_case
from surveys.policy import PolicyConfig

LINK_SECRET = "test-link-secret"
WEBHOOK_SECRET = "webhook-secret_123"
POLICY = PolicyConfig(csat_delay=timedelta(0), quiet_hours=None, throttle=timedelta(0))
FAST = PollingTimes(lease_seconds=10, poll_seconds=1, standby_seconds=0.1)


@dataclass
class Harness:
    telegram: TelegramBotAPI
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    bot: Bot
    dispatcher: Dispatcher
    outbox: Outbox

    async def close_case(
        self,
        user: TelegramUser,
        case_id: str = "CASE-1",
        customer: str = "alice",
        surveys: list[str] | None = None,
        **fields,
    ) -> CaseOutcome:
        body = {
            "case_id": case_id,
            "customer": {"id": customer, "telegram_chat_id": user.id, **fields},
            "agent": {"id": "dana"},
            "closed_at": utcnow().isoformat(),
            **({"surveys": surveys} if surveys else {}),
        }
        async with self.sessions() as session, session.begin():
            return await record_case(
                session,
                CaseClosed.model_validate(body),
                catalog=load_catalog(None),
                config=POLICY,
                now=utcnow(),
            )

    async def invite(
        self, user: TelegramUser, survey_key: str, customer: str = "alice", language: str = "en"
    ) -> Invitation:
        """An invitation to any catalog survey, due now (the policy only picks CSAT per case)."""
        survey = load_catalog(None).get(survey_key)
        now = utcnow()
        async with self.sessions() as session, session.begin():
            person = await customers.upsert_customer(session, customer, now=now, language=language)
            await customers.record_identity(
                session, person, Platform.TELEGRAM, str(user.id), now=now
            )
            case = SupportCase(
                external_id=f"{customer}-{survey_key}", customer_id=person.id, closed_at=now
            )
            session.add(case)
            await session.flush()
            await pin_version(session, survey)
            invitation = Invitation(
                customer_id=person.id,
                case_id=case.id,
                survey_key=survey.key,
                survey_version=survey.version,
                channel=Platform.TELEGRAM,
                due_at=now,
            )
            session.add(invitation)
        return invitation

    async def dispatch(self) -> TickReport:
        return await self.outbox.tick()

    async def link_token(
        self,
        customer: str = "C-42",
        *,
        issued: datetime | None = None,
        valid_for: timedelta = timedelta(days=30),
    ) -> str:
        """The start parameter of a new deep link for ``customer``, as the CLI issues it."""
        link_id = new_link_id()
        async with self.sessions() as session, session.begin():
            await issue_link(
                session, link_id, customer, now=issued or utcnow(), valid_for=valid_for
            )
        return make_link_token(LINK_SECRET, link_id)

    async def answers(self) -> list[Answer]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Answer).order_by(Answer.id)))

    async def invitations(self) -> list[Invitation]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Invitation).order_by(Invitation.id)))

    async def identities(self) -> list[Identity]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Identity).order_by(Identity.id)))


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramBotAPI]:
    async with TelegramBotAPI() as api:
        yield api


def make_settings(telegram: TelegramBotAPI, **overrides: object) -> Settings:
    return load_settings(
        None,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        link_secret=LINK_SECRET,
        **overrides,
    )


@pytest.fixture
async def harness(telegram: TelegramBotAPI, engine: AsyncEngine) -> AsyncIterator[Harness]:
    settings = make_settings(telegram)
    sessions = session_factory(engine)
    bot = build_bot(settings)
    outbox = Outbox(
        sessions,
        [TelegramChannel(bot)],
        DispatchConfig(policy=POLICY, limits={}),
        worker="test-dispatcher",
    )
    try:
        yield Harness(
            telegram, settings, sessions, bot, build_dispatcher(settings, sessions), outbox
        )
    finally:
        await outbox.close()
        await bot.session.close()


@asynccontextmanager
async def polling_bot(harness: Harness, worker: str = "test-poller") -> AsyncIterator[None]:
    """The bot long-polls the stand-in inside the block."""
    stop = asyncio.Event()
    poller = Poller(harness.bot, harness.dispatcher, harness.sessions, worker, FAST)
    task = asyncio.create_task(poller.run(Part("telegram"), stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


@pytest.fixture
async def polling(harness: Harness) -> AsyncIterator[Harness]:
    """The bot long-polls the stand-in for the whole test."""
    async with polling_bot(harness):
        yield harness


@pytest.fixture
async def webhook(harness: Harness) -> AsyncIterator[str]:
    """The URL of /telegram/webhook served for the harness's bot (secret ``WEBHOOK_SECRET``)."""
    app = web.Application()
    add_webhook_route(app, harness.bot, harness.dispatcher, WEBHOOK_SECRET)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url(PATH))
    finally:
        await server.close()
