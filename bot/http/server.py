"""Builds the one aiohttp application; each feature module adds its own routes."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.http.health import HealthCheck, add_health_routes, database_check
from bot.settings import Settings


@dataclass
class Services:
    """What request handlers may use, handed to them through the application."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    health_checks: dict[str, HealthCheck] = field(default_factory=dict)


SERVICES: web.AppKey[Services] = web.AppKey("services", Services)


def build_web_app(services: Services) -> web.Application:
    app = web.Application()
    app[SERVICES] = services
    add_health_routes(app, {"database": database_check(services.engine), **services.health_checks})
    from bot.http.cases import add_case_routes  # here: route modules import SERVICES from us

    add_case_routes(app)
    from bot.http.reports import add_report_routes

    add_report_routes(app)
    from bot.http.events import add_event_routes
    from bot.http.insights import add_insight_routes

    add_event_routes(app)
    add_insight_routes(app)
    from bot.dashboard.routes import add_dashboard_routes

    add_dashboard_routes(app)
    return app
