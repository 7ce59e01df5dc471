"""Running the real ``serve()`` inside a test: a free port, and the app until the test is done."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from bot.app import serve
from bot.settings import load_settings

API_TOKEN = "api-token-for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(
    wait_until: Callable[[Callable[[], object], str, float], Any],
    ready: Callable[[], object],
    **settings: Any,
) -> AsyncIterator[str]:
    """Run ``serve()`` with ``settings`` (fast dispatch, no delay, no quiet hours by default)
    until ``ready()`` holds, awaited through a stand-in's ``wait_until``; yield its base URL.

    A server that stops early re-raises its error instead of waiting out the stand-in.
    """
    settings.setdefault("http_port", free_port())
    settings.setdefault("api_token", API_TOKEN)
    settings.setdefault("csat_delay_minutes", 0)
    settings.setdefault("quiet_hours", "")
    settings.setdefault("dispatch_interval_seconds", 0.2)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(load_settings(None, **settings), stop))
    try:
        # Generous: start-up migrates a fresh database, slow on a busy CI machine.
        await wait_until(lambda: ready() or server.done(), "the app to start", 30)
        if server.done():
            await server
        yield f"http://127.0.0.1:{settings['http_port']}"
    finally:
        stop.set()
        await asyncio.wait_for(server, 15)


async def post_case(base: str, body: dict[str, Any]) -> dict[str, Any]:
    """The helpdesk closes a case through the API; the 202 answer's JSON."""
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{base}/api/v1/cases/closed", json=body, headers=headers) as response,
    ):
        assert response.status == 202, await response.text()
        answer: dict[str, Any] = await response.json()
        return answer
