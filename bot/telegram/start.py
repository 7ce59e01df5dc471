"""/start: with a signed link token it connects the chat to a customer; without, it greets.

A link works once and expires; a chat that belongs to another customer moves only after it
confirms with a button, and the customer's previous chat is told when a new one replaces it.

Opening the chat is something only the customer does, so it also turns surveys back on for a
chat that had used /stop or blocked the bot (a helpdesk event naming the chat never does that).
Blocking the bot marks the chat unreachable at once, before any survey is tried.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.callbacks import LinkMoveData
from bot.telegram.keyboards import confirm_move
from bot.telegram.links import read_link_token
from bot.telegram.texts import language_of, say
from storage.identities import mark_unreachable
from storage.links import LinkOutcome, Redemption, confirm_link, redeem_link
from storage.models import Platform
from storage.types import utcnow
from surveys import privacy

log = logging.getLogger(__name__)


def is_private(message: Message) -> bool:
    """A private chat with the sender: the only place a chat is linked or data is shown."""
    return message.chat.type == ChatType.PRIVATE and (
        message.from_user is None or message.from_user.id == message.chat.id
    )


async def start_with_link(
    message: Message,
    command: CommandObject,
    sessions: async_sessionmaker[AsyncSession],
    link_secret: SecretStr | None,
    default_language: str,
) -> None:
    code = message.from_user.language_code if message.from_user else None
    language = language_of(code, default_language)
    if not is_private(message):
        await message.answer(say(language, "private_only"))
        return
    link_id = (
        read_link_token(link_secret.get_secret_value(), command.args or "")
        if link_secret is not None
        else None
    )
    if link_id is None:
        log.warning(
            "refused a deep link that does not verify",
            extra={"chat_id": message.chat.id, "secret_set": link_secret is not None},
        )
        await message.answer(say(language, "link_invalid"))
        return
    async with sessions() as session, session.begin():
        redemption = await redeem_link(
            session,
            link_id,
            Platform.TELEGRAM,
            str(message.chat.id),
            language=language if code else None,
            now=utcnow(),
        )
    await answer_redemption(message, redemption, language, link_id)


async def answer_redemption(
    message: Message, redemption: Redemption, language: str, link_id: str
) -> None:
    """Tell the chat what came of its link; a chat that lost its customer is told too."""
    outcome, identity = redemption.outcome, redemption.identity
    log.info(
        "deep link", extra={"chat_id": message.chat.id, "outcome": outcome.value, "link": link_id}
    )
    if outcome is LinkOutcome.CONFIRM_MOVE:
        await message.answer(
            say(language, "link_move_confirm"), reply_markup=confirm_move(language, link_id)
        )
        return
    if outcome is not LinkOutcome.LINKED or identity is None:
        key = {LinkOutcome.USED: "link_used", LinkOutcome.EXPIRED: "link_expired"}
        await message.answer(say(language, key.get(outcome, "link_invalid")))
        return
    language = identity.language or language
    await message.answer(say(language, "welcome_linked"))
    if redemption.replaced_address is not None and message.bot is not None:
        try:
            await message.bot.send_message(
                int(redemption.replaced_address), say(language, "link_replaced")
            )
        except TelegramAPIError as error:
            log.info("previous chat not told", extra={"error": type(error).__name__})


async def confirm_link_move(
    query: CallbackQuery,
    callback_data: LinkMoveData,
    sessions: async_sessionmaker[AsyncSession],
    default_language: str,
) -> None:
    """The chat answered "move this chat?"; only the chat that was asked can answer."""
    chat = query.message.chat if query.message else None
    language = language_of(query.from_user.language_code, default_language)
    if chat is None or chat.type != ChatType.PRIVATE or chat.id != query.from_user.id:
        await query.answer(say(language, "link_move_refused"), show_alert=True)
        return
    async with sessions() as session, session.begin():
        redemption = await confirm_link(
            session,
            callback_data.t,
            Platform.TELEGRAM,
            str(chat.id),
            move=callback_data.move,
            now=utcnow(),
        )
    if redemption.outcome is LinkOutcome.UNKNOWN:
        log.warning("link move refused", extra={"chat_id": chat.id, "link": callback_data.t})
        await query.answer(say(language, "link_move_refused"), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if redemption.outcome is LinkOutcome.CONFIRM_MOVE:
        await query.message.edit_text(say(language, "link_move_kept"), reply_markup=None)
        return
    await query.message.edit_reply_markup(reply_markup=None)
    await answer_redemption(query.message, redemption, language, callback_data.t)


async def start_plain(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    code = message.from_user.language_code if message.from_user else None
    async with sessions() as session, session.begin():
        identity = await privacy.resume_surveys(session, Platform.TELEGRAM, str(message.chat.id))
    if identity is None:
        await message.answer(say(language_of(code, default_language), "welcome_unknown"))
    else:
        language = language_of(identity.language or code, default_language)
        await message.answer(say(language, "welcome_known"))


async def chat_member_changed(
    update: ChatMemberUpdated, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """The customer blocked the bot: stop trying that chat until they start it again."""
    if update.new_chat_member.status != ChatMemberStatus.KICKED:
        return
    async with sessions() as session, session.begin():
        changed = await mark_unreachable(session, Platform.TELEGRAM, str(update.chat.id))
    if changed:
        log.info("chat blocked the bot", extra={"chat_id": update.chat.id})


def make_router() -> Router:
    """A fresh router (a router belongs to one dispatcher; tests build several)."""
    router = Router(name="start")
    router.message.register(start_with_link, CommandStart(deep_link=True))
    router.callback_query.register(confirm_link_move, LinkMoveData.filter())
    router.message.register(start_plain, CommandStart())
    router.my_chat_member.register(chat_member_changed)
    return router
