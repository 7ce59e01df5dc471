"""The comments page (search the text, filter by score, agent, survey and period), and the
comments table that each agent's page shows too."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bot.dashboard.access import context, page
from bot.dashboard.common import optional_int, read_period, reading, respond
from bot.dashboard.signin import Viewer
from bot.dashboard.tables import Cell, Column, Table, text_cell
from storage.comments import FoundComment, search_comments


def comment_table(comments: Sequence[FoundComment], *, with_agent: bool) -> Table:
    columns = [
        Column("answered_at", "When"),
        *([Column("agent", "Agent")] if with_agent else []),
        Column("customer", "Customer"),
        Column("survey", "Survey"),
        Column("score", "Score", numeric=True),
        Column("comment", "Comment"),
    ]
    rows = []
    for c in comments:
        agent = [text_cell(c.agent_name or c.agent_external_id)] if with_agent else []
        rows.append(
            [
                Cell(f"{c.answered_at:%Y-%m-%d %H:%M}", c.answered_at.isoformat()),
                *agent,
                text_cell(c.customer_name or c.customer_external_id),
                text_cell(c.survey_key),
                Cell("–" if c.score is None else str(c.score), c.score),
                text_cell(c.text),
            ]
        )
    return Table("comments", "Comments", columns, rows, stack=True)


@page(admin_only=True)
async def comments(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    period = read_period(request.query)
    query = request.query
    search = query.get("q", "").strip()[:200]
    agent = query.get("agent", "").strip() or None
    survey = query.get("survey", "").strip() or None
    score_min = optional_int(query, "score_min", 0, 10)
    score_max = optional_int(query, "score_max", 0, 10)
    async with reading(request) as session:
        found = await search_comments(
            session,
            since=period.window.since,
            until=period.window.until,
            contains=search or None,
            agent=agent,
            survey=survey,
            score_min=score_min,
            score_max=score_max,
        )
    table = comment_table(found, with_agent=True)
    filters = {
        "q": search,
        "agent": agent or "",
        "survey": survey or "",
        "score_min": "" if score_min is None else score_min,
        "score_max": "" if score_max is None else score_max,
    }
    return respond(
        request,
        "comments.html",
        context(viewer, period=period, page="comments", filters=filters),
        [table],
    )
