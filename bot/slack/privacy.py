"""A Slack customer's data rights: ``stop``, ``mydata``, ``forget`` (and ``start`` to resume).

The customer types the word in their DM with the app, or presses a button on the App Home.
``stop`` and ``forget`` ask first, with buttons. Whoever sends the word or presses the button
acts only on their own data: the customer is found by the Slack user id of the signed request,
never by anything a payload carries, so a forged or forwarded button can touch nobody else.
The rules and the wording of the data are the engine's (``surveys.privacy``), shared with
Telegram. ``forget`` goes through the answer desk, which hands the agents' alerts about this
customer to the alert delivery, so they are edited at once.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import Block, button, context, section
from bot.slack.escape import escape
from bot.slack.services import SERVICES_KEY, SlackServices
from bot.slack.texts import say
from storage.identities import find_identity
from storage.models import IdentityState, Platform
from surveys import privacy
from surveys.messages import say as engine_say

log = logging.getLogger(__name__)

STOP: Final = "privacy_stop"
FORGET: Final = "privacy_forget"
MYDATA: Final = "privacy_mydata"
START: Final = "privacy_start"
ACTION_PATTERN: Final = re.compile(r"^privacy_(stop|forget|mydata|start)(_yes|_no)?$")
"""Action ids of the buttons (a contract, like every action id); the confirmation buttons of
``stop`` and ``forget`` end in ``_yes``/``_no`` and carry that step as value too."""
WORDS: Final = {
    "stop": "stop",
    "unsubscribe": "stop",
    "mydata": "mydata",
    "my data": "mydata",
    "forget": "forget",
    "forget me": "forget",
    "start": "start",
}


def privacy_word(text: str | None) -> str | None:
    """The right a DM asks for (``stop``, ``mydata``, ``forget``, ``start``), or None."""
    words = " ".join((text or "").strip().lower().lstrip("/").split())
    return WORDS.get(words)


async def is_privacy_request(body: dict) -> bool:
    """A person (not a bot, not an edit) typed one of ``WORDS`` alone in their DM with us."""
    event = body.get("event") or {}
    return (
        event.get("channel_type") == "im"
        and not event.get("bot_id")
        and not event.get("subtype")
        and bool(event.get("user"))
        and privacy_word(event.get("text")) is not None
    )


def register(app: AsyncApp) -> None:
    """Register before any other ``message`` listener: bolt runs the first that matches."""
    app.event("message", matchers=[is_privacy_request])(on_privacy_word)
    app.action(ACTION_PATTERN)(on_privacy_button)


async def on_privacy_word(event: dict, client: AsyncWebClient, context: dict) -> None:
    services: SlackServices = context[SERVICES_KEY]
    word = privacy_word(event.get("text")) or ""
    request = Request(event["user"], event.get("channel") or "", None)
    services.work.spawn(
        handle(services, client, request, word, "ask"), name=f"slack.privacy.{word}"
    )


async def on_privacy_button(ack: Any, body: dict, client: AsyncWebClient, context: dict) -> None:
    await ack()
    services: SlackServices = context[SERVICES_KEY]
    action = body["actions"][0]
    container = body.get("container") or {}
    in_message = container.get("type") == "message"
    request = Request(
        body["user"]["id"],
        container.get("channel_id") or "" if in_message else "",
        container.get("message_ts") if in_message else None,
    )
    matched = ACTION_PATTERN.match(str(action.get("action_id", "")))
    right = matched.group(1) if matched else ""
    step = str(action.get("value") or "ask")
    services.work.spawn(
        handle(services, client, request, right, step), name=f"slack.privacy.{right}"
    )


class Request:
    """Who asked, in which DM (empty: from the App Home), and the confirmation message."""

    def __init__(self, user: str, channel: str, message_ts: str | None) -> None:
        self.user, self.channel, self.message_ts = user, channel, message_ts


async def _language(services: SlackServices, user: str) -> tuple[bool, str]:
    """Whether ``user`` is a known customer, and the language to answer in."""
    async with services.sessions() as session:
        identity = await find_identity(session, Platform.SLACK, user)
        data = await privacy.data_of(session, Platform.SLACK, user) if identity else None
    language = (
        (identity.language if identity else None)
        or (data.customer.language if data else None)
        or services.default_language
    )
    return identity is not None, language


async def handle(
    services: SlackServices, client: AsyncWebClient, request: Request, right: str, step: str
) -> None:
    """Carry out ``right`` at ``step`` (``ask`` the question, or its answer ``yes``/``no``)."""
    if request.message_ts and not await _own_dm(client, request):
        log.warning(
            "privacy press outside the presser's DM refused", extra={"slack_user": request.user}
        )
        return
    linked, language = await _language(services, request.user)
    if not linked:
        await _reply(client, request, say(language, "privacy_not_linked"))
        return
    if right == "mydata":
        async with services.sessions() as session:
            data = await privacy.data_of(session, Platform.SLACK, request.user)
        text = privacy.describe(data, language) if data else say(language, "privacy_not_linked")
        await _reply(client, request, text, keep_question=True)
    elif right == "start":
        async with services.sessions() as session, session.begin():
            await privacy.resume_surveys(session, Platform.SLACK, request.user, services.clock())
        await _reply(client, request, say(language, "privacy_start_done"))
    elif right in ("stop", "forget") and step == "ask":
        await _ask(client, request, right, language)
    elif right in ("stop", "forget") and step == "no":
        await _reply(client, request, privacy.say(language, f"{right}_kept"))
    elif right == "stop" and step == "yes":
        async with services.sessions() as session, session.begin():
            await privacy.stop_surveys(session, Platform.SLACK, request.user, services.clock())
        await _reply(client, request, say(language, "privacy_stop_done"))
    elif right == "forget" and step == "yes":
        await services.answers.forget(Platform.SLACK, request.user)
        await _reply(client, request, say(language, "privacy_forget_done"))
    else:
        log.warning("unknown privacy request", extra={"slack_user": request.user})
        return
    if right == "start" or step == "yes":
        await publish_customer_home(services, client, request.user)


async def _own_dm(client: AsyncWebClient, request: Request) -> bool:
    """Whether the pressed message is in the presser's own DM with the app: a confirmation
    forged or forwarded into another conversation is refused."""
    try:
        opened = await client.conversations_open(users=request.user)
    except SlackApiError as error:
        log.warning("privacy press not checked", extra={"error": error.response.get("error")})
        return False
    return bool(opened["channel"]["id"] == request.channel)


async def _ask(client: AsyncWebClient, request: Request, right: str, language: str) -> None:
    action = STOP if right == "stop" else FORGET
    text = (
        privacy.say(language, "stop_confirm")
        if right == "stop"
        else say(language, "privacy_forget_confirm")
    )
    blocks: list[Block] = [
        section(escape(text)),
        {
            "type": "actions",
            "block_id": action,
            "elements": [
                button(engine_say("yes", language), f"{action}_yes", "yes", "danger"),
                button(engine_say("no", language), f"{action}_no", "no"),
            ],
        },
    ]
    await _post(client, request, escape(text), blocks)


async def _reply(
    client: AsyncWebClient, request: Request, text: str, *, keep_question: bool = False
) -> None:
    """Answer in the DM: in place of the confirmation message when there is one."""
    blocks = [section(escape(text))]
    if request.message_ts and not keep_question:
        try:
            await client.chat_update(
                channel=request.channel, ts=request.message_ts, text=escape(text), blocks=blocks
            )
            return
        except SlackApiError as error:
            log.warning("privacy answer not updated", extra={"error": error.response.get("error")})
    await _post(client, request, escape(text), blocks)


async def _post(client: AsyncWebClient, request: Request, text: str, blocks: list[Block]) -> None:
    try:
        channel = request.channel
        if not channel:
            opened = await client.conversations_open(users=request.user)
            channel = opened["channel"]["id"]
        await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning(
            "privacy answer not sent",
            extra={"slack_user": request.user, "error": error.response.get("error")},
        )


async def home_blocks(services: SlackServices, user: str) -> list[Block]:
    """The App Home section of a customer: their rights as buttons; none for a non-customer."""
    async with services.sessions() as session:
        identity = await find_identity(session, Platform.SLACK, user)
    if identity is None:
        return []
    language = identity.language or services.default_language
    stopped = identity.state is IdentityState.OPTED_OUT
    toggle = (
        button(say(language, "privacy_home_start"), START, "yes")
        if stopped
        else button(say(language, "privacy_home_stop"), STOP, "ask")
    )
    return [
        section(f"*{escape(say(language, 'privacy_home_title'))}*"),
        context(escape(say(language, "privacy_hint"))),
        {
            "type": "actions",
            "block_id": "privacy",
            "elements": [
                button(say(language, "privacy_home_mydata"), MYDATA, "show"),
                toggle,
                button(say(language, "privacy_home_forget"), FORGET, "ask", "danger"),
            ],
        },
    ]


async def publish_customer_home(services: SlackServices, client: AsyncWebClient, user: str) -> None:
    """Refresh the App Home after a right was used from it (``bot.slack.home`` builds it)."""
    from bot.slack.home import publish_home

    await publish_home(services, client, user)
