"""GET /metrics: the Prometheus text format, behind the API token (Bearer).

The database figures are read at scrape time; when the database does not answer within
``DATABASE_TIMEOUT`` the scrape still succeeds, with ``feedbackbot_database_up 0`` and
without them, so an outage shows in the metrics instead of as a failed scrape.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot import metrics
from bot.http.auth import bearer_required
from bot.http.keys import SERVICES
from storage import invitations, leases
from storage.models import InvitationStatus

DATABASE_TIMEOUT = 2.0
log = logging.getLogger(__name__)


async def _read_database(request: web.Request) -> tuple[dict[str, int], dict[str, str]]:
    async with request.app[SERVICES].sessions() as session, session.begin():
        return await invitations.count_by_status(session), await leases.holders(session)


async def scrape(request: web.Request) -> web.StreamResponse:
    try:
        by_status, holders = await asyncio.wait_for(_read_database(request), DATABASE_TIMEOUT)
    except Exception as error:  # the scrape reports the outage, it does not fail with it
        log.warning("metrics without the database", extra={"error": type(error).__name__})
        metrics.set_invitations(None, ())
        metrics.set_leases(None)
    else:
        metrics.set_invitations(by_status, [status.value for status in InvitationStatus])
        metrics.set_leases(holders)
    metrics.set_parts(request.app[SERVICES].parts.working())
    return web.Response(body=metrics.render(), headers={"Content-Type": metrics.CONTENT_TYPE})


def add_metrics_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", bearer_required(scrape))
