"""Helpdesk webhook benchmark: closures per second through ``POST /hooks/...``, as a ratio of the
plain ``POST /api/v1/cases/closed`` measured in the same run, on SQLite and PostgreSQL.

    .venv/bin/python bench/hooks.py [--events 600] [--concurrency 8] [--rounds 2]
                                    [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
                                    [--no-postgres]

Each event is a ticket closed in one of the six helpdesks, in turn, shaped as the test fixtures
(helpdesks.md) are, with its own ticket and customer and a close time of now, signed as that
helpdesk signs. The baseline posts, for the very same events, the case-closed body a team's glue
code would send: the event our reader maps the webhook to (computed before the clock starts).
Both go over HTTP to the real application (``build_web_app``) with ``--concurrency`` requests
in flight, into a fresh migrated database each; both record one case and one CSAT invitation
per event. Rounds alternate baseline and hooks; the best round of each counts. After each
hooks run, a tenth of the webhooks is delivered again and must change nothing.
Goal: ratio >= 0.8.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import asyncpg
from aiohttp import web
from multidict import CIMultiDict
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.hooks.helpdesks import HELPDESKS, case_event
from bot.hooks.intake import HookIntake
from bot.hooks.payload import Closure
from bot.hooks.route import HOOKS
from bot.http.server import Services, build_web_app
from bot.settings import load_settings
from storage import migrate
from storage.engine import open_engine, session_factory
from storage.models import HookDelivery, Invitation, SupportCase
from storage.types import utcnow
from tests.bot.hooks.conftest import (
    DESKS,
    HOOKS_TOKEN,
    SECRET_SETTINGS,
    Desk,
    closed_at,
    signed_headers,
)

API_TOKEN = "bench-api-token"
GOAL = 0.8
console = Console()


@dataclass(frozen=True)
class Event:
    helpdesk: str
    body: bytes
    case_body: bytes


def _unique(desk: Desk, body: dict[str, Any], n: int) -> dict[str, Any]:
    """The desk's closure with ticket, customer and event ids of its own."""
    tag = f"{n}{uuid.uuid4().hex[:6]}"
    if desk.name == "chatwoot":
        body["id"] = n
        body["meta"]["sender"]["id"] = 100_000 + n
        body["meta"]["sender"]["email"] = f"c{tag}@example.com"
    elif desk.name == "zendesk":
        body["id"] = f"evt-{tag}"
        body["detail"] |= {"id": str(n), "requester_id": str(500_000 + n)}
    elif desk.name == "freshdesk":
        body["freshdesk_webhook"] |= {"ticket_id": str(n), "requester_id": str(700_000 + n)}
    elif desk.name == "helpscout":
        body["id"] = n
        body["primaryCustomer"]["id"] = 900_000 + n
    elif desk.name == "intercom":
        body["id"] = f"notif_{tag}"
        body["data"]["item"]["id"] = str(n)
        body["data"]["item"]["user"]["id"] = f"u{tag}"
    elif desk.name == "front":
        body["id"] = f"evt_{tag}"
        body["conversation"]["id"] = f"cnv_{tag}"
        body["conversation"]["recipient"]["_links"]["related"]["contact"] = (
            f"https://api2.frontapp.com/contacts/crd_{tag}"
        )
    return body


def make_events(count: int, now: datetime) -> list[Event]:
    events = []
    for n in range(count):
        desk = DESKS[n % len(DESKS)]
        body = _unique(desk, closed_at(desk, now - timedelta(minutes=1)), n)
        headers = CIMultiDict(signed_headers(desk.name, b"", now))
        read = HELPDESKS[desk.name].read(body, headers)
        assert isinstance(read, Closure), read
        event = case_event(desk.name, read, received_at=now)
        events.append(
            Event(
                desk.name,
                json.dumps(body).encode(),
                json.dumps(event.model_dump(mode="json", exclude_none=True)).encode(),
            )
        )
    return events


