"""Running ``feedbackbot run`` as a real process against the stand-ins, for the fault tests:
start it, wait on the stand-in while watching that it does not exit, read its log and the
outbox it left."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.standins.common import StandInError
from bot.standins.telegram import TelegramBotAPI
from storage.engine import open_engine, session_factory
from storage.models import Invitation, Lease
from storage.types import utcnow

API_TOKEN = "api-token-for-the-process-tests"
FEEDBACKBOT = Path(sys.executable).with_name("feedbackbot")
START = 120
"""Seconds a process may take to start polling: importing aiogram alone takes 10+ s on a
CI machine busy with other work."""


@dataclass
class Worker:
    """One ``feedbackbot run`` process and the file its output goes to."""

    process: asyncio.subprocess.Process
    log_file: Path

    @property
    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    async def stop(self, within: float = 15.0) -> int:
        """SIGTERM; the exit status, which must come ``within`` seconds."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"no exit {within:g}s after SIGTERM; log:\n{self.log}") from None


async def start(started: list[Worker], env: dict[str, str], log_file: Path) -> Worker:
    with log_file.open("wb") as output:  # the child keeps its own descriptor
        process = await asyncio.create_subprocess_exec(
            str(FEEDBACKBOT),
            "run",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
        )
    started.append(Worker(process, log_file))
    return started[-1]


async def until(
    telegram: TelegramBotAPI,
    worker: Worker,
    predicate: Callable[[], bool],
    what: str,
    within: float,
) -> None:
    """Wait for ``predicate`` through the stand-in, failing with the log if the worker exits."""
    waiting = asyncio.ensure_future(telegram.wait_until(predicate, what, within))
    exited = asyncio.ensure_future(worker.process.wait())
    await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    exited.cancel()
    if not waiting.done():
        waiting.cancel()
        raise AssertionError(f"feedbackbot run exited while waiting for {what}:\n{worker.log}")
    try:
        await waiting
    except StandInError as error:
        raise AssertionError(f"{error}; the log:\n{worker.log}") from None


def sent_per_chat(telegram: TelegramBotAPI) -> Counter[int]:
    """Survey messages the stand-in delivered, per chat (refused calls not counted)."""
    return Counter(
        int(request.params["chat_id"])
        for request in telegram.requests
        if request.method == "sendMessage" and request.status == 200
    )


def environment(
    url: str, telegram: TelegramBotAPI, port: int, rate: float, **settings: str
) -> dict[str, str]:
    """``feedbackbot run``'s environment: the stand-in, no delay or quiet hours, a fast
    dispatcher pacing at ``rate`` messages per second; ``settings`` (NAME=value) on top."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "API_TOKEN": API_TOKEN,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "CSAT_DELAY_MINUTES": "0",
        "QUIET_HOURS": "",
        "DISPATCH_INTERVAL_SECONDS": "0.2",
        "TELEGRAM_RATE_PER_SECOND": str(rate),
        "LOG_LEVEL": "INFO",
        **settings,
    }


async def close_cases(base: str, chat_ids: list[int]) -> None:
    """The helpdesk closes one case per customer (distinct customers: no throttling)."""
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as client:

        async def close(number: int, chat_id: int) -> None:
            body = {
                "case_id": f"CASE-{number}",
                "customer": {"id": f"customer-{number}", "telegram_chat_id": chat_id},
                "agent": {"id": f"agent-{number % 3}"},
                "closed_at": utcnow().isoformat(),
            }
            async with client.post(f"{base}/api/v1/cases/closed", json=body) as response:
                assert response.status == 202, await response.text()
                [invitation] = (await response.json())["invitations"]
                assert invitation["status"] == "pending", invitation

        for first in range(0, len(chat_ids), 10):
            await asyncio.gather(
                *(close(n, c) for n, c in enumerate(chat_ids[first : first + 10], first))
            )


async def outbox(url: str) -> tuple[list[Invitation], list[Lease]]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = list(await session.scalars(select(Invitation).order_by(Invitation.id)))
        leases = list(await session.scalars(select(Lease)))
        return rows, leases


async def health(base: str) -> tuple[int, dict]:
    """``GET /healthz``: the status and the body (0 and {} while nothing listens)."""
    try:
        async with aiohttp.ClientSession() as client, client.get(f"{base}/healthz") as response:
            return response.status, await response.json()
    except aiohttp.ClientConnectionError:
        return 0, {}


async def until_healthy(base: str, worker: Worker, healthy: bool, within: float) -> dict:
    """Poll /healthz until it answers 200 (``healthy``) or 503; the body it answered."""
    deadline = asyncio.get_running_loop().time() + within
    status, body = await health(base)
    while status != (200 if healthy else 503):
        if worker.process.returncode is not None:
            raise AssertionError(f"feedbackbot run exited:\n{worker.log}")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"/healthz still {status} {body} after {within:g}s")
        await asyncio.sleep(0.2)
        status, body = await health(base)
    return body


async def allow_connections(url: str, allowed: bool) -> None:
    """Make PostgreSQL database ``url`` refuse new connections (``ALTER DATABASE ...
    ALLOW_CONNECTIONS false``) and end every session it has, or accept them again."""
    parsed = make_url(url)
    admin = await asyncpg.connect(
        parsed.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
    )
    try:
        await admin.execute(
            f'ALTER DATABASE "{parsed.database}" ALLOW_CONNECTIONS {str(allowed).lower()}'
        )
        if not allowed:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                parsed.database,
            )
    finally:
        await admin.close()
