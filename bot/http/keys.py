"""What request handlers get, under the aiohttp ``AppKey`` they read it by.

Everything here is built once at start-up (``Services.build``): the survey catalog, the policy
config, the session factories and the clock. Handlers never load, convert or read the wall
clock themselves. Route modules import this module, never ``bot.http.server``, and the server
imports the route modules: no import points back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.configs import policy_config
from bot.http.health import HealthCheck
from bot.settings import Settings
from bot.supervision import Parts
from storage.engine import session_factory
from storage.types import utcnow
from surveys.catalog import Catalog, load_catalog
from surveys.policy import PolicyConfig


@dataclass
class Services:
    """What request handlers may use, handed to them through the application."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    """Sessions that write (case intake)."""
    read_sessions: async_sessionmaker[AsyncSession]
    """Sessions that only read (reports): on SQLite they never take the bots' write lock."""
    catalog: Catalog
    policy: PolicyConfig
    clock: Callable[[], datetime] = utcnow
    health_checks: dict[str, HealthCheck] = field(default_factory=dict)
    parts: Parts = field(default_factory=Parts)
    """The supervised parts, for /healthz and /metrics."""

    @classmethod
    def build(
        cls,
        settings: Settings,
        engine: AsyncEngine,
        *,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        catalog: Catalog | None = None,
        clock: Callable[[], datetime] = utcnow,
        health_checks: dict[str, HealthCheck] | None = None,
        parts: Parts | None = None,
    ) -> Services:
        """The services for ``settings``; the catalog is loaded from ``SURVEYS_FILE`` unless
        given (``serve()`` has loaded it already)."""
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions or session_factory(engine),
            read_sessions=session_factory(engine, read_only=True),
            catalog=catalog or load_catalog(settings.surveys_file),
            policy=policy_config(settings),
            clock=clock,
            health_checks=health_checks or {},
            parts=parts if parts is not None else Parts(),
        )


SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
