"""Builds the one aiohttp application; each feature module adds its own routes."""

from __future__ import annotations

from aiohttp import web

from bot.dashboard.routes import add_dashboard_routes
from bot.hooks.route import add_hook_routes
from bot.http.cases import add_case_routes
from bot.http.events import add_event_routes
from bot.http.health import add_health_routes, database_check
from bot.http.insights import add_insight_routes
from bot.http.keys import SERVICES, Services
from bot.http.links import add_link_routes
from bot.http.metrics import add_metrics_routes
from bot.http.reports import add_report_routes


def build_web_app(services: Services) -> web.Application:
    app = web.Application()
    app[SERVICES] = services
    add_health_routes(
        app, {"database": database_check(services.engine), **services.health_checks}, services.parts
    )
    add_case_routes(app)
    add_hook_routes(app)
    add_link_routes(app)
    add_report_routes(app)
    add_event_routes(app)
    add_insight_routes(app)
    add_metrics_routes(app)
    add_dashboard_routes(app)
    return app
