"""Survey answers: button presses, Skip, and typed comments.

Progress lives in SQL: each answer goes to the engine in one transaction, and only the update
that actually recorded it (``Outcome.recorded``) edits the question and sends the next step,
so a double tap or a re-delivered update never asks the next question twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.telegram.callbacks import AnswerData, SkipData, is_question, resolve_option
from bot.telegram.channel import message_ref, send_step
from bot.telegram.texts import language_of, say
from storage import invitations
from storage.identities import find_identity, recent_invitations
from storage.models import Identity, Invitation, Platform
from surveys.conversation import (
    AlertRule,
    AnswerCommand,
    Complete,
    Outcome,
    Prompt,
    Rejected,
    answer,
    next_step,
)

log = logging.getLogger(__name__)


def _chat_id(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message else query.from_user.id


def _language(identity: Identity | None, code: str | None, default: str) -> str:
    return language_of(identity.language if identity and identity.language else code, default)


async def _owned_invitation(
    session: AsyncSession, chat_id: int, invitation_id: int
) -> tuple[Identity | None, Invitation | None]:
    """The chat's identity, and the invitation only if it belongs to that chat's customer."""
    identity = await find_identity(session, Platform.TELEGRAM, str(chat_id))
    invitation = await session.get(Invitation, invitation_id)
    if identity is None or invitation is None or invitation.customer_id != identity.customer_id:
        return identity, None
    return identity, invitation


def _command(prompt: Prompt, ref: str, customer_id: int | None) -> AnswerCommand | None:
    values = [option.value for option in prompt.options]
    value = resolve_option(ref, values)
    if value is None:
        return None
    if prompt.type == "rating":
        return AnswerCommand(
            prompt.invitation_id, prompt.question_key, value=int(value), customer_id=customer_id
        )
    return AnswerCommand(
        prompt.invitation_id, prompt.question_key, choice=value, customer_id=customer_id
    )


def _chosen_label(prompt: Prompt, command: AnswerCommand) -> str:
    chosen = str(command.value) if command.value is not None else command.choice
    for option in prompt.options:
        if option.value == chosen:
            return option.label
    return chosen or ""


async def _show_answer(query: CallbackQuery, shown: str) -> None:
    """Edit the question to show the answer and drop its buttons (old messages may refuse)."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text=f"{message.text or ''}\n\n{shown}", reply_markup=None)
    except TelegramBadRequest as error:
        log.info("question not edited", extra={"reason": error.message[:80]})


@dataclass(frozen=True)
class _Press:
    """What became of a button press: refused (``refusal``), or the engine's ``outcome``."""

    language: str
    refusal: str | None = None
    forged: bool = False
    outcome: Outcome | None = None
    shown: str = ""


async def _record_press(
    session: AsyncSession,
    query: CallbackQuery,
    data: AnswerData | SkipData,
    alerts: AlertRule,
    default_language: str,
) -> _Press:
    chat_id = _chat_id(query)
    identity, invitation = await _owned_invitation(session, chat_id, data.i)
    language = _language(identity, query.from_user.language_code, default_language)
    if invitation is None:
        return _Press(language, say(language, "not_yours"), forged=True)
    step = await next_step(session, data.i, default_language=default_language)
    if not isinstance(step, Prompt) or not is_question(data.q, step.question_key):
        return _Press(language, say(language, "stale"))
    if isinstance(data, SkipData):
        command: AnswerCommand | None = AnswerCommand(
            data.i, step.question_key, skip=True, customer_id=invitation.customer_id
        )
        shown = say(step.language, "skipped")
    else:
        command = _command(step, data.v, invitation.customer_id)
        if command is None:
            return _Press(language, say(language, "stale"))
        shown = say(step.language, "your_answer", answer=_chosen_label(step, command))
    outcome = await answer(session, command, alerts=alerts, default_language=default_language)
    return _Press(language, outcome=outcome, shown=shown)


async def _press(
    query: CallbackQuery,
    data: AnswerData | SkipData,
    sessions: async_sessionmaker[AsyncSession],
    alerts: AlertRule,
    default_language: str,
) -> None:
    async with sessions() as session, session.begin():
        press = await _record_press(session, query, data, alerts, default_language)
    if press.forged:
        log.warning(
            "refused a button for an invitation of another chat",
            extra={"invitation_id": data.i, "chat_id": _chat_id(query)},
        )
        await query.answer(press.refusal, show_alert=True)
    elif press.outcome is None:
        await query.answer(press.refusal)
    else:
        await _after_answer(query, press.outcome, press.shown, press.language, sessions)


