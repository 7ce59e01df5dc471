"""Customers' data rights, the same on every channel: stop surveys, see what is stored, erase it.

Telegram's /stop, /mydata and /forget and the Slack DM's ``stop``, ``mydata`` and ``forget``
call these, so both channels find the customer the same way (only by the address the request
came from: a chat shows only its own customer's data) and erase the same things.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from storage.identities import find_identity, opt_out, resume
from storage.models import Identity, Platform
from storage.privacy import CustomerData, Erased, customer_data, erase_customer
from storage.types import utcnow
from surveys.definitions import Texts, render
from surveys.messages import LANGUAGE_NAMES

log = logging.getLogger(__name__)

TEXTS: Final[dict[str, Texts]] = {
    "stop_confirm": {
        "en": "Stop all surveys? Open survey invitations will be cancelled.",
        "es": "¿Detener todas las encuestas? Se cancelarán las invitaciones abiertas.",
        "de": "Alle Umfragen beenden? Offene Einladungen werden storniert.",
        "ru": "Отключить все опросы? Открытые приглашения будут отменены.",
    },
    "stop_kept": {
        "en": "OK, nothing changed.",
        "es": "De acuerdo, nada ha cambiado.",
        "de": "In Ordnung, nichts geändert.",
        "ru": "Хорошо, ничего не изменилось.",
    },
    "forget_kept": {
        "en": "OK, nothing was erased.",
        "es": "De acuerdo, no se ha borrado nada.",
        "de": "In Ordnung, nichts wurde gelöscht.",
        "ru": "Хорошо, ничего не удалено.",
    },
    "mydata_title": {
        "en": "What we store about you:",
        "es": "Lo que guardamos sobre usted:",
        "de": "Was wir über Sie speichern:",
        "ru": "Что мы храним о вас:",
    },
    "mydata_customer": {
        "en": "Customer id: {external_id}",
        "es": "Id de cliente: {external_id}",
        "de": "Kundennummer: {external_id}",
        "ru": "Номер клиента: {external_id}",
    },
    "mydata_name": {
        "en": "Name: {name}",
        "es": "Nombre: {name}",
        "de": "Name: {name}",
        "ru": "Имя: {name}",
    },
    "mydata_email": {
        "en": "Email: {email}",
        "es": "Correo: {email}",
        "de": "E-Mail: {email}",
        "ru": "Эл. почта: {email}",
    },
    "mydata_language": {
        "en": "Language: {language}",
        "es": "Idioma: {language}",
        "de": "Sprache: {language}",
        "ru": "Язык: {language}",
    },
    "mydata_identity": {
        "en": "{platform} chat, {state} since {since}",
        "es": "Chat de {platform}, {state} desde {since}",
        "de": "{platform}-Chat, {state} seit {since}",
        "ru": "Чат {platform}: {state} с {since}",
    },
    "mydata_open": {
        "en": "Open surveys: {count}",
        "es": "Encuestas abiertas: {count}",
        "de": "Offene Umfragen: {count}",
        "ru": "Открытые опросы: {count}",
    },
    "mydata_answers": {
        "en": "Answers: {count} ({comments} with a written comment)",
        "es": "Respuestas: {count} ({comments} con comentario escrito)",
        "de": "Antworten: {count} ({comments} mit schriftlichem Kommentar)",
        "ru": "Ответы: {count} (с письменным комментарием: {comments})",
    },
    "mydata_none": {
        "en": "none",
        "es": "ninguno",
        "de": "keine",
        "ru": "нет",
    },
    "state_linked": {
        "en": "connected",
        "es": "conectado",
        "de": "verbunden",
        "ru": "подключён",
    },
    "state_opted_out": {
        "en": "surveys stopped",
        "es": "encuestas detenidas",
        "de": "Umfragen beendet",
        "ru": "опросы отключены",
    },
    "state_unreachable": {
        "en": "unreachable",
        "es": "inaccesible",
        "de": "nicht erreichbar",
        "ru": "недоступен",
    },
}


def say(language: str, key: str, /, **values: object) -> str:
    """The text ``key`` in ``language`` (English when that language is missing): the words
    every channel says alike about a customer's rights (the commands to type differ, so what
    names them stays with each channel)."""
    return render(TEXTS[key], language).format(**values)


def describe(data: CustomerData, language: str) -> str:
    """What is stored about the customer, one fact a line, in ``language``."""
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


async def data_of(session: AsyncSession, platform: Platform, address: str) -> CustomerData | None:
    """What is stored about the customer at ``address``; None if the address is linked to none."""
    identity = await find_identity(session, platform, address)
    return await customer_data(session, identity.customer_id) if identity else None


async def stop_surveys(
    session: AsyncSession, platform: Platform, address: str, now: datetime | None = None
) -> int | None:
    """Opt the customer at ``address`` out; the number of invitations cancelled, None if the
    address is linked to no customer."""
    identity = await find_identity(session, platform, address)
    if identity is None:
        return None
    cancelled = await opt_out(session, identity, now)
    log.info(
        "opted out",
        extra={
            "customer_id": identity.customer_id,
            "platform": platform.value,
            "cancelled": cancelled,
        },
    )
    return cancelled


async def resume_surveys(
    session: AsyncSession, platform: Platform, address: str, now: datetime | None = None
) -> Identity | None:
    """Surveys back on for the customer at ``address`` (logged if they had been off); returns
    the address's identity, None if it is linked to no customer."""
    identity = await find_identity(session, platform, address)
    if identity is not None and await resume(session, identity, now):
        log.info(
            "surveys resumed",
            extra={"customer_id": identity.customer_id, "platform": platform.value},
        )
    return identity


async def forget(
    session: AsyncSession, platform: Platform, address: str, now: datetime | None = None
) -> Erased | None:
    """Erase the personal data of the customer at ``address`` (see ``erase_customer``);
    None if the address is linked to no customer."""
    identity = await find_identity(session, platform, address)
    if identity is None:
        return None
    customer_id = identity.customer_id
    erased = await erase_customer(session, customer_id, now or utcnow())
    log.info(
        "customer data erased",
        extra={
            "customer_id": customer_id,
            "platform": platform.value,
            "identities": erased.identities,
            "comments": erased.comments,
            "cancelled": erased.invitations_cancelled,
            "alerts_to_edit": erased.alerts_to_edit,
        },
    )
    return erased
