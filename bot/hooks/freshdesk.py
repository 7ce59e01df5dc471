"""Freshdesk (helpdesks.md section 3): an automation rule's "Trigger webhook" action.

Freshdesk has no native event body and signs nothing: the admin pastes ``RULE_BODY`` (the
README gives it) into an automation rule on "Status is changed to Resolved / Closed", and the
token in the URL path is the only check. The status arrives by name (``{{ticket.status}}``)
and in ``triggered_event`` as ``{status:{from:2,to:4}}`` (not JSON; 4 Resolved, 5 Closed).
No closed time and no event id: a retry (5, 30, 60 minutes later) carries the same body, so
the body names the delivery, and our receive time is the closed time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.hooks.payload import Closure, Ignored, Payload, Person, Staff, looks_like_email

NAME = "freshdesk"
RESOLVED_NAMES = frozenset({"resolved", "closed"})
RESOLVED_CODES = frozenset({"4", "5"})
_STATUS = re.compile(r"status\s*:\s*\{([^}]*)\}")
_END = re.compile(r"\b(from|to)\s*:\s*\"?(\w+)")

RULE_BODY = """{"freshdesk_webhook": {
  "ticket_id": "{{ticket.id}}",
  "ticket_status": "{{ticket.status}}",
  "triggered_event": "{{triggered_event}}",
  "ticket_source": "{{ticket.source}}",
  "requester_id": "{{ticket.requester.id}}",
  "requester_name": "{{ticket.requester.name}}",
  "requester_email": "{{ticket.requester.email}}",
  "contact_phone": "{{ticket.contact.phone}}",
  "contact_mobile": "{{ticket.contact.mobile}}",
  "agent_name": "{{ticket.agent.name}}",
  "agent_email": "{{ticket.agent.email}}",
  "group": "{{ticket.group.name}}"
}}"""
"""What the README tells an admin to paste as the rule's Advanced JSON content."""


def status_change(triggered_event: str | None) -> tuple[str | None, str | None]:
    """``(from, to)`` of ``{status:{from:2,to:4}}``; Nones when the event is another change."""
    match = _STATUS.search(triggered_event or "")
    ends = dict(_END.findall(match.group(1))) if match else {}
    return ends.get("from"), ends.get("to")


def read(data: Any, headers: Mapping[str, str]) -> Closure | Ignored:
    body = Payload(data).need_object("freshdesk_webhook")
    status = (body.text("ticket_status") or "").lower()
    before, code = status_change(body.text("triggered_event"))
    if status not in RESOLVED_NAMES and code not in RESOLVED_CODES:
        return Ignored(f"status {status or code or 'none'} is not resolved or closed")
    if before in RESOLVED_CODES:
        # Resolved -> Closed is Freshdesk closing a resolved ticket later, not a new resolution.
        return Ignored("a resolved ticket was closed")
    ticket_id = body.need_text("ticket_id")
    email = looks_like_email(body.text("requester_email"))
    requester_id = body.text("requester_id")
    if requester_id is None and email is None:
        body.need_text("requester_id")
    agent_email = looks_like_email(body.text("agent_email"))
    agent_id = body.text("agent_id") or agent_email
    return Closure(
        ticket_id=ticket_id,
        delivery_key=f"{ticket_id}:{status or code}",
        customer=Person(
            id=requester_id or email or "",
            name=body.text("requester_name"),
            email=email,
            phone=body.text("contact_mobile") or body.text("contact_phone"),
            slack_user_id=body.text("requester_slack_user_id"),
        ),
        agent=Staff(
            id=agent_id, name=body.text("agent_name"), email=agent_email, team=body.text("group")
        )
        if agent_id
        else None,
        channel=(body.text("ticket_source") or "").lower() or None,
    )
