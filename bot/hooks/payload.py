"""What a helpdesk module reads out of a webhook, and the typed reader it reads it with.

A helpdesk module turns its native payload into a ``Closure`` (a case closed, with whatever the
payload says about the customer and the agent) or an ``Ignored`` (any other event). ``Payload``
reads dotted paths out of decoded JSON: a required value that is missing or of the wrong type
raises ``BadPayload`` naming the path as the helpdesk spells it; an optional one that is
missing, empty or malformed is simply unknown (helpdesk versions differ, and one odd field must
not lose the case).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedbackbot.errors import FeedbackbotError

_FRACTION = re.compile(r"(\.\d{6})\d+")
_PLACEHOLDER = re.compile(r"^\{\{.*\}\}$")


class BadPayload(FeedbackbotError):
    """A closure event the helpdesk sent without something we need (``path``: what, ``problem``)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Person:
    """The customer as the payload describes them; ``id`` is the helpdesk's contact id."""

    id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    timezone: str | None = None
    slack_user_id: str | None = None


@dataclass(frozen=True)
class Staff:
    """The agent handling the case; ``id`` is the helpdesk's agent id (or e-mail if it has none)."""

    id: str
    name: str | None = None
    email: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class Closure:
    """A case closed in the helpdesk. Ids are the helpdesk's own, not yet namespaced.

    ``delivery_key`` names this closure for deduplication: the helpdesk's event id where it
    has one, else the ticket with its closed time. ``closed_at`` None: the payload has no
    closed time, so the time we received it stands in.
    """

    ticket_id: str
    delivery_key: str
    customer: Person
    agent: Staff | None = None
    closed_at: datetime | None = None
    opened_at: datetime | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Ignored:
    """An event that is not a closure: answered 200 and dropped."""

    reason: str


@dataclass(frozen=True)
class Payload:
    """Decoded JSON with typed, path-naming access (``Payload(data).text("detail.id")``)."""

    data: Any
    prefix: str = ""

    def raw(self, path: str) -> Any:
        """The value at ``path`` as decoded, or None when any step is missing."""
        node = self.data
        for part in path.split("."):
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit():
                index = int(part)
                node = node[index] if index < len(node) else None
            else:
                return None
        return node

    def items(self, path: str) -> list[Any]:
        value = self.raw(path)
        return value if isinstance(value, list) else []

    def at(self, path: str) -> Payload:
        """The object at ``path`` (an empty one when it is missing or not an object)."""
        value = self.raw(path)
        return Payload(value if isinstance(value, dict) else {}, self._name(path) + ".")

    def _name(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def text(self, path: str) -> str | None:
        """A non-empty string (numbers are spelt as text; ids come as both), else None."""
        value = self.raw(path)
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        if not isinstance(value, str):
            return None
        value = value.strip()
        # An unknown placeholder in a trigger body renders as itself or as nothing.
        return value if value and not _PLACEHOLDER.match(value) else None

    def need_text(self, path: str, max_length: int = 200) -> str:
        value = self.raw(path)
        if value is None:
            raise BadPayload(self._name(path), "is required")
        text = self.text(path)
        if text is None:
            raise BadPayload(self._name(path), "must be a non-empty string or number")
        if len(text) > max_length:
            raise BadPayload(self._name(path), f"is longer than {max_length} characters")
        return text

    def object(self, path: str) -> dict[str, Any] | None:
        value = self.raw(path)
        return value if isinstance(value, dict) else None

    def need_object(self, path: str) -> Payload:
        if self.object(path) is None:
            problem = "is required" if self.raw(path) is None else "must be an object"
            raise BadPayload(self._name(path), problem)
        return self.at(path)

    def number(self, path: str) -> float | None:
        value = self.raw(path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def time(self, path: str) -> datetime | None:
        """An ISO 8601 time or a Unix time in seconds; None when absent or unreadable."""
        return read_time(self.raw(path))


def read_time(value: Any) -> datetime | None:
    """An aware UTC time from ISO 8601 text or Unix seconds (ms when implausibly large)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
        if seconds > 1e11:
            seconds /= 1000
        if not 0 < seconds < 32_503_680_000:
            return None
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = _FRACTION.sub(r"\1", value.strip().replace("Z", "+00:00").replace(" UTC", "+00:00"))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            return read_time(float(text))
        except ValueError:
            return None
    return moment.astimezone(UTC) if moment.utcoffset() is not None else None


def full_name(first: str | None, last: str | None) -> str | None:
    return " ".join(part for part in (first, last) if part) or None


def looks_like_email(value: str | None) -> str | None:
    return value if value and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else None


def hmac_digest(secret: str, message: bytes, algorithm: str) -> bytes:
    return hmac.new(secret.encode(), message, getattr(hashlib, algorithm)).digest()


def same(presented: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented signature with the expected one."""
    if not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def body_digest(body: bytes) -> str:
    """A short, stable name for a body, for helpdesks whose retries carry no event id."""
    return hashlib.sha256(body).hexdigest()[:24]
