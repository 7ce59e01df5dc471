"""POST /api/v1/customers/{id}/events: billing or a CRM reports renewals, purchases, churn, refunds.

The body is one event or ``{"events": [...]}`` (up to ``MAX_EVENTS``). 201 when something new
was stored, 200 when every event was there already (a retry), each event's status in the body;
400 bad JSON, 401 no token, 404 unknown customer, 409 an event id reused for another event or
a customer who erased their data (the id is their pseudonym), 413 too large, 422 naming each bad
field (``events[2].at``). Nothing is stored unless all are valid.

After a customer erased their data, their old id is unknown (404, like any unknown id: nothing
links it to the pseudonym any more). A new case for that id makes a new customer, with no past.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.http.auth import bearer_required
from bot.http.errors import field_errors, json_error
from bot.http.jsonbody import BadJson, read_json
from bot.http.keys import SERVICES
from bot.outcome_events import parse_event
from storage.events import (
    ERASED,
    PRESENT,
    RECORDED,
    UNKNOWN,
    EventRecord,
    customer_state,
    erased_customer,
    record_events,
    unknown_customer,
)
from storage.types import utcnow

MAX_EVENTS = 500
log = logging.getLogger(__name__)


def _events(data: Any) -> tuple[list[Any], str]:
    """The list of event objects and the field prefix their problems are named with."""
    if isinstance(data, dict) and "events" in data and len(data) == 1:
        return (data["events"], "events") if isinstance(data["events"], list) else ([], "")
    return [data], ""


@bearer_required
async def post_events(request: web.Request) -> web.Response:
    try:
        data = await read_json(request)
    except BadJson as error:
        return error.response()
    items, prefix = _events(data)
    if isinstance(data, dict) and "events" in data and not prefix:
        return field_errors(422, [("events", "must be a list of events")])
    if not items:
        return field_errors(422, [("events", "must hold at least one event")])
    if len(items) > MAX_EVENTS:
        return field_errors(422, [("events", f"must hold at most {MAX_EVENTS} events")])
    customer = request.match_info["customer_id"]
    now = utcnow()
    records: list[EventRecord] = []
    problems: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        record, found = parse_event(customer, item, now, f"{prefix}[{index}]." if prefix else "")
        problems.extend(found)
        if record is not None:
            records.append(record)
    if problems:
        return field_errors(422, problems)
    services = request.app[SERVICES]
    async with services.sessions() as session, session.begin():
        state = await customer_state(session, customer)
        if state == UNKNOWN:
            problem = [{"field": "customer_id", "problem": unknown_customer(customer)}]
            return json_error(404, "not_found", "No customer with this id.", problem)
        if state == ERASED:
            problem = [{"field": "customer_id", "problem": erased_customer(customer)}]
            return json_error(409, "customer_erased", "This customer erased their data.", problem)
        outcomes = await record_events(session, records)
        refused = [o for o in outcomes if o not in (RECORDED, PRESENT)]
        if refused:
            await session.rollback()
            return json_error(409, "conflict", refused[0])
    recorded = outcomes.count(RECORDED)
    log.info("customer events recorded", extra={"recorded": recorded, "events": len(records)})
    return web.json_response(
        {
            "recorded": recorded,
            "present": outcomes.count(PRESENT),
            "events": [
                {"id": r.event_key, "type": r.type.value, "status": o}
                for r, o in zip(records, outcomes, strict=True)
            ],
        },
        status=201 if recorded else 200,
    )


def add_event_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/customers/{customer_id}/events", post_events)
