"""POST /api/v1/cases/closed: a helpdesk reports a closed case; we answer with its invitations.

202 with the invitations scheduled or skipped (and why): for a new case, a repeated event
(``duplicate``) and a newer event about a known case (``updated``: reopened and resolved again)
alike; a chat address of another customer is named under ``warnings`` and its survey skipped.
400 bad JSON (or nested over 32 levels), 401 no token, 413 over 64 KiB, 422 naming each bad
field.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.http.auth import bearer_required
from bot.http.errors import field_errors
from bot.http.jsonbody import BadJson, read_json
from bot.http.keys import SERVICES
from bot.settings import SUPPORTED_LANGUAGES
from surveys.events import InvalidEvent, parse_event
from surveys.intake import record_case

log = logging.getLogger(__name__)


@bearer_required
async def close_case(request: web.Request) -> web.Response:
    try:
        data = await read_json(request)
    except BadJson as error:
        return error.response()
    try:
        event = parse_event(data, SUPPORTED_LANGUAGES)
    except InvalidEvent as invalid:
        return field_errors(422, invalid.problems)
    services = request.app[SERVICES]
    try:
        async with services.sessions() as session, session.begin():
            outcome = await record_case(
                session,
                event,
                catalog=services.catalog,
                config=services.policy,
                now=services.clock(),
            )
    except InvalidEvent as invalid:  # a per-case survey the catalog does not have
        return field_errors(422, invalid.problems)
    return web.json_response(outcome.as_json(), status=202)


def add_case_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/cases/closed", close_case)
