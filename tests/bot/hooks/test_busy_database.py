"""The answer to a webhook goes out within the helpdesk's patience (Chatwoot waits 5 s) while
another transaction holds the database, and the case is recorded once it lets go."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import asyncpg
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.hooks.route import HOOKS
from bot.http.server import Services, build_web_app
from bot.settings import load_settings
from storage.engine import session_factory
from storage.models import SupportCase
from tests.bot.hooks.conftest import DESKS, HOOKS_TOKEN, SECRET_SETTINGS, signed_headers

CHATWOOT_TIMEOUT = aiohttp.ClientTimeout(total=5)


@asynccontextmanager
async def database_held(engine: AsyncEngine) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Another client holds the tables a webhook writes until the yielded function is called."""
    url = engine.url
    if engine.dialect.name == "sqlite":
        holder = sqlite3.connect(str(url.database), isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")

        async def release_sqlite() -> None:
            holder.execute("COMMIT")
            holder.close()

        yield release_sqlite
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("LOCK TABLE hook_delivery, support_case IN ACCESS EXCLUSIVE MODE")

    async def release_postgres() -> None:
        await transaction.rollback()
        await connection.close()

    yield release_postgres


async def test_a_webhook_is_answered_in_time_while_the_database_is_held_and_recorded_after(
    engine: AsyncEngine,
) -> None:
    settings = load_settings(None, hooks_token=HOOKS_TOKEN, **SECRET_SETTINGS)
    desk = DESKS[0]
    now = desk.closed_at
    assert now is not None
    app = build_web_app(Services.build(settings, engine, clock=lambda: now))
    body = desk.body()
    async with TestClient(TestServer(app)) as client, database_held(engine) as release:
        response = await client.post(
            f"/hooks/chatwoot/{HOOKS_TOKEN}",
            data=body,
            headers=signed_headers("chatwoot", body, now),
            timeout=CHATWOOT_TIMEOUT,
        )
        assert response.status == 202
        assert (await response.json()) == {"status": "accepted", "case_id": "chatwoot:10"}
        await release()
        assert not await app[HOOKS].settle(30)
    async with session_factory(engine)() as session:
        cases = await session.scalar(select(func.count()).select_from(SupportCase))
    assert cases == 1
