"""Report windows (``--since 30d --until 2026-03-01``) and period buckets (day, week, month).

A bucket is the first day of its period as ``YYYY-MM-DD`` text (weeks start on Monday, UTC),
computed in the database: ``period_start`` compiles to ``strftime``/``date`` on SQLite and to
``date_trunc``/``to_char`` on PostgreSQL, so one query expression serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from scoring.errors import InvalidParameter
from storage.types import EARLIEST, LATEST

PERIODS = ("day", "week", "month")
_RELATIVE = re.compile(r"^(\d{1,5})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class Window:
    """The half-open interval ``[since, until)``; ``since`` None means from the beginning."""

    since: datetime | None
    until: datetime

    def to_json(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
        }

    def contains(self, column: Any) -> sa.ColumnElement[bool]:
        """``since <= column < until``; with no ``since``, the bound alone is kept off indexes.

        An upper bound at "now" selects nearly every row, and SQLite would otherwise read them
        through the timestamp index one random table lookup at a time instead of scanning.
        """
        if self.since is None:
            return unindexed(column) < self.until
        return sa.and_(column >= self.since, column < self.until)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _within(moment: datetime | None, parameter: str) -> datetime | None:
    """``moment`` when it lies in the years we accept; year 1 or 9999 would overflow the
    arithmetic on the window (issue 12)."""
    if moment is not None and not EARLIEST <= moment <= LATEST:
        raise InvalidParameter(
            parameter,
            f"must lie between {EARLIEST.date().isoformat()} and {LATEST.date().isoformat()}",
        )
    return moment


def parse_since(text: str | None, now: datetime, parameter: str = "since") -> datetime | None:
    """``30d``, ``12w``, ``48h`` before ``now``; a date or ISO timestamp; ``all`` for no limit."""
    text = (text or "").strip()
    if text.lower() in ("", "all"):
        return None
    match = _RELATIVE.match(text.lower())
    try:
        if match:
            span = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
            return _within(now - span, parameter)
        if len(text) == 10:
            return _within(datetime.combine(date.fromisoformat(text), time(), UTC), parameter)
        return _within(_aware(datetime.fromisoformat(text)), parameter)
    except OverflowError:
        raise InvalidParameter(parameter, "reaches beyond the years a report can cover") from None
    except ValueError:
        raise InvalidParameter(
            parameter,
            f"{text!r} is not a duration (30d, 12w, 48h), a date (2026-01-31), "
            "an ISO timestamp or 'all'",
        ) from None


def parse_until(text: str | None, now: datetime, parameter: str = "until") -> datetime:
    """A date means up to the end of that day; a timestamp is exclusive; empty means ``now``."""
    text = (text or "").strip()
    if not text:
        return now
    try:
        if len(text) == 10:
            end = datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), UTC)
        else:
            end = _aware(datetime.fromisoformat(text))
    except OverflowError:
        end = LATEST + timedelta(days=1)  # 9999-12-31: refused below, naming the parameter
    except ValueError:
        raise InvalidParameter(
            parameter, f"{text!r} is not a date (2026-01-31) or an ISO timestamp"
        ) from None
    return _within(end, parameter) or now


def window(since: str | None, until: str | None, now: datetime) -> Window:
    """Parse both ends; raises InvalidParameter naming ``since`` or ``until``."""
    end = parse_until(until, now)
    start = parse_since(since, end if since and _RELATIVE.match(since.strip()) else now)
    if start is not None and start >= end:
        raise InvalidParameter("since", "must be before until")
    return Window(start, end)


class period_start(FunctionElement[str]):
    """``period_start(unit, timestamp)``: the first day of its day/week/month as text."""

    type = sa.String()
    inherit_cache = False

    def __init__(self, unit: str, column: Any) -> None:
        if unit not in PERIODS:
            raise InvalidParameter("by", f"{unit!r} is not one of {', '.join(PERIODS)}")
        self.unit = unit
        super().__init__(column)


_SQLITE = {
    "day": "strftime('%Y-%m-%d', {})",
    "week": "date({}, '-6 days', 'weekday 1')",
    "month": "strftime('%Y-%m-01', {})",
}


@compiles(period_start, "sqlite")
def _sqlite_period(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    return _SQLITE[element.unit].format(compiler.process(element.clauses, **kw))


@compiles(period_start, "postgresql")
def _postgres_period(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('{element.unit}', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


class unindexed(FunctionElement[Any]):
    """The column itself, written so that SQLite does not look it up through an index."""

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        self.type = column.type
        super().__init__(column)


@compiles(unindexed)
def _plain(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _sqlite_unindexed(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"
