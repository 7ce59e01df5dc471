"""The overview, the agents table and one agent's page."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from bot.dashboard.access import context, forbidden_page, page
from bot.dashboard.comments import comment_table
from bot.dashboard.common import read_period, reading, respond, weights, with_query
from bot.dashboard.follow_ups import follow_up_table
from bot.dashboard.signin import Viewer
from bot.dashboard.tables import Cell, Column, Table, text_cell
from bot.dashboard.trends import FIGURE_COLUMNS, build_trend, figure_cells, summary_table
from scoring.report import build_report
from storage.addresses import agents_by_external_id
from storage.comments import search_comments
from storage.follow_ups import list_follow_ups

SORTABLE = ("agent", *(c.name for c in FIGURE_COLUMNS))


def agent_path(agent: str) -> str:
    return f"/dashboard/agents/{quote(agent, safe='')}"


@page(admin_only=False)
async def overview(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    if not viewer.admin:
        raise web.HTTPSeeOther(agent_path(viewer.agent or ""))
    period = read_period(request.query)
    async with reading(request) as session:
        trend = await build_trend(session, period, weights(request))
    return respond(
        request,
        "overview.html",
        context(viewer, period=period, trend=trend, page="overview"),
        [summary_table(trend.total), trend.table],
    )


@page(admin_only=True)
async def agents(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    period = read_period(request.query)
    sort = request.query.get("sort", "agent")
    descending = request.query.get("dir", "asc") == "desc"
    async with reading(request) as session:
        report = await build_report(session, "agent", period.window, weights(request))
    table = Table(
        "agents",
        "Agents",
        (Column("agent", "Agent"), *FIGURE_COLUMNS),
        [
            [
                text_cell(row.key, agent_path(row.key)) if row.key else Cell("(no agent)"),
                *figure_cells(row),
            ]
            for row in report.rows
        ],
        stack=True,
    ).sorted_by(sort if sort in SORTABLE else "agent", descending)
    sort_links = {
        column.name: with_query(
            request.path,
            period.query,
            sort=column.name,
            dir="asc"
            if column.name == sort and descending
            else ("desc" if column.name == sort or column.numeric else "asc"),
        )
        for column in table.columns
    }
    return respond(
        request,
        "agents.html",
        context(
            viewer,
            period=period,
            page="agents",
            sort=sort,
            descending=descending,
            sort_links=sort_links,
        ),
        [table],
    )


@page(admin_only=False)
async def agent(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    external_id = request.match_info["agent"]
    if not viewer.may_see_agent(external_id):
        return forbidden_page(request, viewer)
    period = read_period(request.query)
    window = period.window
    async with reading(request) as session:
        known = (await agents_by_external_id(session, [external_id])).get(external_id)
        if known is None:
            return aiohttp_jinja2.render_template(
                "missing.html", request, context(viewer, what=f"agent {external_id}"), status=404
            )
        trend = await build_trend(session, period, weights(request), agent=external_id)
        comments = await search_comments(
            session, since=window.since, until=window.until, agent=external_id, limit=50
        )
        follow_ups = await list_follow_ups(
            session, since=window.since, until=window.until, agent=external_id
        )
    now = datetime.now(UTC)
    return respond(
        request,
        "agent.html",
        context(
            viewer,
            period=period,
            trend=trend,
            agent=external_id,
            agent_name=known.name,
            team=known.team,
            page="agent",
        ),
        [
            summary_table(trend.total),
            trend.table,
            comment_table(comments, with_agent=False),
            follow_up_table(follow_ups, now),
        ],
    )
