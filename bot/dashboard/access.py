"""Who may see which page: the session cookie read on every request, checked per page.

No session (or one that is forged, altered or expired): the sign-in page with status 401 and
no data. Admins see every page; an agent sees their own agent page only, 403 elsewhere.
Every dashboard response gets headers that keep it out of caches, frames and referrers, and a
content policy that allows nothing from other origins.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.dashboard.signin import COOKIE, Viewer, read_session
from bot.http.keys import SERVICES
from scoring.errors import InvalidParameter

PageHandler = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def link_secret(request: web.Request) -> str | None:
    secret = request.app[SERVICES].settings.link_secret
    return None if secret is None else secret.get_secret_value()


def current_viewer(request: web.Request) -> Viewer | None:
    secret, cookie = link_secret(request), request.cookies.get(COOKIE)
    if secret is None or not cookie:
        return None
    return read_session(secret, cookie, datetime.now(UTC))


def secured(response: web.StreamResponse) -> web.StreamResponse:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def signin_page(request: web.Request, message: str | None = None) -> web.Response:
    return aiohttp_jinja2.render_template(
        "signin.html",
        request,
        {"message": message, "configured": link_secret(request) is not None, "viewer": None},
        status=401,
    )


def forbidden_page(request: web.Request, viewer: Viewer) -> web.Response:
    return aiohttp_jinja2.render_template("forbidden.html", request, {"viewer": viewer}, status=403)


def page(*, admin_only: bool) -> Callable[[PageHandler], Handler]:
    """Wrap a page handler: it runs with the signed-in viewer, or the visitor gets the sign-in
    page (no session) or 403 (an agent on an admin page)."""

    def wrap(handler: PageHandler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            viewer = current_viewer(request)
            if viewer is None:
                return secured(signin_page(request))
            if admin_only and not viewer.admin:
                return secured(forbidden_page(request, viewer))
            try:
                return secured(await handler(request, viewer))
            except InvalidParameter as error:
                return secured(
                    aiohttp_jinja2.render_template(
                        "error.html", request, {"viewer": viewer, "error": error}, status=400
                    )
                )

        return guarded

    return wrap


def context(viewer: Viewer, **values: Any) -> dict[str, Any]:
    return {"viewer": viewer, **values}
