"""Helpdesk payloads shaped exactly as ``helpdesks.md`` (beside DESIGN.md) shows them.

Each builder names the section of helpdesks.md and the upstream source the shape comes from.
They return fresh dicts, so a test may change one field (a status, a time) without touching
the others; ``rendered`` bodies are what a helpdesk sends after filling in our README template.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.hooks import freshdesk, zendesk


def chatwoot_status_changed(status: str = "resolved") -> dict[str, Any]:
    """helpdesks.md 1(b): the documented sample (chatwoot/docs
    ``docs/product/others/webhook-events.md``) with the newer presenter fields of
    ``Conversations::EventDataPresenter#push_data`` and the account webhook's
    ``changed_attributes`` (``BaseListener#extract_changed_attributes``)."""
    return {
        "additional_attributes": {
            "browser": {"browser_name": "Chrome"},
            "referer": "http://localhost:3000/widget_tests",
        },
        "can_reply": True,
        "channel": "Channel::WebWidget",
        "id": 10,
        "inbox_id": 1,
        "contact_inbox": {
            "id": 12,
            "contact_id": 12,
            "inbox_id": 1,
            "source_id": "405f1d30-1af3-4fa0-8ffd-11ea3f86101e",
            "hmac_verified": False,
        },
        "messages": [
            {"id": 120, "conversation_id": 10, "message_type": 3, "created_at": 1627063369}
        ],
        "meta": {
            "sender": {
                "additional_attributes": {},
                "custom_attributes": {},
                "email": "jane@acme.inc",
                "id": 12,
                "identifier": None,
                "name": "jane",
                "phone_number": "+4930123456",
                "thumbnail": "...",
                "type": "contact",
            },
            "assignee": {
                "id": 1,
                "name": "John",
                "available_name": "John",
                "avatar_url": "...",
                "type": "user",
                "availability_status": "online",
            },
            "team": {"id": 3, "name": "Billing"},
        },
        "status": status,
        "unread_count": 0,
        "agent_last_seen_at": 1627063451,
        "contact_last_seen_at": 0,
        "timestamp": 1627063369,
        "created_at": 1627060000,
        "updated_at": 1627063455.123,
        "changed_attributes": [{"status": {"previous_value": "open", "current_value": status}}],
        "event": "conversation_status_changed",
    }


def chatwoot_agent_bot_resolved() -> dict[str, Any]:
    """helpdesks.md 1(a)2: ``AgentBotListener#conversation_resolved`` sends the same
    ``webhook_data`` with ``event: conversation_resolved`` (and no ``changed_attributes``)."""
    body = chatwoot_status_changed()
    del body["changed_attributes"]
    return body | {"event": "conversation_resolved"}


def chatwoot_documented_sample_resolved() -> dict[str, Any]:
    """helpdesks.md 1(b): the older documented sample as is (no ``created_at``/``updated_at``,
    no team), resolved."""
    body = chatwoot_status_changed()
    for key in ("created_at", "updated_at", "changed_attributes"):
        del body[key]
    del body["meta"]["team"]
    body["meta"]["sender"]["phone_number"] = None
    return body


def zendesk_status_changed(current: str = "SOLVED", previous: str = "OPEN") -> dict[str, Any]:
    """helpdesks.md 2(b): dust-tt/dust
    ``front/lib/triggers/built-in-webhooks/zendesk/schemas/ticket_status_changed.ts``."""
    return {
        "account_id": 22129848,
        "detail": {
            "actor_id": "8447388090494",
            "assignee_id": "8447388090494",
            "brand_id": "8447346621310",
            "created_at": "2025-01-08T10:12:07Z",
            "custom_status": "8447320465790",
            "group_id": "8447320466430",
            "id": "5158",
            "organization_id": "8447346622462",
            "priority": "HIGH",
            "requester_id": "8447388090372",
            "status": current,
            "subject": "Cannot login to mobile app",
            "submitter_id": "8447388090494",
            "tags": ["mobile", "login"],
            "type": "PROBLEM",
            "updated_at": "2025-01-08T16:45:20Z",
            "via": {"channel": "web_service"},
        },
        "event": {"current": current, "previous": previous},
        "id": "a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d",
        "subject": "zen:ticket:5158",
        "time": "2025-01-08T16:45:20.987654321Z",
        "type": "zen:event-type:ticket.status_changed",
        "zendesk_event_version": "2022-11-06",
    }


ZENDESK_TRIGGER_VALUES = {
    "ticket.id": "372",
    "ticket.status": "Solved",
    "ticket.created_at_with_timestamp": "2026-03-02T09:00:00Z",
    "ticket.updated_at_with_timestamp": "2026-03-02T11:30:00Z",
    "ticket.via": "Web form",
    "ticket.requester.id": "9001",
    "ticket.requester.name": "Rita Requester",
    "ticket.requester.email": "rita@example.com",
    "ticket.requester.phone": "+1 415 555 0100",
    "ticket.requester.language": "Deutsch",
    "ticket.assignee.id": "77",
    "ticket.assignee.name": "Dana Agent",
    "ticket.assignee.email": "dana@support.example",
    "ticket.group.name": "Tier 1",
}


def render(template: str, values: dict[str, str]) -> dict[str, Any]:
    """A placeholder template filled in as the helpdesk does (unknown placeholders: empty)."""
    text = template
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    rendered: dict[str, Any] = json.loads(re.sub(r"\{\{[\w.]+\}\}", "", text))
    return rendered


def zendesk_trigger(**changes: str) -> dict[str, Any]:
    """helpdesks.md 2(b): a trigger's "Notify by webhook" with the README's JSON body
    (``zendesk.TRIGGER_BODY``, placeholders from the suggested trigger body)."""
    return render(zendesk.TRIGGER_BODY, ZENDESK_TRIGGER_VALUES | changes)


def freshdesk_zulip_status_changed() -> dict[str, Any]:
    """helpdesks.md 3(b): zulip/zulip ``zerver/webhooks/freshdesk/fixtures/status_changed.json``
    (a change to a custom status, so not a resolution)."""
    return {
        "freshdesk_webhook": {
            "triggered_event": "{status:{from:4,to:6}}",
            "ticket_id": "11",
            "ticket_url": "http://test1234zzz.freshdesk.com/helpdesk/tickets/11",
            "ticket_type": "Incident",
            "ticket_subject": "Test ticket subject",
            "ticket_status": "Waiting on Customer",
            "ticket_priority": "Low",
            "requester_name": "Requester Bob",
            "requester_email": "requester-bob@example.com",
        }
    }


FRESHDESK_RULE_VALUES = {
    "ticket.id": "11",
    "ticket.status": "Resolved",
    "triggered_event": "{status:{from:2,to:4}}",
    "ticket.source": "Email",
    "ticket.requester.id": "43000123",
    "ticket.requester.name": "Requester Bob",
    "ticket.requester.email": "requester-bob@example.com",
    "ticket.contact.phone": "",
    "ticket.contact.mobile": "+44 20 7946 0000",
    "ticket.agent.name": "Agent Alice",
    "ticket.agent.email": "alice@support.example",
    "ticket.group.name": "Billing",
}


def freshdesk_rule(**changes: str) -> dict[str, Any]:
    """helpdesks.md 3(b): the automation rule's Advanced JSON from the README
    (``freshdesk.RULE_BODY``, the recommended body plus ``{{ticket.requester.id}}``)."""
    return render(freshdesk.RULE_BODY, FRESHDESK_RULE_VALUES | changes)


def helpscout_conversation(status: str = "closed") -> dict[str, Any]:
    """helpdesks.md 4(b): the Mailbox API 2.0 conversation of the official Get Conversation
    example (developer.helpscout.com), which the v2 webhook sends."""
    return {
        "id": 123,
        "number": 12,
        "threads": 2,
        "type": "email",
        "folderId": 11,
        "status": status,
        "state": "published",
        "subject": "Help",
        "mailboxId": 13,
        "assignee": {
            "id": 99,
            "type": "user",
            "first": "Mr",
            "last": "Robot",
            "email": "none@nowhere.com",
        },
        "createdBy": {"id": 12, "type": "customer", "email": "bear@acme.com"},
        "createdAt": "2012-03-15T22:46:22Z",
        "closedBy": 14,
        "closedByUser": {
            "id": 14,
            "type": "user",
            "first": "Clo",
            "last": "Ser",
            "email": "closer@closers.com",
        },
        "closedAt": "2012-03-16T14:07:23Z",
        "userUpdatedAt": "2012-03-16T14:07:23Z",
        "source": {"type": "email", "via": "customer"},
        "tags": [{"id": 9150, "tag": "vip"}],
        "primaryCustomer": {
            "id": 238604,
            "type": "customer",
            "first": "Rob",
            "last": "Robertovic",
            "email": "rob@acme.com",
        },
        "customFields": [{"id": 6688, "name": "Account Type", "value": "33077"}],
        "_links": {"primaryCustomer": {"href": "https://api.helpscout.net/v2/customers/238604"}},
    }


def intercom_admin_closed() -> dict[str, Any]:
    """helpdesks.md 5(b): zulip/zulip
    ``zerver/webhooks/intercom/fixtures/conversation_admin_closed.json`` (API 1.x)."""
    return {
        "type": "notification_event",
        "app_id": "i6wc9ipe",
        "data": {
            "type": "notification_event_data",
            "item": {
                "type": "conversation",
                "id": "21322009097",
                "created_at": 1553290933,
                "updated_at": 1553291389,
                "user": {
                    "type": "lead",
                    "id": "5c9553cb27e377f24eed49f7",
                    "user_id": "75067020-8e3b-4a8b-9f6a-1b2c3d4e5f60",
                    "name": "Eeshan Garg",
                    "email": "jerryguitarist@gmail.com",
                },
                "assignee": {
                    "type": "admin",
                    "id": "1957471",
                    "name": "Cordelia Lear",
                    "email": "cordelia@zulip.com",
                },
                "conversation_parts": {
                    "conversation_parts": [
                        {
                            "part_type": "close",
                            "created_at": 1553291389,
                            "author": {"type": "admin", "id": "1957471"},
                        }
                    ],
                    "total_count": 1,
                },
                "open": False,
                "state": "closed",
                "links": {
                    "conversation_web": "https://app.intercom.io/a/apps/i6wc9ipe/conversations/21322009097"
                },
            },
        },
        "id": "notif_2bc4bf3a-0064-4fb0-9e17-dc44d91bcb9b",
        "topic": "conversation.admin.closed",
        "delivery_status": "pending",
        "delivery_attempts": 1,
        "delivered_at": 0,
        "first_sent_at": 1553291390,
        "created_at": 1553291390,
    }


def intercom_admin_closed_v2() -> dict[str, Any]:
    """helpdesks.md 5(b): the same envelope around an API 2.x Conversation (intercom/intercom-node
    ``src/api/resources/conversations/types/Conversation.ts``); no 2.x capture was found, so only
    fields that model documents are used."""
    body = intercom_admin_closed()
    body["id"] = "notif_5d0f1c2e-7a1b-4c3d-8e9f-0a1b2c3d4e5f"
    body["data"]["item"] = {
        "type": "conversation",
        "id": "21322009098",
        "created_at": 1553290933,
        "updated_at": 1553291389,
        "state": "closed",
        "open": False,
        "admin_assignee_id": 1957471,
        "team_assignee_id": 5017691,
        "source": {
            "type": "whatsapp",
            "delivered_as": "customer_initiated",
            "author": {
                "type": "user",
                "id": "6543a1b2c3d4e5f6a7b8c9d0",
                "name": "Wanda Whatsapp",
                "email": "wanda@example.org",
            },
        },
        "contacts": {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": "6543a1b2c3d4e5f6a7b8c9d0", "external_id": "w-77"}
            ],
        },
        "statistics": {
            "last_close_at": 1553291380,
            "last_closed_by_id": "1957471",
            "count_reopens": 0,
            "count_conversation_parts": 4,
        },
    }
    return body


