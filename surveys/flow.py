"""The one answer flow every channel calls: a button press, a typed message, anything else.

A channel knows who sent something only by its own address (a Telegram chat id, a Slack user
id). The flow turns that address into the customer (``AnswerCommand.customer_id``; for a press
in the same read as the invitation), and the engine checks it against the invitation, once,
for every channel. What comes back is one
``Outcome``; the channel only renders it and sends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.engine import Database
from storage.identities import find_identity, recent_invitations
from storage.models import Identity, Platform
from surveys.conversation import (
    AlertRule,
    AnswerCommand,
    Outcome,
    Prompt,
    RejectReason,
    answer,
    next_step,
)
from surveys.steps import choose_language, rejected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sender:
    """Who sent an answer, as the channel knows them."""

    channel: Platform
    address: str
    """The Telegram chat id or the Slack user id."""
    language: str | None = None
    """The client's language (Telegram's ``language_code``), for replies to a stranger."""


@dataclass(frozen=True)
class AnswerRules:
    """The settings an answer is judged by, built once at start-up."""

    alerts: AlertRule = field(default_factory=AlertRule)
    default_language: str = "en"


async def press(
    database: Database,
    sender: Sender,
    command: AnswerCommand,
    rules: AnswerRules,
    now: datetime | None = None,
) -> Outcome:
    """A button press (an option, or Skip): recorded as one change, or refused
    (``not_yours`` when ``sender`` is not the invitation's customer)."""
    outcome = await answer(
        database,
        command,
        alerts=rules.alerts,
        default_language=rules.default_language,
        sender=(sender.channel, sender.address),
        sender_language=sender.language,
        now=now,
    )
    if outcome.refused is not None and outcome.refused.reason is RejectReason.NOT_YOURS:
        log.warning(
            "refused an answer from someone who is not the invitation's customer",
            extra={
                "invitation_id": command.invitation_id,
                "channel": str(sender.channel),
                "sender": sender.address,
            },
        )
    return outcome


async def type_text(
    session: AsyncSession,
    sender: Sender,
    text: str,
    rules: AnswerRules,
    now: datetime | None = None,
) -> Outcome:
    """A typed message: the answer to the sender's open text question, or why it is not one
    (``use_buttons`` while a button question is open, ``no_open_question``)."""
    identity = await find_identity(session, sender.channel, sender.address)
    prompt = await _open_question(session, identity, rules) if identity else None
    if identity is None or prompt is None or prompt.type != "text":
        reason = RejectReason.NO_OPEN_QUESTION if prompt is None else RejectReason.USE_BUTTONS
        return _nothing_to_answer(reason, identity, sender, rules, prompt)
    command = AnswerCommand(
        prompt.invitation_id, prompt.question_key, text=text, customer_id=identity.customer_id
    )
    return await answer(
        session,
        command,
        alerts=rules.alerts,
        default_language=rules.default_language,
        sender_language=_language(identity, sender),
        now=now,
    )


async def other_content(session: AsyncSession, sender: Sender, rules: AnswerRules) -> Outcome:
    """A sticker, photo, voice note...: never an answer; says what the open question wants."""
    identity = await find_identity(session, sender.channel, sender.address)
    prompt = await _open_question(session, identity, rules) if identity else None
    if prompt is None:
        reason = RejectReason.NO_OPEN_QUESTION
    else:
        reason = RejectReason.TEXT_ONLY if prompt.type == "text" else RejectReason.USE_BUTTONS
    return _nothing_to_answer(reason, identity, sender, rules, prompt)


def _language(identity: Identity | None, sender: Sender) -> str | None:
    return identity.language if identity and identity.language else sender.language


def _nothing_to_answer(
    reason: RejectReason,
    identity: Identity | None,
    sender: Sender,
    rules: AnswerRules,
    prompt: Prompt | None,
) -> Outcome:
    language = (
        prompt.language
        if prompt is not None
        else choose_language(None, _language(identity, sender), rules.default_language)
    )
    invitation_id = prompt.invitation_id if prompt else None
    return Outcome(rejected(invitation_id, reason, language, prompt), False)


async def _open_question(
    session: AsyncSession, identity: Identity, rules: AnswerRules
) -> Prompt | None:
    """The customer's open question, preferring one that waits for typed text; newest first."""
    first: Prompt | None = None
    for invitation in await recent_invitations(session, identity.customer_id):
        step = await next_step(session, invitation.id or 0, default_language=rules.default_language)
        if isinstance(step, Prompt):
            if step.type == "text":
                return step
            first = first or step
    return first