async def _after_answer(
    query: CallbackQuery,
    outcome: Outcome,
    shown: str,
    language: str,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    if isinstance(outcome.step, Rejected):
        await query.answer(outcome.step.text)
        return
    if not outcome.recorded:
        await query.answer(say(language, "counted"))
        return
    metrics.answer_recorded("telegram")
    await query.answer()
    await _show_answer(query, shown)
    await _next(query.bot, _chat_id(query), outcome.step, sessions)  # type: ignore[arg-type]


async def _next(
    bot: Bot, chat_id: int, step: Prompt | Complete, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Send the next question (remembered as the invitation's message) or the thank-you."""
    message = await send_step(bot, chat_id, step)
    if isinstance(step, Prompt):
        async with sessions() as session, session.begin():
            await invitations.record_message(session, step.invitation_id, message_ref(message))


async def press_answer(
    query: CallbackQuery,
    callback_data: AnswerData,
    sessions: async_sessionmaker[AsyncSession],
    alerts: AlertRule,
    default_language: str,
) -> None:
    await _press(query, callback_data, sessions, alerts, default_language)


async def press_skip(
    query: CallbackQuery,
    callback_data: SkipData,
    sessions: async_sessionmaker[AsyncSession],
    alerts: AlertRule,
    default_language: str,
) -> None:
    await _press(query, callback_data, sessions, alerts, default_language)


async def _open_question(
    session: AsyncSession, identity: Identity, default_language: str
) -> Prompt | None:
    """The chat's open question, preferring one that waits for typed text; newest first."""
    first: Prompt | None = None
    for invitation in await recent_invitations(session, identity.customer_id):
        step = await next_step(session, invitation.id, default_language=default_language)
        if isinstance(step, Prompt):
            if step.type == "text":
                return step
            first = first or step
    return first


async def type_comment(
    message: Message,
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    alerts: AlertRule,
    default_language: str,
) -> None:
    code = message.from_user.language_code if message.from_user else None
    outcome: Outcome | None = None
    asked_in: str | None = None
    async with sessions() as session, session.begin():
        identity = await find_identity(session, Platform.TELEGRAM, str(message.chat.id))
        language = _language(identity, code, default_language)
        prompt = await _open_question(session, identity, default_language) if identity else None
        if prompt is not None and prompt.type == "text":
            invitation = await session.get(Invitation, prompt.invitation_id)
            asked_in = invitation.message_ref if invitation else None
            command = AnswerCommand(
                prompt.invitation_id,
                prompt.question_key,
                text=message.text,
                customer_id=identity.customer_id if identity else None,
            )
            outcome = await answer(
                session, command, alerts=alerts, default_language=default_language
            )
    if outcome is None:
        await message.answer(say(language, "use_buttons" if prompt else "no_open_question"))
    elif isinstance(outcome.step, Rejected):
        await message.answer(outcome.step.text)
    elif outcome.recorded:
        metrics.answer_recorded("telegram")
        if prompt is not None and prompt.optional and asked_in:
            await _drop_skip_button(bot, message.chat.id, asked_in)
        await _next(bot, message.chat.id, outcome.step, sessions)


async def _drop_skip_button(bot: Bot, chat_id: int, ref: str) -> None:
    """The comment was typed: the question's Skip button has no use any more."""
    chat, _, message_id = ref.partition(":")
    if chat != str(chat_id) or not message_id.isdigit():
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=int(message_id), reply_markup=None
        )
    except TelegramBadRequest as error:
        log.info("skip button not removed", extra={"reason": error.message[:80]})


async def other_content(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    """Stickers, photos, voice...: say politely what is expected."""
    code = message.from_user.language_code if message.from_user else None
    async with sessions() as session, session.begin():
        identity = await find_identity(session, Platform.TELEGRAM, str(message.chat.id))
        language = _language(identity, code, default_language)
        prompt = await _open_question(session, identity, default_language) if identity else None
    if prompt is None:
        key = "no_open_question"
    else:
        key = "text_only" if prompt.type == "text" else "use_buttons"
    await message.answer(say(language, key))


def make_router() -> Router:
    """A fresh router (a router belongs to one dispatcher; tests build several)."""
    router = Router(name="answer")
    router.callback_query.register(press_answer, AnswerData.filter())
    router.callback_query.register(press_skip, SkipData.filter())
    router.message.register(type_comment, F.text & ~F.text.startswith("/"))
    router.message.register(other_content, ~F.text)
    return router
