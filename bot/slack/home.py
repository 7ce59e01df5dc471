"""App Home: ``app_home_opened`` publishes the agent's own numbers and newest comments, and
to a customer their data rights (``bot.slack.privacy``)."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import privacy
from bot.slack.blocks import context, section
from bot.slack.feedback_command import DEFAULT_DAYS, summary_for
from bot.slack.services import SERVICES_KEY, SlackServices

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)


async def on_home_opened(event: dict, client: AsyncWebClient, context: dict) -> None:
    if event.get("tab", "home") != "home":
        return
    services: SlackServices = context[SERVICES_KEY]
    services.work.spawn(publish_home(services, client, event["user"]), name="slack.home")


async def publish_home(services: SlackServices, client: AsyncWebClient, user: str) -> None:
    text, shown = await summary_for(services, user, DEFAULT_DAYS)
    as_customer = await privacy.home_blocks(services, user)
    if shown or not as_customer:
        blocks = shown or [section(text)]
        blocks.append(context("Type `/feedback 7d`, `30d` or `90d` for another period."))
    else:
        blocks = []
    blocks += as_customer
    try:
        await client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})
    except SlackApiError as error:
        log.warning(
            "home not published", extra={"slack_user": user, "error": error.response.get("error")}
        )
