"""GET /healthz: 200 when the database answers and every supervised part works, else 503.

The body names what is down, so an operator (or a load balancer's log) sees why::

    {"status": "unavailable", "down": ["database", "telegram"],
     "checks": {"database": "failing", "scheduler": "ok"},
     "parts": {"telegram": {"state": "down", "since": "...", "restarts": 3,
                            "error": "TelegramServerError"}, ...}}

A part still ``starting`` counts as not ready. Errors show only their type here: the endpoint
needs no token, so messages (hosts, ids) stay in the log. A load balancer probes every few
seconds, so the log says when a check starts failing and when it passes again, not every probe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.supervision import Part, Parts

HealthCheck = Callable[[], Awaitable[bool]]
HEALTH_CHECKS: web.AppKey[dict[str, HealthCheck]] = web.AppKey("health_checks", dict)
PARTS: web.AppKey[Parts] = web.AppKey("parts", Parts)
FAILING: web.AppKey[set[str]] = web.AppKey("failing_health_checks", set)
CHECK_TIMEOUT = 2.0
"""A check that takes longer fails: a database that hangs is as down as one that refuses."""
log = logging.getLogger(__name__)


def database_check(engine: AsyncEngine) -> HealthCheck:
    async def check() -> bool:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    return check


async def _passes(name: str, check: HealthCheck, failing: set[str]) -> bool:
    try:
        passed = await asyncio.wait_for(check(), CHECK_TIMEOUT)
    except Exception as error:  # a health check reports failures, it never raises
        if name not in failing:
            log.warning(
                "health check failing", extra={"check": name, "error": type(error).__name__}
            )
        failing.add(name)
        return False
    if passed and name in failing:
        failing.discard(name)
        log.info("health check passing again", extra={"check": name})
    return passed


def _shown(part: Part) -> dict[str, object]:
    return {
        "state": part.state.value,
        "since": part.since.isoformat(),
        "restarts": part.restarts,
        "error": part.error.partition(":")[0] if part.error else None,
    }


async def healthz(request: web.Request) -> web.Response:
    checks, failing = request.app[HEALTH_CHECKS], request.app[FAILING]
    passed = await asyncio.gather(
        *(_passes(name, check, failing) for name, check in checks.items())
    )
    results = {name: "ok" if ok else "failing" for name, ok in zip(checks, passed, strict=True)}
    parts = request.app[PARTS].all()
    down = [name for name, ok in zip(checks, passed, strict=True) if not ok]
    down += [part.name for part in parts if not part.working]
    return web.json_response(
        {
            "status": "unavailable" if down else "ok",
            "down": down,
            "checks": results,
            "parts": {part.name: _shown(part) for part in parts},
        },
        status=503 if down else 200,
    )


def add_health_routes(
    app: web.Application, checks: dict[str, HealthCheck], parts: Parts | None = None
) -> None:
    app[HEALTH_CHECKS] = checks
    app[PARTS] = parts if parts is not None else Parts()
    app[FAILING] = set()
    app.router.add_get("/healthz", healthz)
