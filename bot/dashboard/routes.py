"""Wires the dashboard into the one aiohttp application: templates, static files, pages and
sign-in."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.dashboard import comments, customers, follow_ups, overview
from bot.dashboard.access import current_viewer, link_secret, secured, signin_page
from bot.dashboard.common import PERIODS
from bot.dashboard.signin import COOKIE, SESSION_LIFETIME, redeem_link, session_cookie
from bot.http.keys import SERVICES

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
USED_OR_EXPIRED = (
    "This sign-in link cannot be used: links work once, for 15 minutes. "
    "Ask for a new one with /feedback dashboard in Slack."
)


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def signin(request: web.Request) -> web.StreamResponse:
    """Spend a one-time link and start a 12-hour session; anything else shows the sign-in page.

    The cookie is Secure when the request came over https, or when ``DASHBOARD_URL`` is https
    (a proxy in front ends TLS, so this server sees plain http).
    """
    token, secret = request.query.get("token", ""), link_secret(request)
    if not token or secret is None:
        if current_viewer(request) is not None:
            raise web.HTTPSeeOther("/dashboard/")
        return secured(signin_page(request))
    now = datetime.now(UTC)
    settings = request.app[SERVICES].settings
    async with request.app[SERVICES].sessions() as session, session.begin():
        viewer = await redeem_link(session, secret, token, now)
    if viewer is None:
        log.info("dashboard sign-in refused: link forged, used or expired")
        return secured(signin_page(request, USED_OR_EXPIRED))
    log.info("dashboard sign-in", extra={"viewer": viewer.label})
    response = see_other("/dashboard/")
    response.set_cookie(
        COOKIE,
        session_cookie(secret, viewer, now),
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/dashboard",
        httponly=True,
        samesite="Lax",
        secure=request.secure or settings.dashboard_base_url.startswith("https://"),
    )
    secured(response)
    return response


async def signout(request: web.Request) -> web.StreamResponse:
    response = see_other("/dashboard/signin")
    response.del_cookie(COOKIE, path="/dashboard")
    return secured(response)


async def to_overview(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently("/dashboard/")


def add_dashboard_routes(app: web.Application) -> None:
    environment = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("bot.dashboard", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    environment.globals.update(
        static="/dashboard/static", periods=PERIODS, period_values=[v for v, _ in PERIODS]
    )
    app.router.add_get("/dashboard", to_overview)
    app.router.add_get("/dashboard/", overview.overview)
    app.router.add_get("/dashboard/signin", signin)
    app.router.add_get("/dashboard/signout", signout)
    app.router.add_get("/dashboard/agents", overview.agents)
    app.router.add_get("/dashboard/agents/{agent}", overview.agent)
    app.router.add_get("/dashboard/customers", customers.customers)
    app.router.add_get("/dashboard/comments", comments.comments)
    app.router.add_get("/dashboard/follow-ups", follow_ups.follow_ups)
    app.router.add_static("/dashboard/static/", STATIC, append_version=False)
