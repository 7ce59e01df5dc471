"""The follow-ups page: low scores, how long they have waited, and who closed the loop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.dashboard.access import context, page
from bot.dashboard.common import read_period, reading, respond
from bot.dashboard.signin import Viewer
from bot.dashboard.tables import Cell, Column, Table, text_cell
from scoring.errors import InvalidParameter
from storage.follow_ups import FollowUpEntry, list_follow_ups

STATES = {"open": False, "closed": True, "all": None}


def age_text(age: timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def follow_up_table(entries: Sequence[FollowUpEntry], now: datetime) -> Table:
    table = Table(
        "follow_ups",
        "Low scores and their follow-up",
        (
            Column("raised_at", "Raised"),
            Column("agent", "Agent"),
            Column("customer", "Customer"),
            Column("case", "Case"),
            Column("survey", "Survey"),
            Column("score", "Score", numeric=True),
            Column("status", "Status"),
            Column("age_hours", "Waiting", numeric=True),
            Column("closed_by", "Closed the loop"),
            Column("closed_at", "Closed"),
        ),
        stack=True,
    )
    for entry in entries:
        closed = entry.followed_up_at is not None
        waited = (entry.followed_up_at or now) - entry.created_at
        table.rows.append(
            [
                Cell(f"{entry.created_at:%Y-%m-%d %H:%M}", entry.created_at.isoformat()),
                text_cell(entry.agent_name or entry.agent_external_id),
                text_cell(entry.customer_name or entry.customer_external_id),
                text_cell(entry.case_external_id),
                text_cell(entry.survey_key),
                Cell("–" if entry.score is None else str(entry.score), entry.score),
                Cell("closed" if closed else "open", "closed" if closed else "open"),
                Cell(
                    f"took {age_text(waited)}" if closed else age_text(waited),
                    round(waited.total_seconds() / 3600, 1),
                ),
                text_cell(entry.followed_up_by_name or entry.followed_up_by),
                Cell(
                    f"{entry.followed_up_at:%Y-%m-%d %H:%M}" if entry.followed_up_at else "",
                    entry.followed_up_at.isoformat() if entry.followed_up_at else None,
                ),
            ]
        )
    return table


@page(admin_only=True)
async def follow_ups(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    period = read_period(request.query)
    state = request.query.get("state", "open") or "open"
    if state not in STATES:
        raise InvalidParameter("state", "must be open, closed or all")
    agent = request.query.get("agent", "").strip() or None
    async with reading(request) as session:
        entries = await list_follow_ups(
            session,
            since=period.window.since,
            until=period.window.until,
            agent=agent,
            closed=STATES[state],
        )
    return respond(
        request,
        "follow_ups.html",
        context(viewer, period=period, page="follow_ups", state=state, agent=agent or ""),
        [follow_up_table(entries, datetime.now(UTC))],
    )
