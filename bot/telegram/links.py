"""Signed deep links: ``https://t.me/<bot>?start=<token>`` connects a chat to one customer.

A token is ``base64url(link_id || mac)`` without padding: ``link_id`` is 16 random bytes naming
a ``link_token`` row (its customer, expiry and whether it was used), ``mac`` the first 12 bytes
of HMAC-SHA256(LINK_SECRET, purpose || link_id). That is 38 characters of ``A-Z a-z 0-9 _ -``,
well inside Telegram's 64-character start parameter, whatever the customer id. Nobody without
the secret can make a token, and an altered one fails the constant-time comparison before the
database is asked. The row makes a token work once and expire (issue 12).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Final

MAX_START_PARAMETER: Final = 64
LINK_ID_BYTES: Final = 16
MAC_BYTES: Final = 12
_PURPOSE: Final = b"feedbackbot/telegram-link/v2\x00"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    # Re-encoding must give the same text: refuses non-canonical spellings of one payload.
    return raw if _b64(raw) == text else None


def _mac(secret: str, link_id: bytes) -> bytes:
    return hmac.new(secret.encode(), _PURPOSE + link_id, hashlib.sha256).digest()[:MAC_BYTES]


def new_link_id() -> str:
    """A fresh random link id (22 characters), the primary key of its ``link_token`` row."""
    return _b64(secrets.token_bytes(LINK_ID_BYTES))


def make_link_token(secret: str, link_id: str) -> str:
    """The start parameter for the link ``link_id`` (from ``new_link_id``)."""
    raw = _unb64(link_id)
    if raw is None or len(raw) != LINK_ID_BYTES:
        raise ValueError("not a link id made by new_link_id()")
    return _b64(raw + _mac(secret, raw))


def read_link_token(secret: str, token: str) -> str | None:
    """The link id a token carries, or None when it is malformed, forged or altered."""
    if not token or len(token) > MAX_START_PARAMETER:
        return None
    decoded = _unb64(token)
    if decoded is None or len(decoded) != LINK_ID_BYTES + MAC_BYTES:
        return None
    raw, mac = decoded[:LINK_ID_BYTES], decoded[LINK_ID_BYTES:]
    if not hmac.compare_digest(mac, _mac(secret, raw)):
        return None
    return _b64(raw)


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"
