"""``/feedback [@agent] [7d|30d|90d]``: an agent's numbers, shown only to whoever asked.

Agents see their own; only users in ``SLACK_ADMIN_USERS`` may name another agent.
``/feedback dashboard`` sends the user a one-time dashboard sign-in link in a DM (DESIGN
section 11): admins get an admin link, agents a link to their own pages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.dashboard.signin import Viewer, create_link
from bot.slack import summary
from bot.slack.blocks import Block, section
from bot.slack.escape import escape
from bot.slack.figures import Figures, figures_by_agent
from bot.slack.services import SERVICES_KEY, SlackServices
from storage.addresses import agent_by_slack_user
from storage.comments import recent_comments
from storage.follow_ups import open_alerts

log = logging.getLogger(__name__)
COMMAND = "/feedback"
PERIODS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_DAYS = 30
USAGE = (
    "Usage: `/feedback [@agent] [7d|30d|90d]`, for example `/feedback 7d` for your own last "
    "week, or `/feedback @dana 90d` (admins only) for another agent; `/feedback dashboard` "
    "sends you a sign-in link to the dashboard."
)
DASHBOARD = "dashboard"
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


class UsageError(ValueError):
    pass


@dataclass(frozen=True)
class FeedbackRequest:
    slack_user: str | None
    days: int


def parse(text: str) -> FeedbackRequest:
    """Read the command's words: at most one mention and one period, in any order."""
    user: str | None = None
    days: int | None = None
    for word in text.split():
        mention = _MENTION.match(word)
        if mention and user is None:
            user = mention.group(1)
        elif word.lower() in PERIODS and days is None:
            days = PERIODS[word.lower()]
        elif word.startswith("@"):
            raise UsageError(
                f"I could not tell who {escape(word)} is: pick the person from Slack's @ list "
                "so the mention is linked."
            )
        else:
            raise UsageError(f"`{escape(word)}` is neither an @agent nor 7d, 30d or 90d.")
    return FeedbackRequest(user, days or DEFAULT_DAYS)


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(on_feedback)


async def on_feedback(
    ack: Any, command: dict, client: AsyncWebClient, respond: Any, context: dict
) -> None:
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    services.work.spawn(_answer(services, client, respond, command), name="slack.feedback")


async def _answer(
    services: SlackServices, client: AsyncWebClient, respond: Any, command: dict
) -> None:
    requester = command["user_id"]
    if (command.get("text") or "").strip().lower() == DASHBOARD:
        await _reply(
            client, respond, command, await send_dashboard_link(services, client, requester)
        )
        return
    try:
        request = parse(command.get("text") or "")
    except UsageError as error:
        await _reply(client, respond, command, f"{error}\n{USAGE}")
        return
    target = request.slack_user or requester
    if target != requester and requester not in services.admin_users:
        log.info("feedback for another agent refused", extra={"slack_user": requester})
        await _reply(
            client,
            respond,
            command,
            "Only admins can look at another agent's feedback. `/feedback` shows your own.",
        )
        return
    await _reply(client, respond, command, *await summary_for(services, target, request.days))


async def send_dashboard_link(
    services: SlackServices, client: AsyncWebClient, slack_user: str
) -> str:
    """DM ``slack_user`` a one-time dashboard link; return what to tell them where they asked."""
    if services.link_secret is None:
        return "The dashboard is not set up: ask whoever runs feedbackbot to set LINK_SECRET."
    async with services.sessions() as session, session.begin():
        if slack_user in services.admin_users:
            viewer = Viewer(admin=True, agent=None)
        else:
            agent = await agent_by_slack_user(session, slack_user)
            if agent is None:
                return (
                    "The dashboard shows agents their own feedback, and you are not an agent "
                    "feedbackbot knows (agents are known by the Slack user id their helpdesk "
                    "sends with each closed case). Admins are listed in SLACK_ADMIN_USERS."
                )
            viewer = Viewer(admin=False, agent=agent.external_id)
        link = await create_link(
            session, services.link_secret, viewer, services.clock(), services.dashboard_url
        )
    opened = await client.conversations_open(users=slack_user)
    await client.chat_postMessage(
        channel=opened["channel"]["id"],
        text=(
            f"Your feedback dashboard ({'everything' if viewer.admin else 'your own numbers'}): "
            f"<{link}|sign in>. The link works once, within 15 minutes; it keeps you signed in "
            "for 12 hours on that browser."
        ),
        unfurl_links=False,
        unfurl_media=False,
    )
    log.info("dashboard link sent", extra={"slack_user": slack_user, "viewer": viewer.label})
    return "I sent you a sign-in link to the dashboard in a direct message."


async def summary_for(
    services: SlackServices, slack_user: str, days: int
) -> tuple[str, list[Block]]:
    """The text and blocks of one agent's summary over the last ``days`` days."""
    until = services.clock()
    since = until - timedelta(days=days)
    async with services.sessions() as session, session.begin():
        agent = await agent_by_slack_user(session, slack_user)
        if agent is None or agent.id is None:
            return (
                f"<@{escape(slack_user)}> is not an agent feedbackbot knows: agents are known by "
                "the Slack user id their helpdesk sends with each closed case.",
                [],
            )
        key = [agent.external_id]
        figures = (await figures_by_agent(session, since, until, key)).get(key[0], Figures())
        before = (await figures_by_agent(session, since - timedelta(days=days), since, key)).get(
            key[0], Figures()
        )
        comments = await recent_comments(session, since=since, until=until, agent_ids=[agent.id])
        waiting = await open_alerts(session, agent.id)
    name = escape(agent.name or agent.external_id)
    text = f"Feedback for {name}, last {days} days: CSAT {summary.csat_text(figures)}"
    shown = [
        section(f"*Feedback for {name}, last {days} days*"),
        summary.figures_block(figures, before, f"the {days} days before"),
        *summary.comments_blocks(comments),
        *summary.open_alerts_blocks(waiting),
    ]
    return text, shown


async def _reply(
    client: AsyncWebClient,
    respond: Any,
    command: dict,
    text: str,
    shown: list[Block] | None = None,
) -> None:
    """An ephemeral message in the channel the command came from; where the bot is not a member
    (chat.postEphemeral refuses), through the command's response URL instead."""
    try:
        await client.chat_postEphemeral(
            channel=command["channel_id"], user=command["user_id"], text=text, blocks=shown or None
        )
    except SlackApiError as error:
        if error.response.get("error") not in {"channel_not_found", "not_in_channel"}:
            raise
        await respond(text=text, blocks=shown or None, response_type="ephemeral")
