"""GET /healthz: 200 when every check passes, 503 naming the ones that fail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

HealthCheck = Callable[[], Awaitable[bool]]
HEALTH_CHECKS: web.AppKey[dict[str, HealthCheck]] = web.AppKey("health_checks", dict)
log = logging.getLogger(__name__)


def database_check(engine: AsyncEngine) -> HealthCheck:
    async def check() -> bool:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    return check


async def healthz(request: web.Request) -> web.Response:
    results: dict[str, str] = {}
    for name, check in request.app[HEALTH_CHECKS].items():
        try:
            healthy = await check()
        except Exception as error:  # a health check reports failures, it never raises
            log.warning("health check failed", extra={"check": name, "error": type(error).__name__})
            healthy = False
        results[name] = "ok" if healthy else "failing"
    ok = all(state == "ok" for state in results.values())
    return web.json_response(
        {"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503
    )


def add_health_routes(app: web.Application, checks: dict[str, HealthCheck]) -> None:
    app[HEALTH_CHECKS] = checks
    app.router.add_get("/healthz", healthz)
