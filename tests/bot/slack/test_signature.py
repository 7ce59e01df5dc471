"""Requests to /slack/events must carry Slack's signature over a fresh timestamp."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.slack.app import EVENTS_PATH, add_routes, build_app, web_client
from bot.slack.services import SlackServices
from storage.engine import session_factory

SECRET = "signing-secret-for-tests"


def signed(body: str, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    timestamp = str(at if at is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


@pytest.fixture
async def http(engine: AsyncEngine) -> AsyncIterator[TestClient]:
    services = SlackServices(sessions=session_factory(engine))
    # Nothing here reaches the Web API: refused requests stop before any listener runs.
    app = build_app(
        services, web_client("xoxb-test", "http://127.0.0.1:9/api/"), signing_secret=SECRET
    )
    web_app = web.Application()
    add_routes(web_app, app, SECRET)
    async with TestClient(TestServer(web_app)) as client:
        yield client


COMMAND = urlencode(
    {
        "command": "/feedback",
        "text": "",
        "user_id": "U0DANA",
        "channel_id": "D1",
        "team_id": "T1",
        "response_url": "http://127.0.0.1:9/respond",
        "trigger_id": "1.2.3",
    }
)


async def test_a_wrong_signature_is_refused(http: TestClient) -> None:
    response = await http.post(EVENTS_PATH, data=COMMAND, headers=signed(COMMAND, secret="nope"))
    assert response.status == 401


async def test_a_stale_timestamp_is_refused(http: TestClient) -> None:
    stale = int(time.time()) - 6 * 60
    response = await http.post(EVENTS_PATH, data=COMMAND, headers=signed(COMMAND, at=stale))
    assert response.status == 401


async def test_an_unsigned_request_is_refused(http: TestClient) -> None:
    response = await http.post(
        EVENTS_PATH, data=COMMAND, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 401


async def test_a_signed_url_verification_is_answered(http: TestClient) -> None:
    body = '{"type":"url_verification","challenge":"abc123","token":"t"}'
    headers = {**signed(body), "Content-Type": "application/json"}
    response = await http.post(EVENTS_PATH, data=body, headers=headers)
    assert response.status == 200
    assert (await response.json())["challenge"] == "abc123"
