"""Intercom (helpdesks.md section 5): topic ``conversation.admin.closed``.

The envelope (``type: notification_event``, ``id: notif_...``, ``topic``) wraps the conversation
in ``data.item``: API 1.x names the customer in ``user`` and the agent in ``assignee``; 2.x has
``contacts.contacts[]``, ``admin_assignee_id``, ``team_assignee_id``, ``source`` and
``statistics.last_close_at``. Signed: ``X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret,
raw body)>``; no timestamp, so a repeat is caught by the notification id.
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
    hmac_digest,
    looks_like_email,
    same,
)

NAME = "intercom"
SIGNATURE_HEADER = "X-Hub-Signature"
CLOSED_TOPIC = "conversation.admin.closed"


def sign(secret: str, body: bytes) -> str:
    return "sha1=" + hmac_digest(secret, body, "sha1").hex()


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> bool:
    return same(headers.get(SIGNATURE_HEADER), sign(secret, body))


def _customer(item: Payload) -> Person:
    user = item.object("user")
    if user is not None:  # API 1.x
        person = item.at("user")
        return Person(
            id=person.need_text("id"),
            name=person.text("name"),
            email=looks_like_email(person.text("email")),
        )
    contact = item.need_object("contacts").need_object("contacts.0")
    contact_id = contact.need_text("id")
    author = item.at("source.author")
    # The source author is the customer only when they started the conversation.
    named = author.text("id") == contact_id
    return Person(
        id=contact_id,
        name=author.text("name") if named else None,
        email=looks_like_email(author.text("email")) if named else None,
    )


def _agent(item: Payload) -> Staff | None:
    assignee = item.at("assignee")
    if assignee.text("id") is not None and assignee.text("type") in (None, "admin"):
        return Staff(
            id=assignee.text("id") or "",
            name=assignee.text("name"),
            email=looks_like_email(assignee.text("email")),
        )
    admin_id = item.text("admin_assignee_id")
    if admin_id is None:
        return None
    return Staff(id=admin_id, team=item.text("team_assignee_id"))


def _closed_at(item: Payload) -> datetime | None:
    close_parts = [
        part
        for part in item.items("conversation_parts.conversation_parts")
        if isinstance(part, dict) and part.get("part_type") == "close"
    ]
    last_close = Payload(close_parts[-1]).time("created_at") if close_parts else None
    return item.time("statistics.last_close_at") or last_close


def read(data: Any, headers: Mapping[str, str]) -> Closure | Ignored:
    body = Payload(data)
    topic = body.text("topic")
    if topic != CLOSED_TOPIC:
        return Ignored(f"topic {topic or 'none'} is not {CLOSED_TOPIC}")
    item = body.need_object("data").need_object("item")
    return Closure(
        ticket_id=item.need_text("id"),
        delivery_key=body.need_text("id"),
        customer=_customer(item),
        agent=_agent(item),
        closed_at=_closed_at(item) or body.time("created_at"),
        opened_at=item.time("created_at"),
        channel=item.text("source.type"),
    )
