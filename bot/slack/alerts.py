"""Low-score alerts: a DM to the case's agent, kept up to date, with a "Follow up" button.

The survey engine writes a ``follow_up`` row in the transaction that records the low score.
The alert goes out right after that answer, whichever channel it came from: the answer desk
(``bot.answers``) hands the invitation to ``deliver_for_invitation``. Anything left behind (a
crash, a Slack outage) goes out with the periodic sweep (``send_pending_alerts``). When the
customer adds a comment later, the alert message is updated to show it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.slack import actions, blocks
from bot.slack.services import SERVICES_KEY, SlackServices
from storage import follow_ups
from storage.models import FollowUp

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.action(actions.FOLLOW_UP)(on_follow_up)


async def send_pending_alerts(
    services: SlackServices, client: AsyncWebClient, *, created_before: datetime | None = None
) -> int:
    """Send every alert not yet sent (oldest first); returns how many went out."""
    async with services.sessions() as session, session.begin():
        pending = await follow_ups.pending_alerts(
            session, max_attempts=services.max_alert_attempts, created_before=created_before
        )
    sent = 0
    for follow_up in pending:
        sent += await _send(services, client, follow_up)
    return sent


async def refresh_outdated_alerts(services: SlackServices, client: AsyncWebClient) -> int:
    """Edit every posted alert whose content changed since (the customer erased their data:
    name and comment go); returns how many were edited. A failed edit is tried again later."""
    async with services.sessions() as session, session.begin():
        outdated = await follow_ups.outdated_alerts(session)
    edited = 0
    for follow_up in outdated:
        async with services.sessions() as session, session.begin():
            details = await follow_ups.alert_details(session, follow_up.id or 0)
        if details is None or not await _refresh(client, details):
            continue
        async with services.sessions() as session, session.begin():
            await follow_ups.mark_alert_current(session, follow_up)
        log.info("alert edited", extra={"follow_up_id": follow_up.id})
        edited += 1
    return edited


async def deliver_for_invitation(
    services: SlackServices, client: AsyncWebClient, invitation_id: int
) -> None:
    """After an answer: send the invitation's alert if it is new, or refresh it if it was sent."""
    async with services.sessions() as session, session.begin():
        follow_up = await follow_ups.alert_for_invitation(session, invitation_id)
        if follow_up is None or follow_up.attempts >= services.max_alert_attempts:
            return
        details = None
        if follow_up.alert_ref is not None:
            details = await follow_ups.alert_details(session, follow_up.id or 0)
    if details is not None:
        if await _refresh(client, details) and follow_up.alert_outdated_at is not None:
            async with services.sessions() as session, session.begin():
                await follow_ups.mark_alert_current(session, follow_up)
    elif follow_up.alerted_at is None:
        await _send(services, client, follow_up)


async def _send(services: SlackServices, client: AsyncWebClient, follow_up: FollowUp) -> int:
    ids = {"follow_up_id": follow_up.id, "invitation_id": follow_up.invitation_id}
    async with services.sessions() as session, session.begin():
        if not await follow_ups.claim_alert(session, follow_up):
            return 0
        details = await follow_ups.alert_details(session, follow_up.id or 0)
    if details is None or details.agent_slack_user_id is None:
        return 0
    text, shown = blocks.alert_message(details)
    try:
        opened = await client.conversations_open(users=details.agent_slack_user_id)
        posted = await client.chat_postMessage(
            channel=opened["channel"]["id"], text=text, blocks=shown
        )
    except SlackApiError as error:
        reason = str(error.response.get("error") or error.response.status_code)
        log.warning("alert not sent", extra={**ids, "error": reason})
        async with services.sessions() as session, session.begin():
            await follow_ups.record_alert_failure(session, follow_up.id or 0, reason)
        return 0
    ref = f"{posted['channel']}:{posted['ts']}"
    posted_at = services.clock()
    async with services.sessions() as session, session.begin():
        await follow_ups.mark_alerted(session, follow_up.id or 0, at=posted_at, ref=ref)
    metrics.alert_posted((posted_at - follow_up.created_at).total_seconds())
    log.info("alert sent", extra=ids)
    return 1


async def _refresh(client: AsyncWebClient, details: follow_ups.AlertDetails) -> bool:
    """Edit the posted alert to show ``details``; True if Slack took the edit (or the message
    is gone, so nothing is left to edit)."""
    channel, _, ts = (details.follow_up.alert_ref or "").partition(":")
    text, shown = blocks.alert_message(details)
    try:
        await client.chat_update(channel=channel, ts=ts, text=text, blocks=shown)
    except SlackApiError as error:
        code = error.response.get("error")
        log.warning(
            "alert not updated", extra={"follow_up_id": details.follow_up.id, "error": code}
        )
        return code in ("message_not_found", "channel_not_found")
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning(
            "alert not updated",
            extra={"follow_up_id": details.follow_up.id, "error": type(error).__name__},
        )
        return False
    return True


async def on_follow_up(ack: Any, body: dict, client: AsyncWebClient, context: dict) -> None:
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    services.work.spawn(_follow_up(services, client, body), name="slack.follow_up")


async def _follow_up(services: SlackServices, client: AsyncWebClient, body: dict) -> None:
    user = body["user"]["id"]
    channel = (body.get("container") or {}).get("channel_id") or ""
    try:
        follow_up_id = actions.decode_follow_up(body["actions"][0].get("value"))
    except actions.BadPayload:
        log.warning("unreadable follow-up button", extra={"slack_user": user})
        return
    async with services.sessions() as session, session.begin():
        details = await follow_ups.alert_details(session, follow_up_id)
        allowed = details is not None and (
            user == details.agent_slack_user_id or user in services.admin_users
        )
        if allowed:
            await follow_ups.record_follow_up(session, follow_up_id, by=user, at=services.clock())
            details = await follow_ups.alert_details(session, follow_up_id)
    if not allowed or details is None:
        log.warning(
            "follow-up press refused", extra={"follow_up_id": follow_up_id, "slack_user": user}
        )
        if channel:
            try:
                await client.chat_postEphemeral(
                    channel=channel,
                    user=user,
                    text="Only the case's agent or an admin can record a follow-up.",
                )
            except SlackApiError:
                pass
        return
    log.info("follow-up recorded", extra={"follow_up_id": follow_up_id, "slack_user": user})
    await _refresh(client, details)
