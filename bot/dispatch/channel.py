"""What a chat platform implements so the dispatcher can send through it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from feedbackbot.errors import FeedbackbotError

if TYPE_CHECKING:
    from surveys.conversation import Prompt


@dataclass(frozen=True)
class Delivery:
    """Where and how to send one prompt of an invitation.

    ``address`` is the platform's id of the customer (a Telegram chat id, a Slack user id);
    ``reminder`` is true when the customer already got this invitation and did not answer;
    ``attempt`` counts from 1. The invitation id is the idempotency key of the send.
    """

    invitation_id: int
    customer_id: int
    platform: str
    address: str
    language: str
    reminder: bool = False
    attempt: int = 1


class DeliveryError(FeedbackbotError):
    """A send failed.

    ``permanent``: this customer cannot be reached on this platform (blocked the bot, account
    deactivated, chat gone); the identity is marked unreachable and nothing is retried.
    ``retry_after``: the platform asked us to wait this many seconds (HTTP 429); the send is
    retried then, without counting as a failed attempt. Anything else is transient and retried
    with backoff until the attempts run out.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@runtime_checkable
class Channel(Protocol):
    """A chat platform the dispatcher sends survey questions through."""

    platform: str

    async def send_question(self, delivery: Delivery, prompt: Prompt) -> str | None:
        """Send ``prompt`` to ``delivery.address``; return the platform's message reference.

        Raise ``DeliveryError`` for a refusal; other exceptions count as transient failures.
        """
        ...
