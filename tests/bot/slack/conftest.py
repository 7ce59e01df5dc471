"""The Slack app end to end: the real bolt ``AsyncApp`` and ``AsyncWebClient`` over HTTP.

The stand-in Web API plays Slack and the people (customers, agents, admins) and signs what they
send to our ``/slack/events``; ``SlackHarness`` plays the helpdesk (a case closes), the
dispatcher (one drain) and reads the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.dispatch.dispatcher import DispatchConfig, TickReport
from bot.dispatch.dispatcher import Dispatcher as Outbox
from bot.settings import Settings, load_settings
from bot.slack.app import EVENTS_PATH, SlackRuntime, create_runtime
from bot.standins.slack import SlackWebAPI
from bot.standins.slack_objects import SlackUser
from storage.engine import session_factory
from storage.models import Answer, FollowUp, Invitation
from storage.types import utcnow
from surveys.catalog import load_catalog
from surveys.events import CaseClosed
from surveys.intake import CaseOutcome, record_case
from surveys.policy import PolicyConfig

POLICY = PolicyConfig(csat_delay=timedelta(0), quiet_hours=None, throttle=timedelta(0))


@dataclass
class SlackHarness:
    slack: SlackWebAPI
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    runtime: SlackRuntime
    outbox: Outbox

    async def close_case(
        self,
        customer: SlackUser,
        agent: SlackUser | None,
        case_id: str = "CASE-1",
        customer_id: str = "boris",
        **fields: object,
    ) -> CaseOutcome:
        body: dict[str, object] = {
            "case_id": case_id,
            "customer": {"id": customer_id, "slack_user_id": customer.id, **fields},
            "closed_at": utcnow().isoformat(),
        }
        if agent is not None:
            body["agent"] = {"id": agent.name, "name": agent.real_name, "slack_user_id": agent.id}
        async with self.sessions() as session, session.begin():
            return await record_case(
                session,
                CaseClosed.model_validate(body),
                catalog=load_catalog(None),
                config=POLICY,
                now=utcnow(),
            )

    async def dispatch(self) -> TickReport:
        """One dispatcher tick: claims what is due and sends it."""
        return await self.outbox.tick()

    async def settle(self) -> None:
        """Wait until the work the listeners started after their acks is done."""
        await self.runtime.services.work.join()

    async def answers(self) -> list[Answer]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Answer).order_by(Answer.id)))

    async def invitations(self) -> list[Invitation]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Invitation).order_by(Invitation.id)))

    async def follow_ups(self) -> list[FollowUp]:
        async with self.sessions() as session:
            return list(await session.scalars(select(FollowUp).order_by(FollowUp.id)))


def make_settings(slack: SlackWebAPI, **overrides: object) -> Settings:
    return load_settings(
        None,
        slack_bot_token=slack.token,
        slack_signing_secret=slack.signing_secret,
        slack_api_url=slack.base_url,
        **overrides,
    )


@pytest.fixture
async def slack() -> AsyncIterator[SlackWebAPI]:
    async with SlackWebAPI() as api:
        yield api


@pytest.fixture
async def harness(slack: SlackWebAPI, engine: AsyncEngine) -> AsyncIterator[SlackHarness]:
    settings = make_settings(slack)
    sessions = session_factory(engine)
    runtime = create_runtime(settings, sessions, "test-worker")
    assert runtime is not None
    web_app = web.Application()
    runtime.add_routes(web_app)
    server = TestServer(web_app)
    await server.start_server()
    slack.events_url = str(server.make_url(EVENTS_PATH))
    outbox = Outbox(
        sessions,
        [runtime.channel],
        DispatchConfig(policy=POLICY, limits={}),
        worker="test-dispatcher",
    )
    try:
        yield SlackHarness(slack, settings, sessions, runtime, outbox)
    finally:
        await outbox.close()
        await runtime.stop()
        await server.close()
