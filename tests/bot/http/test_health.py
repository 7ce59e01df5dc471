"""/healthz logs when a check starts failing and when it passes again, not every probe."""

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.http.health import add_health_routes


async def test_a_failing_check_is_logged_once_until_it_passes_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    up = False

    async def database() -> bool:
        if not up:
            raise ConnectionRefusedError("connect to 10.0.0.5:5432 refused")
        return True

    app = web.Application()
    add_health_routes(app, {"database": database})
    caplog.set_level(logging.INFO, logger="bot.http.health")
    async with TestClient(TestServer(app)) as client:
        for _ in range(3):
            assert (await client.get("/healthz")).status == 503
        up = True
        for _ in range(2):
            assert (await client.get("/healthz")).status == 200
        up = False
        assert (await client.get("/healthz")).status == 503

    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.http.health"]
    assert lines == [
        ("WARNING", "health check failing"),
        ("INFO", "health check passing again"),
        ("WARNING", "health check failing"),
    ]
    errors = {getattr(r, "error", None) for r in caplog.records}
    assert errors == {None, "ConnectionRefusedError"}  # the type, never the host