@asynccontextmanager
async def scratch_database(kind: str, postgres_url: str) -> AsyncIterator[str]:
    """An empty database migrated to head, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/bench.db"
            async with open_engine(url) as engine:
                await migrate.upgrade(engine)
            yield url
        return
    name = f"bench_hooks_{uuid.uuid4().hex[:10]}"
    admin = make_url(postgres_url).set(drivername="postgresql")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    await connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        async with open_engine(url) as engine:
            await migrate.upgrade(engine)
        yield url
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


@asynccontextmanager
async def application(url: str) -> AsyncIterator[tuple[str, Callable[[], Any], HookIntake]]:
    settings = load_settings(
        None,
        database_url=url,
        api_token=API_TOKEN,
        hooks_token=HOOKS_TOKEN,
        quiet_hours="",
        **SECRET_SETTINGS,
    )
    async with open_engine(url) as engine:
        app = build_web_app(Services.build(settings, engine))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]

        async def counts() -> tuple[int, int, int]:
            async with session_factory(engine)() as session:
                return tuple(  # type: ignore[return-value]
                    [
                        await session.scalar(select(func.count()).select_from(model)) or 0
                        for model in (SupportCase, Invitation, HookDelivery)
                    ]
                )

        try:
            yield f"http://127.0.0.1:{port}", counts, app[HOOKS]
        finally:
            await runner.cleanup()


async def send_all(
    base: str,
    requests: list[tuple[str, bytes, dict[str, str]]],
    concurrency: int,
    label: str,
    settle: Callable[[], Awaitable[Any]] | None = None,
) -> tuple[float, dict[int, int]]:
    """Post every request with ``concurrency`` in flight; seconds taken (until ``settle``, the
    work still in flight, is done too) and statuses seen."""
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[tuple[str, bytes, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=len(requests))
        async with aiohttp.ClientSession() as client:

            async def worker() -> None:
                while not queue.empty():
                    path, body, headers = queue.get_nowait()
                    async with client.post(base + path, data=body, headers=headers) as response:
                        await response.read()
                        statuses[response.status] = statuses.get(response.status, 0) + 1
                    progress.advance(task)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            if settle is not None:
                await settle()
            return time.perf_counter() - started, statuses


async def run_cases(url: str, events: list[Event], concurrency: int) -> tuple[float, list[str]]:
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    requests = [("/api/v1/cases/closed", e.case_body, headers) for e in events]
    async with application(url) as (base, counts, _):
        seconds, statuses = await send_all(base, requests, concurrency, "cases API")
        cases, invitations, _ = await counts()
    problems = [] if statuses == {202: len(events)} else [f"cases API statuses {statuses}"]
    if (cases, invitations) != (len(events), len(events)):
        problems.append(f"cases API recorded {cases} cases, {invitations} invitations")
    return seconds, problems


async def run_hooks(url: str, events: list[Event], concurrency: int) -> tuple[float, list[str]]:
    def request(event: Event) -> tuple[str, bytes, dict[str, str]]:
        headers = signed_headers(event.helpdesk, event.body, utcnow())
        headers["Content-Type"] = "application/json"
        return f"/hooks/{event.helpdesk}/{HOOKS_TOKEN}", event.body, headers

    async with application(url) as (base, counts, intake):
        seconds, statuses = await send_all(
            base, [request(e) for e in events], concurrency, "webhooks", settle=intake.settle
        )
        # 202: answered before the database was done (it was slow); recorded moments later.
        answered = statuses.get(200, 0) + statuses.get(202, 0)
        problems = [] if answered == len(events) else [f"webhook statuses {statuses}"]
        again = events[:: max(1, len(events) // (len(events) // 10 or 1))][: len(events) // 10]
        await send_all(base, [request(e) for e in again], concurrency, "redeliveries")
        await intake.settle()
        cases, invitations, deliveries = await counts()
    if (cases, invitations, deliveries) != (len(events),) * 3:
        problems.append(
            f"webhooks recorded {cases} cases, {invitations} invitations, {deliveries} deliveries"
        )
    return seconds, problems


async def measure(
    kind: str, postgres_url: str, count: int, concurrency: int, rounds: int
) -> tuple[float, float, list[str]]:
    """Best events/s of the cases API and of the webhooks over ``rounds`` alternating rounds."""
    best = {"cases": 0.0, "hooks": 0.0}
    problems: list[str] = []
    for round_number in range(rounds):
        order = ("cases", "hooks") if round_number % 2 == 0 else ("hooks", "cases")
        for side in order:
            events = make_events(count, utcnow())
            async with scratch_database(kind, postgres_url) as url:
                run = run_cases if side == "cases" else run_hooks
                seconds, found = await run(url, events, concurrency)
            problems += found
            best[side] = max(best[side], count / seconds)
    return best["cases"], best["hooks"], problems


async def postgres_available(url: str) -> bool:
    try:
        connection = await asyncpg.connect(
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
            timeout=3,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=600, help="closures per run")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; best counts")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server where scratch databases may be created",
    )
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    kinds = ["sqlite"]
    if not args.no_postgres:
        if await postgres_available(args.postgres_url):
            kinds.append("postgresql")
        else:
            console.print(f"PostgreSQL at {args.postgres_url} is not reachable: SQLite only")
    table = Table(
        title=f"{args.events} closures, {args.concurrency} in flight, best of {args.rounds}"
    )
    for column in ("database", "cases API /s", "webhooks /s", "ratio webhooks/cases", "goal"):
        table.add_column(column, justify="right")
    failures: list[str] = []
    for kind in kinds:
        cases, hooks, problems = await measure(
            kind, args.postgres_url, args.events, args.concurrency, args.rounds
        )
        ratio = hooks / cases
        table.add_row(
            kind,
            f"{cases:.0f}",
            f"{hooks:.0f}",
            f"{ratio:.2f}",
            "met" if ratio >= GOAL else "MISSED",
        )
        failures += [f"{kind}: {p}" for p in problems]
    console.print(table)
    for failure in failures:
        console.print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
