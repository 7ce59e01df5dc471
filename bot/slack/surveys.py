"""Customer surveys in Slack DMs: button presses, the comment modal, typed comments, skip.

Each listener acks first; the work then runs in the background: the answer desk
(``bot.answers``) runs the one answer flow, which checks that the sender is the invited
customer and records the answer in one transaction, and this module renders the ``Outcome``
(the question message updated to show the answer, then the next question or the closing
text). A double press reaches the engine twice and is stored once; only a recorded answer moves
the conversation on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack import actions, blocks
from bot.slack.escape import escape
from bot.slack.services import SERVICES_KEY, SlackServices
from bot.slack.texts import say
from storage.models import Platform
from surveys.conversation import AnswerCommand, Complete, Outcome, Prompt
from surveys.flow import Sender

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.action(actions.ANSWER_PATTERN)(on_answer_button)
    app.action(actions.SKIP)(on_skip_button)
    app.action(actions.COMMENT)(on_comment_button)
    app.view_submission(actions.COMMENT_MODAL)(on_comment_submitted)
    app.event({"type": "message", "subtype": None})(on_direct_message)


async def on_answer_button(ack: Any, body: dict, client: AsyncWebClient, context: dict) -> None:
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    raw = body["actions"][0].get("value")
    services.work.spawn(_press(services, client, body, raw), name="slack.answer")


async def on_skip_button(ack: Any, body: dict, client: AsyncWebClient, context: dict) -> None:
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    raw = body["actions"][0].get("value")
    services.work.spawn(_press(services, client, body, raw, skip=True), name="slack.skip")


async def on_comment_button(ack: Any, body: dict, client: AsyncWebClient, context: dict) -> None:
    """Open the comment modal; the trigger id is valid for 3 seconds, so this runs right away."""
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    services.work.spawn(_open_modal(services, client, body), name="slack.comment_modal")


async def on_comment_submitted(
    ack: Any, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    values = (view.get("state") or {}).get("values") or {}
    text = (values.get(actions.COMMENT_BLOCK, {}).get(actions.COMMENT_INPUT) or {}).get("value")
    if not (text or "").strip():
        try:
            language = actions.CommentModalState.decode(view.get("private_metadata")).language
        except actions.BadPayload:
            language = None
        await ack(
            response_action="errors",
            errors={actions.COMMENT_BLOCK: say(language, "comment_empty")},
        )
        return
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    services.work.spawn(
        _submit_comment(services, client, body, view, text or ""), name="slack.comment"
    )


async def on_direct_message(event: dict, client: AsyncWebClient, context: dict) -> None:
    """A customer typed in their DM with the app: the answer to an open text question, as in a
    Telegram chat. Edits, deletions and bot messages (subtypes) are not answers, nor are
    messages in channels."""
    if event.get("channel_type") != "im" or event.get("bot_id") or not event.get("user"):
        return
    services: SlackServices = context[SERVICES_KEY]
    where = Where(event["user"], event.get("channel") or "", "")
    text = str(event.get("text") or "")
    services.work.spawn(_type_text(services, client, where, text), name="slack.typed")


@dataclass(frozen=True)
class Where:
    """Who sent an answer, in which DM and message, and where to answer only them."""

    user: str
    channel: str
    ts: str
    response_url: str | None = None

    @classmethod
    def of(cls, body: dict) -> Where:
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
        ts = container.get("message_ts") or (body.get("message") or {}).get("ts") or ""
        return cls(body["user"]["id"], channel, ts, body.get("response_url"))

    @property
    def sender(self) -> Sender:
        return Sender(Platform.SLACK, self.user)


async def _refuse(client: AsyncWebClient, where: Where, text: str) -> None:
    """Tell only the presser: through the press's response URL (which reaches whoever pressed,
    even someone outside the DM), else with chat.postEphemeral."""
    try:
        if where.response_url:
            await AsyncWebhookClient(where.response_url).send(
                text=escape(text), response_type="ephemeral", replace_original=False
            )
        else:
            await client.chat_postEphemeral(
                channel=where.channel, user=where.user, text=escape(text)
            )
    except SlackApiError as error:
        log.warning("ephemeral refused", extra={"error": error.response.get("error")})
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("ephemeral not delivered", extra={"error": type(error).__name__})


async def _press(
    services: SlackServices,
    client: AsyncWebClient,
    body: dict,
    raw: str | None,
    *,
    skip: bool = False,
) -> None:
    where = Where.of(body)
    try:
        ref = actions.QuestionRef.decode(raw)
    except actions.BadPayload:
        log.warning("unreadable survey button", extra={"slack_user": where.user})
        return
    command = AnswerCommand(
        ref.invitation_id, ref.question_key, value=ref.value, choice=ref.choice, skip=skip
    )
    outcome = await services.answers.press(where.sender, command)
    if outcome.refused is not None:
        await _refuse(client, where, outcome.refused.text)
    await _show(services, client, outcome, where.channel, where.ts)


async def _type_text(
    services: SlackServices, client: AsyncWebClient, where: Where, text: str
) -> None:
    outcome = await services.answers.type_text(where.sender, text)
    if outcome.refused is not None:
        text = escape(outcome.refused.text)
        await _call(client.chat_postMessage(channel=where.channel, text=text), None)
    channel, _, ts = (outcome.asked_in or "").partition(":")
    await _show(services, client, outcome, where.channel, ts if channel == where.channel else "")


async def _show(
    services: SlackServices, client: AsyncWebClient, outcome: Outcome, channel: str, ts: str
) -> None:
    """After a recorded answer: the question message shows the answer (its buttons gone), then
    the next question or the closing text goes out."""
    if outcome.next is None:
        return
    if outcome.answered is not None and ts:
        note = escape(outcome.note(lambda label: f"*{label}*"))
        text, shown = blocks.answered_message(outcome.answered, note)
        await _call(
            client.chat_update(channel=channel, ts=ts, text=text, blocks=shown),
            outcome.answered.invitation_id,
        )
    ref = await post_step(client, channel, outcome.next, outcome.next.invitation_id)
    await services.answers.question_sent(outcome.next, ref)


async def post_step(
    client: AsyncWebClient, channel: str, step: Prompt | Complete, invitation_id: int
) -> str | None:
    """Post the next question or the closing text in ``channel``; returns ``channel:ts``."""
    if isinstance(step, Prompt):
        text, shown = blocks.question_message(step)
    else:
        text, shown = blocks.closing_message(step.text)
    response = await _call(
        client.chat_postMessage(channel=channel, text=text, blocks=shown), invitation_id
    )
    return f"{response['channel']}:{response['ts']}" if response else None


async def _call(request: Any, invitation_id: int | None) -> Any:
    """Await a Web API call; a Slack error is logged with ids and swallowed (the answer is
    stored either way, and the customer can press again)."""
    try:
        return await request
    except SlackApiError as error:
        log.warning(
            "slack call failed",
            extra={"invitation_id": invitation_id, "error": error.response.get("error")},
        )
        return None


async def _open_modal(services: SlackServices, client: AsyncWebClient, body: dict) -> None:
    """The modal shows the question the button belongs to; whether the sender may answer it is
    decided when the comment arrives, like any other answer."""
    where = Where.of(body)
    try:
        ref = actions.QuestionRef.decode(body["actions"][0].get("value"))
    except actions.BadPayload:
        log.warning("unreadable comment button", extra={"slack_user": where.user})
        return
    step = await services.answers.open_step(ref.invitation_id)
    if not isinstance(step, Prompt) or step.question_key != ref.question_key:
        return  # answered already (a second press, or from another message)
    state = actions.CommentModalState(ref, where.channel, where.ts, step.language)
    view = blocks.comment_modal(step, state)
    await _call(client.views_open(trigger_id=body["trigger_id"], view=view), ref.invitation_id)


async def _submit_comment(
    services: SlackServices, client: AsyncWebClient, body: dict, view: dict, text: str
) -> None:
    user = body["user"]["id"]
    try:
        state = actions.CommentModalState.decode(view.get("private_metadata"))
    except actions.BadPayload:
        log.warning("unreadable comment modal", extra={"slack_user": user})
        return
    ref = state.question
    where = Where(user, state.channel, state.ts)
    command = AnswerCommand(ref.invitation_id, ref.question_key, text=text)
    outcome = await services.answers.press(where.sender, command)
    if outcome.refused is not None:
        await _refuse(client, where, outcome.refused.text)
    await _show(services, client, outcome, where.channel, where.ts)
