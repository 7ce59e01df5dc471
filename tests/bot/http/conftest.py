"""The API served by the real aiohttp app on the test database, with a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings

TOKEN = {"Authorization": "Bearer s3cret-token"}


@pytest.fixture
async def client(engine: AsyncEngine, now: datetime) -> AsyncIterator[TestClient]:
    settings = load_settings(None, api_token="s3cret-token")
    app = build_web_app(Services.build(settings, engine, clock=lambda: now))
    async with TestClient(TestServer(app)) as client:
        yield client
