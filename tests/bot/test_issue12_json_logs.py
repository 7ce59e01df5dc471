"""Issue 12: ``feedbackbot run`` with ``LOG_FORMAT=json`` writes one JSON object a line, and a
hostile case id neither forges a line nor reaches the log unescaped. A real process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.standins.telegram import TelegramBotAPI
from tests.serving import free_port

FEEDBACKBOT = Path(sys.executable).with_name("feedbackbot")
API_TOKEN = "api-token-for-the-log-test"


def read(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")


async def wait_for_health(base: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with aiohttp.ClientSession() as client:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError(f"feedbackbot run exited early:\n{read(log)}")
            try:
                async with client.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("feedbackbot run did not become healthy in 30 s")


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramBotAPI]:
    async with TelegramBotAPI() as api:
        yield api


@pytest.mark.once
async def test_run_with_log_format_json_writes_one_object_a_line(
    empty_database_url: str, tmp_path: Path, telegram: TelegramBotAPI
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": empty_database_url,
        "API_TOKEN": API_TOKEN,
        "HTTP_PORT": str(port),
        "LOG_FORMAT": "json",
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "CSAT_DELAY_MINUTES": "0",
    }
    log_file = tmp_path / "run.log"
    with log_file.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(FEEDBACKBOT),
            "run",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
        )
    try:
        await wait_for_health(base, process, log_file)
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        forged = {
            "case_id": 'C1\n{"level": "ERROR", "message": "forged"}',
            "customer": {"id": "alice"},
            "closed_at": "2026-11-29T10:00:00Z",
        }
        good = {**forged, "case_id": 'C2 "quoted" = fine', "customer": {"id": "al ice"}}
        async with aiohttp.ClientSession() as client:
            async with client.post(
                f"{base}/api/v1/cases/closed", json=forged, headers=headers
            ) as r:
                assert r.status == 422
            async with client.post(f"{base}/api/v1/cases/closed", json=good, headers=headers) as r:
                assert r.status == 202
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    lines = [line for line in read(log_file).splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    assert not [e for e in entries if e["message"] == "forged"]
    [recorded] = [e for e in entries if e["message"] == "case recorded"]
    assert recorded["case_id"] == 'C2 "quoted" = fine'
