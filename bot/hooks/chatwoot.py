"""Chatwoot (helpdesks.md section 1): a resolved conversation.

Account webhooks send ``conversation_status_changed`` (closure when ``status`` is ``resolved``),
agent bots ``conversation_resolved``, automation rules ``automation_event.conversation_resolved``;
all carry the conversation's ``webhook_data``. ``id`` is the per-account display id. There is no
closed time: ``updated_at`` (newer versions), else ``timestamp``, else our receive time.
Signed (newer versions, not automation rules): ``X-Chatwoot-Signature: sha256=<hex>`` of
HMAC-SHA256 over ``"{X-Chatwoot-Timestamp}.{raw body}"``; we refuse a timestamp more than five
minutes off, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.hooks.payload import (
    Closure,
    Ignored,
    Payload,
    Person,
    Staff,
    hmac_digest,
    looks_like_email,
    same,
)

NAME = "chatwoot"
SIGNATURE_HEADER = "X-Chatwoot-Signature"
TIMESTAMP_HEADER = "X-Chatwoot-Timestamp"
REPLAY_WINDOW_SECONDS = 300
CLOSURE_EVENTS = frozenset(
    {
        "conversation_status_changed",
        "conversation_resolved",
        "automation_event.conversation_resolved",
    }
)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The header value Chatwoot sends (``lib/webhooks/trigger.rb``)."""
    return "sha256=" + hmac_digest(secret, timestamp.encode() + b"." + body, "sha256").hex()


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> bool:
    timestamp = headers.get(TIMESTAMP_HEADER, "").strip()
    if not timestamp.isdigit() or abs(now.timestamp() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    return same(headers.get(SIGNATURE_HEADER), sign(secret, timestamp, body))


def _channel(value: str | None) -> str | None:
    """``Channel::WebWidget`` -> ``web_widget``."""
    if not value:
        return None
    name = value.removeprefix("Channel::")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()[:64] or None


def read(data: Any, headers: Mapping[str, str]) -> Closure | Ignored:
    body = Payload(data)
    event = body.text("event")
    if event not in CLOSURE_EVENTS:
        return Ignored(f"event {event or 'none'} is not a resolution")
    if event == "conversation_status_changed" and body.text("status") != "resolved":
        return Ignored("status changed to something other than resolved")
    conversation_id = body.need_text("id")
    sender = body.need_object("meta").need_object("sender")
    person = Person(
        id=sender.need_text("id"),
        name=sender.text("name"),
        email=looks_like_email(sender.text("email")),
        phone=sender.text("phone_number"),
        language=body.text("additional_attributes.conversation_language")
        or sender.text("additional_attributes.language_code"),
    )
    meta = body.at("meta")
    agent = None
    if meta.text("assignee.id") is not None:
        agent = Staff(
            id=meta.text("assignee.id") or "",
            name=meta.text("assignee.name") or meta.text("assignee.available_name"),
            team=meta.text("team.name"),
        )
    closed_at = body.time("updated_at") or body.time("timestamp")
    # X-Chatwoot-Delivery is new on every enqueue, so an agent-bot retry would look new;
    # the conversation with its update time is the same on every attempt.
    moment = body.text("updated_at") or body.text("timestamp") or headers.get("X-Chatwoot-Delivery")
    return Closure(
        ticket_id=conversation_id,
        delivery_key=f"{conversation_id}:{moment or 'resolved'}",
        customer=person,
        agent=agent,
        closed_at=closed_at,
        opened_at=body.time("created_at"),
        channel=_channel(body.text("channel")),
    )
