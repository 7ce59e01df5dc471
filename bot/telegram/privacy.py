"""/mydata shows what is stored about the customer; /forget (confirmed) erases it."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.callbacks import ForgetData
from bot.telegram.commands import chat_identity, chat_language
from bot.telegram.keyboards import confirm
from bot.telegram.texts import LANGUAGE_NAMES, say
from storage.identities import find_identity
from storage.models import Platform
from storage.privacy import CustomerData, customer_data, erase_customer

log = logging.getLogger(__name__)


def describe(data: CustomerData, language: str) -> str:
    customer = data.customer
    none = say(language, "mydata_none")
    lines = [
        say(language, "mydata_title"),
        say(language, "mydata_customer", external_id=customer.external_id),
        say(language, "mydata_name", name=customer.name or none),
        say(language, "mydata_email", email=customer.email or none),
        say(
            language,
            "mydata_language",
            language=LANGUAGE_NAMES.get(customer.language or "", customer.language or none),
        ),
    ]
    lines += [
        say(
            language,
            "mydata_identity",
            platform=identity.platform.value.capitalize(),
            state=say(language, f"state_{identity.state.value}"),
            since=f"{identity.linked_at:%Y-%m-%d}",
        )
        for identity in data.identities
    ]
    lines.append(say(language, "mydata_open", count=data.open_invitations))
    lines.append(say(language, "mydata_answers", count=data.answers, comments=data.comments))
    return "\n".join(lines)


async def show_my_data(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    code = message.from_user.language_code if message.from_user else None
    async with sessions() as session:
        identity = await find_identity(session, Platform.TELEGRAM, str(message.chat.id))
        data = await customer_data(session, identity.customer_id) if identity else None
    language = chat_language(identity, code, default_language)
    await message.answer(describe(data, language) if data else say(language, "not_linked"))


async def ask_forget(
    message: Message, sessions: async_sessionmaker[AsyncSession], default_language: str
) -> None:
    identity = await chat_identity(sessions, message.chat.id)
    code = message.from_user.language_code if message.from_user else None
    language = chat_language(identity, code, default_language)
    if identity is None:
        await message.answer(say(language, "not_linked"))
        return
    await message.answer(
        say(language, "forget_confirm"), reply_markup=confirm(language, ForgetData)
    )


async def confirm_forget(
    query: CallbackQuery,
    callback_data: ForgetData,
    sessions: async_sessionmaker[AsyncSession],
    default_language: str,
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    async with sessions() as session, session.begin():
        identity = await find_identity(session, Platform.TELEGRAM, str(chat_id))
        language = chat_language(identity, query.from_user.language_code, default_language)
        if identity is not None and callback_data.confirmed:
            erased = await erase_customer(session, identity.customer_id)
            log.info(
                "customer data erased",
                extra={
                    "customer_id": identity.customer_id,
                    "identities": erased.identities,
                    "comments": erased.comments,
                    "cancelled": erased.invitations_cancelled,
                },
            )
    if identity is None:
        key = "not_linked"
    else:
        key = "forget_done" if callback_data.confirmed else "forget_kept"
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(say(language, key), reply_markup=None)


def make_router() -> Router:
    """A fresh router (a router belongs to one dispatcher; tests build several)."""
    router = Router(name="privacy")
    router.message.register(show_my_data, Command("mydata"))
    router.message.register(ask_forget, Command("forget"))
    router.callback_query.register(confirm_forget, ForgetData.filter())
    return router
