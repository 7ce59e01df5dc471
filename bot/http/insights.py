"""GET /api/v1/insights/{drivers|themes|outcomes} (Bearer API_TOKEN): the JSON of
``feedbackbot insights ... --format json``. Bad parameters get a 422 naming each one."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.http.auth import bearer_required
from bot.http.errors import field_errors
from bot.http.keys import SERVICES, Services
from scoring.errors import InvalidParameter
from scoring.periods import Window, parse_since, parse_until
from storage.engine import session_factory

log = logging.getLogger(__name__)
Analysis = Callable[[Services, Mapping[str, str], Window, datetime], Awaitable[dict[str, Any]]]


def _window(query: Mapping[str, str], now: datetime, default_since: str) -> Window:
    until = parse_until(query.get("until"), now)
    since = parse_since(query.get("since", default_since), until if "until" in query else now)
    if since is not None and since >= until:
        raise InvalidParameter("since", "must be before until")
    return Window(since, until)


async def _outcomes(
    services: Services, query: Mapping[str, str], span: Window, now: datetime
) -> dict[str, Any]:
    from scoring.insights.outcomes import build_outcomes, parse_horizon

    async with session_factory(services.engine, read_only=True)() as session:
        result = await build_outcomes(
            session,
            score=query.get("score", "nps"),
            by=query.get("by", "all"),
            window=span,
            horizon=parse_horizon(query.get("horizon")),
            observed_until=now,
            weights=services.settings.value_weights,
        )
    return result.to_json()


async def _drivers(
    services: Services, query: Mapping[str, str], span: Window, now: datetime
) -> dict[str, Any]:
    from scoring.insights.drivers import build_drivers

    extras = [e.strip() for e in query.get("with", "").split(",") if e.strip()]
    async with session_factory(services.engine, read_only=True)() as session:
        result = await build_drivers(
            session,
            target=query.get("target", "nps"),
            by=query.get("by", "all"),
            window=span,
            extras=extras,
            weights=services.settings.value_weights,
        )
    return result.to_json()


async def _themes(
    services: Services, query: Mapping[str, str], span: Window, now: datetime
) -> dict[str, Any]:
    from scoring.insights.themes import build_themes

    async with session_factory(services.engine, read_only=True)() as session:
        result = await build_themes(
            session,
            by=query.get("by", "all"),
            window=span,
            default_language=services.settings.default_language,
        )
    return result.to_json()


ANALYSES: dict[str, tuple[frozenset[str], str, Analysis]] = {
    "drivers": (frozenset({"target", "by", "with", "since", "until"}), "90d", _drivers),
    "outcomes": (frozenset({"score", "by", "since", "until", "horizon"}), "all", _outcomes),
    "themes": (frozenset({"by", "since", "until"}), "90d", _themes),
}
"""Each analysis: its parameters, the default ``since`` and the function."""


@bearer_required
async def insight(request: web.Request) -> web.Response:
    name = request.match_info["analysis"]
    if name not in ANALYSES:
        return field_errors(404, [("analysis", f"must be one of {', '.join(ANALYSES)}")])
    known, default_since, analysis = ANALYSES[name]
    query = request.query
    unknown = sorted(set(query) - known)
    if unknown:
        return field_errors(
            422, [(k, f"is not a known parameter ({', '.join(sorted(known))})") for k in unknown]
        )
    now = datetime.now(UTC)
    try:
        span = _window(query, now, default_since)
        body = await analysis(request.app[SERVICES], query, span, now)
    except InvalidParameter as error:
        return field_errors(422, [(error.parameter, error.problem)])
    log.info("insight served", extra={"analysis": name})
    return web.json_response(body)


def add_insight_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/insights/{analysis}", insight)
