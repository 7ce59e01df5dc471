"""Checking customer events from the API and from CSV alike: every problem names its field.

An event is ``{"type": "renewal" | "purchase" | "churn" | "refund", "at": <ISO 8601>,
"amount": <number, optional>, "id": <the sender's id, optional>}`` (DESIGN section 12). A time
without a zone is read as UTC; amounts are money in the account's currency, never negative
(a refund's amount is what was paid back).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.events import EventRecord
from storage.models import OutcomeType

FIELDS = ("type", "at", "amount", "id")
MAX_AMOUNT = 1e12
MAX_KEY = 200
FUTURE_SLACK = timedelta(days=1)
TYPES = ", ".join(t.value for t in OutcomeType)


def _type(value: Any) -> tuple[OutcomeType | None, str | None]:
    if value is None or value == "":
        return None, "is required"
    try:
        return OutcomeType(str(value).strip().lower()), None
    except ValueError:
        return None, f"must be one of {TYPES}"


def _at(value: Any, now: datetime) -> tuple[datetime | None, str | None]:
    if value is None or value == "":
        return None, "is required"
    if not isinstance(value, str):
        return None, "must be an ISO 8601 timestamp (e.g. 2026-03-01T14:30:00Z)"
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, f"{value!r} is not an ISO 8601 timestamp (e.g. 2026-03-01T14:30:00Z)"
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment > now + FUTURE_SLACK:
        return None, "is in the future"
    return moment, None


def _amount(value: Any) -> tuple[float | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, "must be a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, f"{value!r} is not a number"
    if not math.isfinite(number) or number < 0:
        return None, "must be a number of 0 or more"
    if number >= MAX_AMOUNT:
        return None, f"must be below {MAX_AMOUNT:.0f}"
    return round(number, 2), None


def _key(value: Any) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, None
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None, "must be a string"
    text = str(value).strip()
    if len(text) > MAX_KEY:
        return None, f"is longer than {MAX_KEY} characters"
    return text, None


def parse_event(
    customer: str, data: Any, now: datetime, prefix: str = ""
) -> tuple[EventRecord | None, list[tuple[str, str]]]:
    """The event, or None and the ``(field, problem)`` list; fields get ``prefix`` in front."""
    if not isinstance(data, Mapping):
        return None, [(prefix.rstrip(".") or "body", "must be a JSON object")]
    problems = [(f"{prefix}{name}", "is not a known field") for name in data if name not in FIELDS]
    kind, problem = _type(data.get("type"))
    if problem:
        problems.append((f"{prefix}type", problem))
    at, problem = _at(data.get("at"), now)
    if problem:
        problems.append((f"{prefix}at", problem))
    amount, problem = _amount(data.get("amount"))
    if problem:
        problems.append((f"{prefix}amount", problem))
    key, problem = _key(data.get("id"))
    if problem:
        problems.append((f"{prefix}id", problem))
    if problems or kind is None or at is None:
        return None, problems
    return EventRecord(customer, kind, at, amount, key), []
