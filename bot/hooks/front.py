"""Front (helpdesks.md section 6): a conversation archived.

Rule webhook ("Conversation archived" -> "Send to a webhook"): the event object with
``type: archive``, signed ``X-Front-Signature`` = base64(HMAC-SHA1(API secret, raw body)).
Application webhook: ``{type, authorization, payload}`` with the event in ``payload``, signed
base64(HMAC-SHA256(signing key, ``"{X-Front-Request-Timestamp}:"`` + raw body)); Front first
checks the URL with an ``X-Front-Challenge`` header that we echo. The customer is the
conversation's recipient: the contact id from its ``_links`` when Front gives one, else its
handle (an address, phone number or channel handle).
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

NAME = "front"
SIGNATURE_HEADER = "X-Front-Signature"
TIMESTAMP_HEADER = "X-Front-Request-Timestamp"
CHALLENGE_HEADER = "X-Front-Challenge"
ARCHIVED = frozenset({"archive", "conversation_archived"})
REPLAY_WINDOW_SECONDS = 300


def sign_rule(secret: str, body: bytes) -> str:
    return b64(hmac_digest(secret, body, "sha1"))


def sign_app(secret: str, timestamp: str, body: bytes) -> str:
    return b64(hmac_digest(secret, f"{timestamp}:".encode() + body, "sha256"))


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> bool:
    timestamp = headers.get(TIMESTAMP_HEADER, "").strip()
    if not timestamp:
        return same(headers.get(SIGNATURE_HEADER), sign_rule(secret, body))
    if (
        not timestamp.isdigit()
        or abs(now.timestamp() - int(timestamp) / 1000) > REPLAY_WINDOW_SECONDS
    ):
        return False
    return same(headers.get(SIGNATURE_HEADER), sign_app(secret, timestamp, body))


def _contact_id(recipient: Payload) -> str | None:
    link = recipient.text("_links.related.contact")
    if link is None:
        return None
    tail = link.rstrip("/").rsplit("/", 1)[-1]
    return tail or None


def read(data: Any, headers: Mapping[str, str]) -> Closure | Ignored:
    body = Payload(data)
    if body.object("payload") is not None and body.raw("authorization") is not None:
        body = body.at("payload")
    kind = body.text("type")
    if kind not in ARCHIVED:
        return Ignored(f"event {kind or 'none'} is not an archive")
    conversation = body.need_object("conversation")
    recipient = conversation.need_object("recipient")
    handle = recipient.text("handle")
    customer_id = _contact_id(recipient) or handle
    if customer_id is None:
        recipient.need_text("handle")
    channel = conversation.text("last_message.type")
    assignee = conversation.at("assignee")
    agent_id = assignee.text("id")
    return Closure(
        ticket_id=conversation.need_text("id"),
        delivery_key=body.need_text("id"),
        customer=Person(
            id=customer_id or "",
            email=looks_like_email(handle),
            phone=handle if channel in ("sms", "whatsapp") else None,
        ),
        agent=Staff(
            id=agent_id,
            name=full_name(assignee.text("first_name"), assignee.text("last_name"))
            or assignee.text("username"),
            email=looks_like_email(assignee.text("email")),
        )
        if agent_id
        else None,
        closed_at=body.time("emitted_at"),
        opened_at=conversation.time("created_at"),
        channel=channel,
    )
