"""The daily digest DM per agent and the weekly team digest (with a chart) in a channel.

Both are once-per-period work: each (kind, period, target) is claimed in ``digest_log`` before
anything is posted, so any number of workers running the same job post each digest once. A
failed post releases its claim and the next run tries again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import chart, summary
from bot.slack.blocks import Block, context, section
from bot.slack.escape import escape
from bot.slack.figures import Figures, figures_by_agent, total
from bot.slack.services import SlackServices
from scoring.periods import Window
from storage import digest_log
from storage.addresses import agents_by_external_id, agents_on_slack
from storage.comments import recent_comments
from storage.follow_ups import open_alerts
from storage.models import Agent

if TYPE_CHECKING:
    from scoring.insights.themes import ThemeRow, ThemeScore

log = logging.getLogger(__name__)
AGENT_DAILY = "agent_daily"
TEAM_WEEKLY = "team_weekly"
CHART_WEEKS = 8
CHART_AGENTS = 10  # the busiest ones; more lines than that is noise
MAX_AGENT_LINES = 40
THEME_DAYS = 30
TEAM_THEMES = 3


async def _theme_rows(
    services: SlackServices, by: str, end: datetime
) -> dict[str | None, ThemeRow]:
    """The comment themes of the last ``THEME_DAYS`` per group; empty if they cannot be had
    (a digest without themes beats no digest)."""
    from scoring.insights.themes import build_themes

    try:
        async with services.sessions() as session, session.begin():
            result = await build_themes(
                session, by=by, window=Window(end - timedelta(days=THEME_DAYS), end)
            )
    except Exception:
        log.exception("comment themes for the digest failed", extra={"by": by})
        return {}
    return {row.key: row for row in result.rows}


def _low_score_theme(row: ThemeRow | None) -> ThemeScore | None:
    from scoring.insights.themes import low_score_theme

    return low_score_theme(row) if row is not None else None


def team_themes(row: ThemeRow | None) -> list[ThemeScore]:
    """The themes detractors raise most: the flagged ones, else those with z > 0 that at least
    two low scores mention."""
    if row is None:
        return []
    flagged = [s for s in row.themes if s.flagged]
    chosen = flagged or [s for s in row.themes if (s.z or 0) > 0 and s.detractors >= 2]
    return chosen[:TEAM_THEMES]


def day_window(now: datetime) -> tuple[datetime, datetime]:
    """Yesterday in UTC, as ``[start, end)``."""
    end = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
    return end - timedelta(days=1), end


def week_window(now: datetime) -> tuple[datetime, datetime]:
    """The last full ISO week (Monday to Monday, UTC), as ``[start, end)``."""
    today = now.astimezone(UTC).date()
    end = datetime.combine(today - timedelta(days=today.weekday()), time(), UTC)
    return end - timedelta(days=7), end


def week_key(start: datetime) -> str:
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def agent_label(agent: Agent) -> str:
    return agent.name or agent.external_id


async def send_daily_agent_digests(
    services: SlackServices, client: AsyncWebClient, now: datetime | None = None
) -> int:
    """DM each agent on Slack yesterday's numbers (vs the day before), their newest comments
    and their alerts waiting for a follow-up. Agents with nothing to report get nothing.
    Returns how many digests this call posted."""
    start, end = day_window(now or services.clock())
    period = start.date().isoformat()
    async with services.sessions() as session, session.begin():
        done = await digest_log.done_targets(session, AGENT_DAILY, period)
        agents = [a for a in await agents_on_slack(session) if a.external_id not in done]
        if not agents:
            return 0
        current = await figures_by_agent(session, start, end)
        previous = await figures_by_agent(session, start - timedelta(days=1), start)
    themes = await _theme_rows(services, "agent", end)

    async def digest_for(agent: Agent) -> Post | None:
        assert agent.id is not None and agent.slack_user_id is not None
        figures = current.get(agent.external_id, Figures())
        async with services.sessions() as session, session.begin():
            waiting = await open_alerts(session, agent.id)
            comments = await recent_comments(session, since=start, until=end, agent_ids=[agent.id])
        if figures == Figures() and not waiting and not comments:
            return None
        before = previous.get(agent.external_id, Figures())
        row = themes.get(agent.external_id)
        shared = _low_score_theme(row)
        return Post(
            f"Your feedback for {period}: CSAT {summary.csat_text(figures)}",
            [
                section(f"*Your feedback for {start:%A, %d %B %Y}*"),
                summary.figures_block(figures, before, "the day before"),
                *summary.comments_blocks(comments),
                *summary.theme_blocks(
                    [shared] if shared else [], f"What your low scores share ({THEME_DAYS} days)"
                ),
                *summary.open_alerts_blocks(waiting),
            ],
            dm_user=agent.slack_user_id,
        )

    posted = 0
    for agent in agents:
        key = DigestKey(AGENT_DAILY, period, agent.external_id)
        posted += await _once(services, client, key, functools.partial(digest_for, agent))
    return posted


async def send_weekly_team_digest(
    services: SlackServices, client: AsyncWebClient, now: datetime | None = None
) -> bool:
    """Post last week's team numbers in ``SLACK_DIGEST_CHANNEL`` with one line per agent, the
    newest comments and a chart of CSAT and NPS per agent over the last weeks. Returns whether
    this call posted it (False: no channel set, or already posted for that week)."""
    channel = services.digest_channel
    if not channel:
        return False
    start, end = week_window(now or services.clock())
    period = week_key(start)

    async def team_digest() -> Post:
        week_starts = [start - timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
        async with services.sessions() as session, session.begin():
            weekly = [
                await figures_by_agent(session, s, s + timedelta(weeks=1)) for s in week_starts
            ]
            previous = await figures_by_agent(session, start - timedelta(weeks=1), start)
            keys = sorted({a for week in weekly for a in week})
            names = await agents_by_external_id(session, keys)
            comments = await recent_comments(session, since=start, until=end)
        detractor_themes = team_themes((await _theme_rows(services, "all", end)).get(None))
        current, team = weekly[-1], total(weekly[-1].values())
        busiest = sorted(names, key=lambda a: -sum(w.get(a, Figures()).csat_n for w in weekly))
        series = {
            agent_label(names[key]): [week.get(key, Figures()) for week in weekly]
            for key in sorted(busiest[:CHART_AGENTS], key=lambda a: agent_label(names[a]))
        }
        return Post(
            f"Team feedback, week {period}: CSAT {summary.csat_text(team)}",
            [
                section(f"*Team feedback for the week of {start:%d %B %Y}* ({escape(period)})"),
                summary.figures_block(team, total(previous.values()), "the week before"),
                *_agent_lines(current, previous, names),
                *summary.comments_blocks(comments),
                *summary.theme_blocks(detractor_themes, f"Detractor theme ({THEME_DAYS} days)"),
            ],
            channel=channel,
            chart=chart.trend_png([f"{s:%Y-%m-%d}" for s in week_starts], series),
            chart_name=f"feedback-{period}.png",
        )

    return await _once(services, client, DigestKey(TEAM_WEEKLY, period, channel), team_digest) == 1


def _agent_lines(
    current: dict[str, Figures], previous: dict[str, Figures], names: dict[str, Agent]
) -> list[Block]:
    ranked = sorted(current, key=lambda a: (-current[a].csat_n, agent_label(names[a])))
    lines = []
    for key in ranked[:MAX_AGENT_LINES]:
        now, before = current[key], previous.get(key, Figures())
        moved = summary.change(now.csat.value, before.csat.value)
        lines.append(
            f"• *{escape(agent_label(names[key]))}*: CSAT {summary.csat_text(now)}"
            f"{f' {moved}' if moved else ''} · NPS {summary.nps_text(now)} · "
            f"response {summary.response_text(now)}"
        )
    if not lines:
        return [context("No answers this week.")]
    blocks = [section("\n".join(lines[i : i + 15])) for i in range(0, len(lines), 15)]
    if len(ranked) > MAX_AGENT_LINES:
        blocks.append(context(f"…and {len(ranked) - MAX_AGENT_LINES} more agents."))
    return blocks


@dataclass(frozen=True)
class DigestKey:
    kind: str
    period: str
    target: str


@dataclass(frozen=True)
class Post:
    """A digest message: to a user's DM or a channel, with an optional PNG chart."""

    text: str
    blocks: list[Block]
    dm_user: str | None = None
    channel: str | None = None
    chart: bytes | None = None
    chart_name: str = "chart.png"


