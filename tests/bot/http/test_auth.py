from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http.auth import bearer_required
from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings


@bearer_required
async def secret_page(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[TestClient]:
    settings = load_settings(None, api_token="s3cret-token")
    app = build_web_app(Services.build(settings, engine))
    app.router.add_get("/secret", secret_page)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer wrong",
        "Basic s3cret-token",
        "Bearer ",
        "s3cret-token",
        "Bearer s3cret-toke",
        "Bearer s3cret-token2",
        "Bearer s3cret-token s3cret-token",
    ],
)
async def test_requests_without_the_token_get_401(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = await client.get("/secret", headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert (await response.json())["error"] == "unauthorized"


async def test_the_right_token_passes(client: TestClient) -> None:
    response = await client.get("/secret", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status == 200


async def test_healthz_needs_no_token(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