def front_archive() -> dict[str, Any]:
    """helpdesks.md 6(b): zulip/zulip ``zerver/webhooks/front/fixtures/conversation_archived.json``
    (a rule webhook, full event)."""
    return {
        "_links": {"self": "https://api2.frontapp.com/events/evt_28du7y2"},
        "id": "evt_28du7y2",
        "type": "archive",
        "emitted_at": 1518307966.678,
        "conversation": {
            "id": "cnv_keo696",
            "subject": "Your next delivery is on Epsilon 96Z",
            "status": "archived",
            "assignee": {
                "id": "tea_40yq",
                "email": "leela@planet-express.com",
                "username": "leela",
                "first_name": "Leela",
                "last_name": "Turanga",
            },
            "recipient": {
                "_links": {"related": {"contact": "https://api2.frontapp.com/contacts/crd_62euuy"}},
                "handle": "calculon@momsbot.com",
                "role": "to",
            },
            "tags": [],
            "last_message": {
                "id": "msg_1176ie2",
                "type": "email",
                "is_inbound": False,
                "created_at": 1518307909.541,
            },
            "created_at": 1518307874.673,
        },
        "source": {
            "_meta": {"type": "teammate"},
            "data": {"id": "tea_40yq", "email": "leela@planet-express.com"},
        },
    }
