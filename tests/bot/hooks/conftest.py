"""Helpdesks as the tests play them: each one's closure fixture, and its signature computed here
from the formula helpdesks.md documents (not with our own ``sign`` functions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests.bot.hooks import fixtures

HOOKS_TOKEN = "hooks-token-for-tests-0123456789abcdef"
SECRETS = {
    "chatwoot": "chatwoot-webhook-secret",
    "zendesk": "zendesk-signing-secret",
    "helpscout": "helpscout-secret",
    "intercom": "intercom-client-secret",
    "front": "front-api-secret",
}
SECRET_SETTINGS = {
    "chatwoot_webhook_secret": SECRETS["chatwoot"],
    "zendesk_webhook_secret": SECRETS["zendesk"],
    "helpscout_webhook_secret": SECRETS["helpscout"],
    "intercom_client_secret": SECRETS["intercom"],
    "front_webhook_secret": SECRETS["front"],
}


def _mac(secret: str, message: bytes, algorithm: Any) -> bytes:
    return hmac.new(secret.encode(), message, algorithm).digest()


def signed_headers(helpdesk: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers the helpdesk sends with ``body`` at ``now``, signed as it signs."""
    if helpdesk == "chatwoot":
        ts = str(int(now.timestamp()))
        mac = _mac(SECRETS["chatwoot"], f"{ts}.".encode() + body, hashlib.sha256).hex()
        return {
            "X-Chatwoot-Timestamp": ts,
            "X-Chatwoot-Signature": f"sha256={mac}",
            "X-Chatwoot-Delivery": str(uuid.uuid4()),
        }
    if helpdesk == "zendesk":
        ts = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        mac = _mac(SECRETS["zendesk"], ts.encode() + body, hashlib.sha256)
        return {
            "X-Zendesk-Webhook-Signature-Timestamp": ts,
            "X-Zendesk-Webhook-Signature": base64.b64encode(mac).decode(),
            "X-Zendesk-Webhook-Id": "01HQ00000000000000000000",
        }
    if helpdesk == "helpscout":
        mac = _mac(SECRETS["helpscout"], body, hashlib.sha1)
        return {
            "X-HelpScout-Event": "convo.status",
            "X-HelpScout-Signature": base64.b64encode(mac).decode(),
        }
    if helpdesk == "intercom":
        mac = _mac(SECRETS["intercom"], body, hashlib.sha1)
        return {"X-Hub-Signature": f"sha1={mac.hex()}"}
    if helpdesk == "front":
        mac = _mac(SECRETS["front"], body, hashlib.sha1)
        return {"X-Front-Signature": base64.b64encode(mac).decode()}
    return {}


@dataclass(frozen=True)
class Desk:
    """One helpdesk's closure as the tests send it."""

    name: str
    closure: Callable[[], dict[str, Any]]
    case_id: str
    customer_id: str
    agent_id: str
    closed_at: datetime | None
    email: str | None

    def body(self, **overrides: Any) -> bytes:
        return json.dumps(self.closure() | overrides).encode()


DESKS = [
    Desk(
        "chatwoot",
        fixtures.chatwoot_status_changed,
        "chatwoot:10",
        "chatwoot:12",
        "chatwoot:1",
        datetime.fromtimestamp(1627063455.123, UTC),
        "jane@acme.inc",
    ),
    Desk(
        "zendesk",
        fixtures.zendesk_status_changed,
        "zendesk:5158",
        "zendesk:8447388090372",
        "zendesk:8447388090494",
        datetime(2025, 1, 8, 16, 45, 20, 987654, tzinfo=UTC),
        None,
    ),
    Desk(
        "freshdesk",
        fixtures.freshdesk_rule,
        "freshdesk:11",
        "freshdesk:43000123",
        "freshdesk:alice@support.example",
        None,
        "requester-bob@example.com",
    ),
    Desk(
        "helpscout",
        fixtures.helpscout_conversation,
        "helpscout:123",
        "helpscout:238604",
        "helpscout:99",
        datetime(2012, 3, 16, 14, 7, 23, tzinfo=UTC),
        "rob@acme.com",
    ),
    Desk(
        "intercom",
        fixtures.intercom_admin_closed,
        "intercom:21322009097",
        "intercom:5c9553cb27e377f24eed49f7",
        "intercom:1957471",
        datetime.fromtimestamp(1553291389, UTC),
        "jerryguitarist@gmail.com",
    ),
    Desk(
        "front",
        fixtures.front_archive,
        "front:cnv_keo696",
        "front:crd_62euuy",
        "front:tea_40yq",
        datetime.fromtimestamp(1518307966.678, UTC),
        "calculon@momsbot.com",
    ),
]
SIGNING = [desk for desk in DESKS if desk.name in SECRETS]


def not_a_closure(desk: Desk) -> list[tuple[bytes, dict[str, str]]]:
    """Bodies (with extra headers) the helpdesk sends for events that are not a closure."""
    other: dict[str, list[dict[str, Any]]] = {
        "chatwoot": [
            fixtures.chatwoot_status_changed("open"),
            fixtures.chatwoot_status_changed() | {"event": "message_created"},
        ],
        "zendesk": [
            fixtures.zendesk_status_changed("PENDING"),
            fixtures.zendesk_status_changed("CLOSED", "SOLVED"),
        ],
        "freshdesk": [fixtures.freshdesk_zulip_status_changed()],
        "helpscout": [fixtures.helpscout_conversation("active")],
        "intercom": [fixtures.intercom_admin_closed() | {"topic": "ping"}],
        "front": [fixtures.front_archive() | {"type": "reopen"}],
    }
    found = [(json.dumps(body).encode(), {}) for body in other[desk.name]]
    if desk.name == "helpscout":
        found.append((desk.body(), {"X-HelpScout-Event": "helpscout.test"}))
    return found


def closed_at(desk: Desk, moment: datetime) -> dict[str, Any]:
    """The desk's closure as if the ticket closed at ``moment`` (the policy skips old cases)."""
    body = desk.closure()
    unix, iso = moment.timestamp(), moment.isoformat().replace("+00:00", "Z")
    earlier = moment.timestamp() - 3600
    if desk.name == "chatwoot":
        body |= {"updated_at": unix, "timestamp": int(unix), "created_at": int(earlier)}
    elif desk.name == "zendesk":
        body["time"] = iso
        body["detail"] |= {"updated_at": iso, "created_at": iso}
    elif desk.name == "helpscout":
        body |= {"closedAt": iso, "createdAt": iso}
    elif desk.name == "intercom":
        item = body["data"]["item"]
        item["created_at"] = int(earlier)
        item["conversation_parts"]["conversation_parts"][0]["created_at"] = int(unix)
    elif desk.name == "front":
        body["emitted_at"] = unix
        body["conversation"]["created_at"] = earlier
    return body
