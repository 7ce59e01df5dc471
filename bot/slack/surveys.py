"""Customer surveys in Slack DMs: button presses, the comment modal, skip.

Each listener acks first; the work then runs in the background: check that the presser is the
invited customer, hand the answer to the survey engine in one transaction, and show the result
(the question message updated to show the answer, then the next question or the closing text).
A double press reaches the engine twice and is stored once; the engine says whether it recorded
anything, and only a recorded answer moves the conversation on.
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
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.slack import actions, alerts, blocks
from bot.slack.escape import escape
from bot.slack.services import SERVICES_KEY, SlackServices
from bot.slack.texts import say
from storage.addresses import slack_user_of_invitation
from surveys.conversation import (
    AlertRule,
    AnswerCommand,
    Complete,
    Prompt,
    Rejected,
    answer,
    next_step,
)

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.action(actions.ANSWER_PATTERN)(on_answer_button)
    app.action(actions.SKIP)(on_skip_button)
    app.action(actions.COMMENT)(on_comment_button)
    app.view_submission(actions.COMMENT_MODAL)(on_comment_submitted)


async def on_answer_button(ack: Any, body: dict, client: AsyncWebClient, context: dict) -> None:
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    action = body["actions"][0]
    services.work.spawn(
        _press(services, client, body, action.get("value"), label=_label(action)),
        name="slack.answer",
    )


async def on_skip_button(ack: Any, body: dict, client: AsyncWebClient, context: dict) -> None:
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    action = body["actions"][0]
    services.work.spawn(
        _press(services, client, body, action.get("value"), skip=True), name="slack.skip"
    )


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


def _label(action: dict) -> str:
    return str((action.get("text") or {}).get("text") or "")


@dataclass(frozen=True)
class Press:
    """Who pressed (or submitted), in which message, and where to answer only them."""

    user: str
    channel: str
    ts: str
    response_url: str | None = None

    @classmethod
    def of(cls, body: dict) -> Press:
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
        ts = container.get("message_ts") or (body.get("message") or {}).get("ts") or ""
        return cls(body["user"]["id"], channel, ts, body.get("response_url"))


async def _refuse(client: AsyncWebClient, press: Press, text: str) -> None:
    """Tell only the presser: through the press's response URL (which reaches whoever pressed,
    even someone outside the DM), else with chat.postEphemeral."""
    try:
        if press.response_url:
            await AsyncWebhookClient(press.response_url).send(
                text=escape(text), response_type="ephemeral", replace_original=False
            )
        else:
            await client.chat_postEphemeral(
                channel=press.channel, user=press.user, text=escape(text)
            )
    except SlackApiError as error:
        log.warning("ephemeral refused", extra={"error": error.response.get("error")})
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("ephemeral not delivered", extra={"error": type(error).__name__})


async def _owned(session: AsyncSession, ref: actions.QuestionRef, user: str) -> str | None:
    """None when ``user`` is the invitation's customer, else the text key of the refusal."""
    owner = await slack_user_of_invitation(session, ref.invitation_id)
    if owner is None:
        return "unknown_survey"
    if owner != user:
        log.warning(
            "survey press by another user refused",
            extra={"invitation_id": ref.invitation_id, "slack_user": user},
        )
        return "not_yours"
    return None


async def _press(
    services: SlackServices,
    client: AsyncWebClient,
    body: dict,
    raw: str | None,
    *,
    label: str = "",
    skip: bool = False,
) -> None:
    press = Press.of(body)
    try:
        ref = actions.QuestionRef.decode(raw)
    except actions.BadPayload:
        log.warning("unreadable survey button", extra={"slack_user": press.user})
        return
    command = AnswerCommand(
        ref.invitation_id, ref.question_key, value=ref.value, choice=ref.choice, skip=skip
    )
    await _answer(services, client, press, ref, command, label=label)


async def _answer(
    services: SlackServices,
    client: AsyncWebClient,
    press: Press,
    ref: actions.QuestionRef,
    command: AnswerCommand,
    *,
    label: str = "",
) -> None:
    """Check the presser, record the answer, then show it and what comes next."""
    rule = AlertRule(services.low_csat_threshold, services.low_nps_threshold)
    async with services.sessions() as session, session.begin():
        refused = await _owned(session, ref, press.user)
        if refused is None:
            current = await next_step(
                session, ref.invitation_id, default_language=services.default_language
            )
            outcome = await answer(
                session,
                command,
                alerts=rule,
                default_language=services.default_language,
                now=services.clock(),
            )
    if refused is not None:
        await _refuse(client, press, say(None, refused))
        return
    step = outcome.step
    if isinstance(step, Rejected):
        log.info(
            "survey answer rejected",
            extra={"invitation_id": ref.invitation_id, "question": ref.question_key},
        )
        await _refuse(client, press, step.text)
        return
    if isinstance(current, Prompt) and current.question_key == ref.question_key and press.ts:
        if command.skip:
            note = say(current.language, "skipped")
        elif command.text is not None:
            note = say(current.language, "your_comment")
        else:
            note = say(current.language, "your_answer", answer=f"*{escape(label)}*")
        text, shown = blocks.answered_message(current, note)
        await _call(
            client.chat_update(channel=press.channel, ts=press.ts, text=text, blocks=shown), ref
        )
    if not outcome.recorded:
        return
    metrics.answer_recorded("slack")
    log.info(
        "survey answer recorded",
        extra={"invitation_id": ref.invitation_id, "question": ref.question_key},
    )
    await post_step(client, press.channel, step, ref.invitation_id)
    await alerts.deliver_for_invitation(services, client, ref.invitation_id)


async def post_step(
    client: AsyncWebClient, channel: str, step: Prompt | Complete, invitation_id: int
) -> str | None:
    """Post the next question or the closing text in ``channel``; returns ``channel:ts``."""
    if isinstance(step, Prompt):
        text, shown = blocks.question_message(step)
    else:
        text, shown = blocks.closing_message(step.text)
    response = await _call(
        client.chat_postMessage(channel=channel, text=text, blocks=shown),
        actions.QuestionRef(invitation_id, ""),
    )
    return f"{response['channel']}:{response['ts']}" if response else None


async def _call(request: Any, ref: actions.QuestionRef) -> Any:
    """Await a Web API call; a Slack error is logged with ids and swallowed (the answer is
    stored either way, and the customer can press again)."""
    try:
        return await request
    except SlackApiError as error:
        log.warning(
            "slack call failed",
            extra={"invitation_id": ref.invitation_id, "error": error.response.get("error")},
        )
        return None


async def _open_modal(services: SlackServices, client: AsyncWebClient, body: dict) -> None:
    press = Press.of(body)
    try:
        ref = actions.QuestionRef.decode(body["actions"][0].get("value"))
    except actions.BadPayload:
        log.warning("unreadable comment button", extra={"slack_user": press.user})
        return
    async with services.sessions() as session, session.begin():
        refused = await _owned(session, ref, press.user)
        step = None
        if refused is None:
            step = await next_step(
                session, ref.invitation_id, default_language=services.default_language
            )
    if refused is not None:
        await _refuse(client, press, say(None, refused))
        return
    if not isinstance(step, Prompt) or step.question_key != ref.question_key:
        return  # answered already (a second press, or from another message)
    state = actions.CommentModalState(ref, press.channel, press.ts, step.language)
    view = blocks.comment_modal(step, state)
    await _call(client.views_open(trigger_id=body["trigger_id"], view=view), ref)


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
    command = AnswerCommand(ref.invitation_id, ref.question_key, text=text)
    await _answer(services, client, Press(user, state.channel, state.ts), ref, command)
