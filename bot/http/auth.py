"""Bearer ``API_TOKEN`` for the REST API, compared in constant time.

Auth failures stay bare (no hint which part was wrong); an unset API_TOKEN refuses everything.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.http.errors import json_error
from bot.http.keys import SERVICES

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def token_is_valid(request: web.Request) -> bool:
    expected = request.app[SERVICES].settings.api_token
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if expected is None or scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.get_secret_value().encode())


def bearer_required(handler: Handler) -> Handler:
    """Wrap a route handler so it runs only for requests with the right Bearer token."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        if not token_is_valid(request):
            response = json_error(401, "unauthorized", "A valid Bearer token is required.")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return await handler(request)

    return guarded
