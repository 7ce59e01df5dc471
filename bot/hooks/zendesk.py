"""Zendesk (helpdesks.md section 2): a ticket solved, from an event webhook or a trigger.

Event webhook: ``zen:event-type:ticket.status_changed`` with ``event.current`` ``SOLVED`` or
``CLOSED``; ids are strings, the requester's name and e-mail are not in it. ``SOLVED`` ->
``CLOSED`` is Zendesk closing a solved ticket days later, not a new resolution, so it is
ignored. Trigger webhook: the JSON body the README gives (``TRIGGER_BODY``), with a status of
Solved or Closed. Signed: ``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret,
``X-Zendesk-Webhook-Signature-Timestamp`` + raw body)).
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

NAME = "zendesk"
SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
STATUS_CHANGED = "zen:event-type:ticket.status_changed"
RESOLVED = frozenset({"SOLVED", "CLOSED"})

TRIGGER_BODY = """{
  "ticket_id": "{{ticket.id}}",
  "status": "{{ticket.status}}",
  "created_at": "{{ticket.created_at_with_timestamp}}",
  "updated_at": "{{ticket.updated_at_with_timestamp}}",
  "via": "{{ticket.via}}",
  "requester": {
    "id": "{{ticket.requester.id}}",
    "name": "{{ticket.requester.name}}",
    "email": "{{ticket.requester.email}}",
    "phone": "{{ticket.requester.phone}}",
    "language": "{{ticket.requester.language}}"
  },
  "assignee": {
    "id": "{{ticket.assignee.id}}",
    "name": "{{ticket.assignee.name}}",
    "email": "{{ticket.assignee.email}}"
  },
  "group": "{{ticket.group.name}}"
}"""
"""What the README tells an admin to paste into the trigger's "Notify by webhook" action."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return b64(hmac_digest(secret, timestamp.encode() + body, "sha256"))


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> bool:
    timestamp = headers.get(TIMESTAMP_HEADER, "").strip()
    return bool(timestamp) and same(headers.get(SIGNATURE_HEADER), sign(secret, timestamp, body))


def read(data: Any, headers: Mapping[str, str]) -> Closure | Ignored:
    body = Payload(data)
    if body.raw("ticket_id") is not None and body.text("type") is None:
        return _read_trigger(body)
    kind = body.text("type")
    if kind != STATUS_CHANGED:
        return Ignored(f"event {kind or 'none'} is not a status change")
    current = (body.text("event.current") or "").upper()
    previous = (body.text("event.previous") or "").upper()
    if current not in RESOLVED:
        return Ignored(f"status changed to {current or 'nothing'}")
    if previous in RESOLVED:
        return Ignored(f"{previous} to {current} is not a new resolution")
    detail = body.need_object("detail")
    ticket_id = detail.need_text("id")
    agent_id = detail.text("assignee_id")
    return Closure(
        ticket_id=ticket_id,
        delivery_key=body.need_text("id"),
        customer=Person(id=detail.need_text("requester_id")),
        agent=Staff(id=agent_id, team=detail.text("group_id")) if agent_id else None,
        closed_at=body.time("time") or detail.time("updated_at"),
        opened_at=detail.time("created_at"),
        channel=detail.text("via.channel"),
    )


def _read_trigger(body: Payload) -> Closure | Ignored:
    status = (body.text("status") or "").upper()
    if status not in RESOLVED:
        return Ignored(f"status {status or 'none'} is not solved or closed")
    ticket_id = body.need_text("ticket_id")
    requester = body.need_object("requester")
    assignee = body.at("assignee")
    agent_email = looks_like_email(assignee.text("email"))
    agent_id = assignee.text("id") or agent_email
    updated = body.text("updated_at")
    return Closure(
        ticket_id=ticket_id,
        delivery_key=f"{ticket_id}:{status}:{updated or 'unknown'}",
        customer=Person(
            id=requester.need_text("id"),
            name=requester.text("name")
            or full_name(requester.text("first_name"), requester.text("last_name")),
            email=looks_like_email(requester.text("email")),
            phone=requester.text("phone"),
            language=requester.text("language") or requester.text("locale"),
            timezone=requester.text("time_zone"),
            slack_user_id=requester.text("slack_user_id"),
        ),
        agent=Staff(
            id=agent_id, name=assignee.text("name"), email=agent_email, team=body.text("group")
        )
        if agent_id
        else None,
        closed_at=body.time("updated_at"),
        opened_at=body.time("created_at"),
        channel=body.text("via"),
    )
