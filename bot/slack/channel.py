"""The Slack channel of the dispatcher: a survey question as a DM with Block Kit buttons.

Slack's refusals map onto ``DeliveryError``: a 429 waits its ``Retry-After``; a user who is gone
or cannot be messaged is permanent; a server error or a network failure is transient.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.dispatch.channel import Delivery, DeliveryError
from bot.slack.blocks import context, question_message
from bot.slack.escape import escape
from surveys.messages import say

if TYPE_CHECKING:
    from surveys.conversation import Prompt

log = logging.getLogger(__name__)
PLATFORM = "slack"
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "cannot_dm_bot",
        "user_disabled",
        "user_is_restricted",
        "not_allowed_token_type",
        "invalid_users",
        "is_archived",
        "channel_not_found",
        "messages_tab_disabled",
    }
)
RETRY_AFTER_DEFAULT = 1.0


def delivery_error(error: SlackApiError) -> DeliveryError:
    """What a Web API refusal means for the dispatcher."""
    response = error.response
    code = str(response.get("error") or "") if isinstance(response.data, dict) else ""
    if response.status_code == 429 or code == "ratelimited":
        header = response.headers.get("Retry-After") or response.headers.get("retry-after")
        try:
            wait = float(header) if header is not None else RETRY_AFTER_DEFAULT
        except (TypeError, ValueError):
            wait = RETRY_AFTER_DEFAULT
        return DeliveryError("slack: rate limited", retry_after=wait)
    if code in PERMANENT_ERRORS:
        return DeliveryError(f"slack: {code}", permanent=True)
    return DeliveryError(f"slack: {code or f'HTTP {response.status_code}'}")


class SlackChannel:
    """Opens the DM with the customer (``delivery.address`` is their Slack user id) and posts
    the question; the message reference is ``channel:ts``."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send_question(self, delivery: Delivery, prompt: Prompt) -> str | None:
        text, blocks = question_message(prompt)
        if delivery.reminder:
            blocks = [context(escape(say("reminder", prompt.language))), *blocks]
        try:
            opened = await self.client.conversations_open(users=delivery.address)
            posted = await self.client.chat_postMessage(
                channel=opened["channel"]["id"], text=text, blocks=blocks
            )
        except SlackApiError as error:
            raise delivery_error(error) from None
        except (TimeoutError, aiohttp.ClientError) as error:
            raise DeliveryError(f"slack: {type(error).__name__}") from None
        log.info(
            "survey question sent",
            extra={"invitation_id": delivery.invitation_id, "question": prompt.question_key},
        )
        return f"{posted['channel']}:{posted['ts']}"
