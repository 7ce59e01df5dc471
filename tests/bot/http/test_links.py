"""``GET /api/v1/customers/{id}/link``: the deep link a helpdesk macro puts into its reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http.server import Services, build_web_app
from bot.settings import load_settings
from bot.standins.telegram import TelegramBotAPI
from bot.telegram.links import read_link_token
from storage.engine import session_factory
from storage.models import Customer, LinkToken

BEARER = {"Authorization": "Bearer api-token"}
LINK_SECRET = "link-secret"


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramBotAPI]:
    async with TelegramBotAPI() as api:
        yield api


async def client_for(engine: AsyncEngine, **settings: Any) -> TestClient:
    options = {"api_token": "api-token"} | settings
    app = build_web_app(Services.build(load_settings(None, **options), engine))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_the_link_names_the_bot_and_carries_a_token_for_that_customer(
    engine: AsyncEngine, telegram: TelegramBotAPI
) -> None:
    client = await client_for(
        engine,
        link_secret=LINK_SECRET,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
    )
    try:
        long_id = "front:" + "x" * 150  # longer than a start parameter: the link still fits
        for customer in ("zendesk:372", "intercom:5c9553cb27e377f24eed49f7", long_id):
            response = await client.get(f"/api/v1/customers/{customer}/link", headers=BEARER)
            assert response.status == 200
            body = await response.json()
            assert body["customer_id"] == customer
            prefix = "https://t.me/feedbackbot_standin_bot?start="
            assert body["link"].startswith(prefix)
            link_id = read_link_token(LINK_SECRET, body["link"].removeprefix(prefix))
            async with session_factory(engine)() as session:
                row = await session.get(LinkToken, link_id)
                owner = await session.get(Customer, row.customer_id) if row else None
            assert owner is not None and owner.external_id == customer
            assert row is not None and row.used_at is None
        assert telegram.calls["getMe"] == 1  # asked once, then kept
        too_long = await client.get(f"/api/v1/customers/{'x' * 201}/link", headers=BEARER)
        assert too_long.status == 422
        assert (await too_long.json())["errors"][0]["field"] == "customer_id"
        assert (await client.get("/api/v1/customers/zendesk:372/link")).status == 401
    finally:
        await client.close()


async def test_without_link_secret_or_bot_token_the_link_is_404_not_configured(
    engine: AsyncEngine,
) -> None:
    client = await client_for(engine, link_secret=LINK_SECRET)
    try:
        response = await client.get("/api/v1/customers/zendesk:372/link", headers=BEARER)
        assert response.status == 404
        assert (await response.json())["error"] == "not_configured"
    finally:
        await client.close()