async def _once(
    services: SlackServices,
    client: AsyncWebClient,
    key: DigestKey,
    build: Callable[[], Awaitable[Post | None]],
) -> int:
    """Claim ``key``, build the digest (None: nothing to say), post it, then finish.

    The claim comes first, so only its winner does the work. If the message cannot be posted
    (or building it fails) the claim is released and the next run tries again; once the message
    is out, a failed chart upload is logged and the digest counts as done (posting the whole
    digest twice would be worse than a missing chart). Returns 1 when this call posted.
    """
    ids = {"kind": key.kind, "period": key.period, "target": key.target}
    async with services.sessions() as session, session.begin():
        claimed = await digest_log.claim(
            session, key.kind, key.period, key.target, worker=services.worker, now=services.clock()
        )
    if not claimed:
        return 0
    try:
        post = await build()
        if post is None:
            await _finish(services, key, None)
            return 0
        channel = post.channel
        if post.dm_user is not None:
            channel = (await client.conversations_open(users=post.dm_user))["channel"]["id"]
        if channel is None:
            raise ValueError(f"the {key.kind} digest names neither a channel nor a user")
        posted = await client.chat_postMessage(channel=channel, text=post.text, blocks=post.blocks)
    except Exception as error:
        async with services.sessions() as session, session.begin():
            await digest_log.release(session, key.kind, key.period, key.target)
        if not isinstance(error, SlackApiError):
            raise
        log.warning("digest not posted", extra={**ids, "error": error.response.get("error")})
        return 0
    if post.chart is not None:
        try:
            await client.files_upload_v2(
                channel=posted["channel"],
                content=post.chart,
                filename=post.chart_name,
                title=f"CSAT and NPS per agent ({key.period})",
            )
        except SlackApiError as error:
            log.warning(
                "digest chart not uploaded", extra={**ids, "error": error.response.get("error")}
            )
    await _finish(services, key, f"{posted['channel']}:{posted['ts']}")
    log.info("digest posted", extra=ids)
    return 1


async def _finish(services: SlackServices, key: DigestKey, ref: str | None) -> None:
    async with services.sessions() as session, session.begin():
        await digest_log.finish(
            session, key.kind, key.period, key.target, now=services.clock(), result_ref=ref
        )
