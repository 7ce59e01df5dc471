"""What the dispatcher did with each invitation it claimed: one name per outcome."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """The end of one claim. A ``StrEnum``, so a ``Counter`` of outcomes compares with plain
    names (``Counter(sent=1)``) and logs and metrics show the bare word."""

    SENT = "sent"
    """The first message went out."""
    REMINDED = "reminded"
    """The reminder went out."""
    DEFERRED = "deferred"
    """Handed back unsent (pacing, a stop, or a lease too close to its end), no attempt used."""
    RATE_LIMITED = "rate_limited"
    """The platform answered 429: due again after its Retry-After, no attempt used."""
    RETRY = "retry"
    """A failed try that may succeed later: due again after a backoff."""
    FAILED = "failed"
    """Given up: out of attempts, no channel left, or the survey cannot be rendered."""
    UNREACHABLE = "unreachable"
    """The recipient blocked the bot or no longer exists."""
    CANCELLED = "cancelled"
    """The customer opted out after the invitation was scheduled."""
    MOVED = "moved"
    """Moved to the customer's other platform, unsent."""
    CLOSED = "closed"
    """Nothing left to ask."""


@dataclass
class TickReport:
    """What one tick (or a drain of several) did, by outcome."""

    outcomes: Counter[Outcome] = field(default_factory=Counter)

    @property
    def claimed(self) -> int:
        return sum(self.outcomes.values())

    def add(self, other: TickReport) -> None:
        self.outcomes.update(other.outcomes)
