"""What every page shares: the period picker, the read-only session, and answering a page as
HTML or one of its tables as CSV (``?format=csv&table=NAME``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dashboard.tables import Table
from bot.http.keys import SERVICES
from scoring.errors import InvalidParameter
from scoring.periods import Window, window

PERIODS = (
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("180d", "Last 180 days"),
    ("365d", "Last 365 days"),
    ("all", "All time"),
)
DEFAULT_PERIOD = "90d"


@dataclass(frozen=True)
class Period:
    """The picked period: ``since`` as chosen (``30d``, a date, ``all``), ``until`` a date or
    empty (now), and the window they make."""

    since: str
    until: str
    window: Window

    @property
    def query(self) -> dict[str, str]:
        return {"since": self.since, **({"until": self.until} if self.until else {})}

    def span(self, days: Sequence[date]) -> tuple[date, date]:
        """The chart's time axis: the window, or around the data when it has no start."""
        last = (self.window.until - timedelta(microseconds=1)).date()
        if self.window.since is not None:
            return self.window.since.date(), last
        return (min(days) if days else last) - timedelta(days=3), last


def read_period(query: Mapping[str, str], now: datetime | None = None) -> Period:
    since = query.get("since", "").strip() or DEFAULT_PERIOD
    until = query.get("until", "").strip()
    return Period(since, until, window(since, until, now or datetime.now(UTC)))


def optional_int(query: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    text = query.get(name, "").strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise InvalidParameter(name, f"{text!r} is not a whole number") from None
    if not low <= number <= high:
        raise InvalidParameter(name, f"must be between {low} and {high}")
    return number


@asynccontextmanager
async def reading(request: web.Request) -> AsyncIterator[AsyncSession]:
    """A read-only session (on SQLite it never takes the bots' write lock)."""
    async with request.app[SERVICES].read_sessions() as session, session.begin():
        yield session


def weights(request: web.Request) -> dict[str, float]:
    return request.app[SERVICES].settings.value_weights


def with_query(path: str, query: Mapping[str, Any], **changes: Any) -> str:
    """``path`` with ``query`` and ``changes`` (None drops a parameter) as its query string."""
    merged = {**query, **changes}
    kept = {k: str(v) for k, v in merged.items() if v is not None and v != ""}
    return f"{path}?{urlencode(kept)}" if kept else path


def respond(
    request: web.Request, template: str, values: dict[str, Any], tables: Sequence[Table]
) -> web.Response:
    """The page, or with ``format=csv`` the table named by ``table`` as a download."""
    if request.query.get("format") == "csv":
        name = request.query.get("table", tables[0].name if tables else "")
        found = next((t for t in tables if t.name == name), None)
        if found is None:
            known = ", ".join(t.name for t in tables)
            raise InvalidParameter("table", f"{name!r} is not a table of this page ({known})")
        return web.Response(
            text=found.to_csv(),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{found.name}.csv"'},
        )
    csv_links = {
        t.name: with_query(request.path, request.query, format="csv", table=t.name) for t in tables
    }
    return aiohttp_jinja2.render_template(
        template,
        request,
        {**values, "tables": {t.name: t for t in tables}, "csv_links": csv_links},
    )
