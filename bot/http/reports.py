"""``GET /api/v1/reports/summary`` and ``GET /api/v1/customers/{id}/value`` (Bearer API_TOKEN).

The summary is the JSON of ``feedbackbot report --format json``; bad parameters get a 422 that
names each one, an unknown customer a 404.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.http.auth import bearer_required
from bot.http.errors import field_errors, json_error
from bot.http.keys import SERVICES
from scoring.aggregate import GROUPINGS
from scoring.errors import InvalidParameter
from scoring.periods import Window, parse_since, parse_until
from scoring.report import build_report, customer_value
from scoring.value import resolve_weights
from surveys.events import MAX_ID_LENGTH, NOT_SINGLE_LINE, is_single_line

log = logging.getLogger(__name__)
SUMMARY_PARAMETERS = frozenset({"by", "since", "until"})


@bearer_required
async def summary(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    query = request.query
    problems: list[tuple[str, str]] = [
        (name, "is not a known parameter (by, since, until)")
        for name in sorted(set(query) - SUMMARY_PARAMETERS)
    ]
    by = query.get("by", "agent")
    if by not in GROUPINGS:
        problems.append(("by", f"must be one of {', '.join(GROUPINGS)}"))
    now = services.clock()
    until = now
    try:
        until = parse_until(query.get("until"), now)
    except InvalidParameter as error:
        problems.append((error.parameter, error.problem))
    since = None
    try:
        since = parse_since(query.get("since", "30d"), until if "until" in query else now)
    except InvalidParameter as error:
        problems.append((error.parameter, error.problem))
    if since is not None and since >= until:
        problems.append(("since", "must be before until"))
    if problems:
        return field_errors(422, problems)
    async with services.read_sessions() as session:
        report = await build_report(
            session, by, Window(since, until), services.settings.value_weights
        )
    log.info("report served", extra={"by": by, "rows": len(report.rows)})
    return web.json_response(report.to_json())


@bearer_required
async def value(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    external_id = request.match_info["customer_id"]
    if len(external_id) > MAX_ID_LENGTH or not is_single_line(external_id):
        problem = NOT_SINGLE_LINE if len(external_id) <= MAX_ID_LENGTH else "is too long"
        return field_errors(422, [("customer_id", problem)])
    async with services.read_sessions() as session:
        found = await customer_value(session, external_id, services.settings.value_weights)
    if found is None:
        return json_error(404, "not_found", "No customer with this id.")
    return web.json_response(found.to_json())


def add_report_routes(app: web.Application) -> None:
    """Add the routes; a VALUE_WEIGHTS naming an unknown dimension stops start-up here."""
    resolve_weights(app[SERVICES].settings.value_weights)
    app.router.add_get("/api/v1/reports/summary", summary)
    app.router.add_get("/api/v1/customers/{customer_id}/value", value)
