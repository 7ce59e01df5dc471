"""Signed deep links: ``https://t.me/<bot>?start=<token>`` connects a chat to one customer.

The token is ``base64url(mac || customer_id)`` without padding, where ``mac`` is the first
12 bytes of HMAC-SHA256(LINK_SECRET, purpose || customer_id). Telegram's start parameter is at
most 64 characters of ``A-Z a-z 0-9 _ -``, which base64url fills exactly: 48 bytes, so the
customer id may be at most 36 bytes of UTF-8. Nobody without the secret can make a token for
another customer, and an altered token fails the constant-time comparison.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Final

from feedbackbot.errors import FeedbackbotError

MAX_START_PARAMETER: Final = 64
MAC_BYTES: Final = 12
MAX_CUSTOMER_ID_BYTES: Final = MAX_START_PARAMETER * 3 // 4 - MAC_BYTES
_PURPOSE: Final = b"feedbackbot/telegram-link/v1\x00"


class CustomerIdTooLong(FeedbackbotError):
    """The customer id does not fit in a Telegram deep link."""


def _mac(secret: str, customer_id: bytes) -> bytes:
    return hmac.new(secret.encode(), _PURPOSE + customer_id, hashlib.sha256).digest()[:MAC_BYTES]


def make_link_token(secret: str, customer_id: str) -> str:
    """The start parameter that links a chat to ``customer_id`` (the helpdesk's customer id)."""
    raw = customer_id.encode()
    if not raw:
        raise CustomerIdTooLong("The customer id is empty.")
    if len(raw) > MAX_CUSTOMER_ID_BYTES:
        raise CustomerIdTooLong(
            f"Customer id {customer_id!r} is {len(raw)} bytes long; a Telegram deep link holds "
            f"at most {MAX_CUSTOMER_ID_BYTES} bytes of customer id (the start parameter is "
            f"limited to {MAX_START_PARAMETER} characters). Link this customer by sending "
            "telegram_chat_id with a case event instead."
        )
    return base64.urlsafe_b64encode(_mac(secret, raw) + raw).rstrip(b"=").decode()


def read_link_token(secret: str, token: str) -> str | None:
    """The customer id a token was made for, or None when it is malformed, forged or altered."""
    if not token or len(token) > MAX_START_PARAMETER:
        return None
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    mac, raw = decoded[:MAC_BYTES], decoded[MAC_BYTES:]
    if not raw or not hmac.compare_digest(mac, _mac(secret, raw)):
        return None
    # Re-encoding must give the same token: refuses non-canonical spellings of one payload.
    if base64.urlsafe_b64encode(decoded).rstrip(b"=").decode() != token:
        return None
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return None


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"
