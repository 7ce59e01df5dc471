"""A dashboard app on the test database, a small story of feedback, and signing in by link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dashboard.signin import Viewer, create_link
from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings
from storage.engine import session_factory
from storage.models import FollowUp
from tests.factories import Factory
from tests.scoring.helpers import answered

LINK_SECRET = "dashboard-link-secret-for-tests"


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[TestClient]:
    settings = load_settings(None, link_secret=LINK_SECRET)
    app = build_web_app(Services.build(settings, engine))
    async with TestClient(TestServer(app)) as client:
        yield client


async def make_link(
    engine: AsyncEngine, viewer: Viewer, base: str = "", now: datetime | None = None
) -> str:
    async with session_factory(engine)() as session, session.begin():
        return await create_link(
            session, LINK_SECRET, viewer, now or datetime.now(UTC), base or "http://x"
        )


def path_of(url: str) -> str:
    """The path and query of an absolute URL."""
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


@pytest.fixture
async def story(factory: Factory) -> dict[str, object]:
    """Two agents and three customers over the last weeks: scores, comments, a follow-up."""
    recent = datetime.now(UTC) - timedelta(days=3)
    alice = await factory.customer("alice", name="Alice <b>Bold</b>")
    boris = await factory.customer("boris")
    chen = await factory.customer("chen")
    dana = await factory.agent("dana", name="Dana", slack_user_id="UDANA")
    eli = await factory.agent("eli", team="tier2")
    await answered(factory, alice, dana, "csat", {"csat": 5}, at=recent)
    low = await answered(factory, boris, dana, "csat", {"csat": 1}, at=recent - timedelta(days=9))
    await factory.answer(
        low, "comment", None, text="<script>alert(1)</script> too slow", answered_at=low.answered_at
    )
    await answered(factory, chen, eli, "nps", {"nps": 9}, at=recent)
    await answered(factory, boris, eli, "nps", {"nps": 3}, at=recent - timedelta(days=20))
    await answered(
        factory, alice, dana, "value", {"quality": 4, "price": 2, "stress": 1}, at=recent
    )
    await answered(factory, chen, eli, "value", {"quality": 2, "price": 5}, at=recent)
    await factory.save(
        FollowUp(
            invitation_id=low.id,
            agent_id=dana.id,
            reason="csat 1",
            created_at=low.answered_at,
            alerted_at=low.answered_at,
        )
    )
    return {"low": low}
