import asyncio
import socket

import aiohttp
import pytest

from bot.app import PortInUse, serve
from bot.settings import load_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_serve_migrates_answers_healthz_and_stops_cleanly(empty_database_url: str) -> None:
    port = free_port()
    settings = load_settings(
        None, database_url=empty_database_url, http_port=port, telegram_bot_token="1:x"
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop))
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(200):
                try:
                    response = await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert response.status == 200
            assert await response.json() == {"status": "ok", "checks": {"database": "ok"}}
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)


async def test_a_taken_port_is_a_clear_error(empty_database_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = load_settings(None, database_url=empty_database_url, http_port=port)
        with pytest.raises(PortInUse, match=f"Cannot listen on 127.0.0.1:{port}"):
            await serve(settings, asyncio.Event())
