import asyncio
import socket
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.app import PortInUse, serve
from bot.settings import load_settings
from tests.bot.dispatch.channels import TestChannel
from tests.serving import free_port


async def test_serve_migrates_answers_healthz_and_stops_cleanly(empty_database_url: str) -> None:
    port = free_port()
    settings = load_settings(None, database_url=empty_database_url, http_port=port)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop))
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(200):  # 503 while the parts start, then 200
                try:
                    response = await client.get(f"http://127.0.0.1:{port}/healthz")
                    if response.status == 200:
                        break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)
            assert response.status == 200
            body = await response.json()
            assert body["status"] == "ok" and body["down"] == []
            assert body["checks"] == {"database": "ok", "scheduler": "ok"}
            assert set(body["parts"]) == {"campaign", "dispatch", "expire"}
            assert {p["state"] for p in body["parts"].values()} == {"running"}
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


async def test_a_case_posted_to_the_api_is_sent_by_the_scheduled_dispatcher(
    empty_database_url: str,
) -> None:
    port = free_port()
    settings = load_settings(
        None,
        database_url=empty_database_url,
        http_port=port,
        api_token="t0ken",
        csat_delay_minutes=0,
        quiet_hours="",
        dispatch_interval_seconds=0.2,
    )
    channel = TestChannel("telegram")
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop, channels=[channel]))
    body = {
        "case_id": "E2E-1",
        "customer": {"id": "alice", "telegram_chat_id": 4242, "language": "de"},
        "closed_at": datetime.now(UTC).isoformat(),
    }
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(400):
                try:
                    response = await client.post(
                        f"http://127.0.0.1:{port}/api/v1/cases/closed",
                        json=body,
                        headers={"Authorization": "Bearer t0ken"},
                    )
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert response.status == 202
        await asyncio.wait_for(channel.wait_sent(1), 30)
        [sent] = channel.sent
        assert sent.delivery.address == "4242" and sent.prompt.language == "de"
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)
