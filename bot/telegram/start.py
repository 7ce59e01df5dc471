"""/start: with a signed link token it connects the chat to a customer; without, it greets.

Opening the chat is something only the customer does, so it also turns surveys back on for a
chat that had used /stop or blocked the bot (a helpdesk event naming the chat never does that).
Blocking the bot marks the chat unreachable at once, before any survey is tried.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.enums import ChatMemberStatus
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import ChatMemberUpdated, Message
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.links import read_link_token
from bot.telegram.texts import language_of, say
from storage.identities import find_identity, link_customer, mark_unreachable, resume
from storage.models import Platform

log = logging.getLogger(__name__)


async def start_with_link(
    message: Message,
    command: CommandObject,
    sessions: async_sessionmaker[AsyncSession],
    link_secret: SecretStr | None,
    default_language: str,
) -> None:
    code = message.from_user.language_code if message.from_user else None
    language = language_of(code, default_language)
    customer_id = (
        read_link_token(link_secret.get_secret_value(), command.args or "")
        if link_secret is not None
        else None
    )
    if customer_id is None:
        log.warning(
            "refused a deep link that does not verify",
            extra={"chat_id": message.chat.id, "secret_set": link_secret is not None},
        )
        await message.answer(say(language, "link_invalid"))
        return
    async with sessions() as session, session.begin():
        identity = await link_customer(
            session,
            customer_external_id=customer_id,
            platform=Platform.TELEGRAM,
            address=str(message.chat.id),
            language=language_of(code, default_language) if code else None,
        )
        log.info(
            "chat linked",
            extra={"chat_id": message.chat.id, "customer_id": identity.customer_id},
        )
        language = identity.language or language
    await message.answer(say(language, "welcome_linked"))


async def start_plain(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    code = message.from_user.language_code if message.from_user else None
    async with sessions() as session, session.begin():
        identity = await find_identity(session, Platform.TELEGRAM, str(message.chat.id))
        if identity is not None and await resume(session, identity):
            log.info(
                "surveys resumed", extra={"chat_id": message.chat.id, "identity_id": identity.id}
            )
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
    router.message.register(start_plain, CommandStart())
    router.my_chat_member.register(chat_member_changed)
    return router
