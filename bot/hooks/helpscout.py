"""Help Scout (helpdesks.md section 4): ``convo.status`` with the conversation ``closed``.

The event name is in the ``X-HelpScout-Event`` header (``helpscout.test`` when an admin tests
the webhook); the body is the Mailbox API 2.0 conversation. Signed:
``X-HelpScout-Signature`` = base64(HMAC-SHA1(secret, raw body)); no timestamp, so a repeat is
caught by the conversation id with its ``closedAt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.hooks.payload import (
    Closure,
    Ignored,
    Payload,
    Person,
    Staff,
    b64,
    full_name,
    hmac_digest,
    looks_like_email,
    same,
)

NAME = "helpscout"
SIGNATURE_HEADER = "X-HelpScout-Signature"
EVENT_HEADER = "X-HelpScout-Event"
STATUS_EVENT = "convo.status"


def sign(secret: str, body: bytes) -> str:
    return b64(hmac_digest(secret, body, "sha1"))


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> bool:
    return same(headers.get(SIGNATURE_HEADER), sign(secret, body))


def _staff(user: Payload) -> Staff | None:
    agent_id = user.text("id")
    if agent_id is None:
        return None
    return Staff(
        id=agent_id,
        name=full_name(user.text("first"), user.text("last")),
        email=looks_like_email(user.text("email")),
    )


def read(data: Any, headers: Mapping[str, str]) -> Closure | Ignored:
    event = headers.get(EVENT_HEADER, "").strip()
    if event != STATUS_EVENT:
        return Ignored(f"event {event or 'none'} is not a status change")
    body = Payload(data)
    status = body.text("status")
    if status != "closed":
        return Ignored(f"status {status or 'none'} is not closed")
    conversation_id = body.need_text("id")
    # primaryCustomer in v2 bodies; customer in older ones.
    customer = body.at("primaryCustomer" if body.object("primaryCustomer") else "customer")
    if not customer.data:
        body.need_object("primaryCustomer")
    closed = body.text("closedAt")
    return Closure(
        ticket_id=conversation_id,
        delivery_key=f"{conversation_id}:{closed or 'closed'}",
        customer=Person(
            id=customer.need_text("id"),
            name=full_name(customer.text("first"), customer.text("last")),
            email=looks_like_email(customer.text("email")),
        ),
        agent=_staff(body.at("assignee")) or _staff(body.at("closedByUser")),
        closed_at=body.time("closedAt"),
        opened_at=body.time("createdAt"),
        channel=body.text("type") or body.text("source.type"),
    )
