"""One-time sign-in links and the session cookie they start (DESIGN section 11).

A link is ``/dashboard/signin?token=<nonce>.<mac>``: a random nonce and the first 16 bytes of
HMAC-SHA256(LINK_SECRET, purpose || nonce), base64url. Whom it signs in and until when live in the
``dashboard_link`` row (keyed by the nonce's SHA-256), which is spent on first use. The session is
a cookie ``<payload>.<mac>``: the payload (role, agent, expiry) in base64url JSON, signed the same
way with another purpose, so a changed payload or a cookie made without the secret is refused.
Every comparison is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.dashboard_links import issue_link, use_link

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
COOKIE = "feedbackbot_dashboard"
SIGNIN_PATH = "/dashboard/signin"
_LINK_PURPOSE = b"feedbackbot/dashboard-link/v1\x00"
_SESSION_PURPOSE = b"feedbackbot/dashboard-session/v1\x00"
_MAC_BYTES = 16


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: an admin (sees everything) or one agent (their own pages)."""

    admin: bool
    agent: str | None

    def may_see_agent(self, agent: str) -> bool:
        return self.admin or self.agent == agent

    @property
    def label(self) -> str:
        return "admin" if self.admin else f"agent {self.agent}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _mac(secret: str, purpose: bytes, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


async def create_link(
    session: AsyncSession, secret: str, viewer: Viewer, now: datetime, base_url: str
) -> str:
    """Record a new one-time link for ``viewer`` and return its full URL (valid 15 minutes)."""
    nonce = secrets.token_urlsafe(24)
    await issue_link(
        session,
        _nonce_hash(nonce),
        admin=viewer.admin,
        agent_external_id=viewer.agent,
        now=now,
        expires_at=now + LINK_LIFETIME,
    )
    token = f"{nonce}.{_b64(_mac(secret, _LINK_PURPOSE, nonce.encode()))}"
    return f"{base_url.rstrip('/')}{SIGNIN_PATH}?token={token}"


async def redeem_link(
    session: AsyncSession, secret: str, token: str, now: datetime
) -> Viewer | None:
    """The viewer a token signs in, spending it; None if forged, used, expired or malformed."""
    nonce, _, mac = token.partition(".")
    presented = _unb64(mac)
    if not nonce or len(token) > 200 or presented is None:
        return None
    if not hmac.compare_digest(presented, _mac(secret, _LINK_PURPOSE, nonce.encode())):
        return None
    link = await use_link(session, _nonce_hash(nonce), now)
    if link is None:
        return None
    return Viewer(admin=link.admin, agent=link.agent_external_id)


def session_cookie(secret: str, viewer: Viewer, now: datetime) -> str:
    """The cookie value that keeps ``viewer`` signed in for 12 hours from ``now``."""
    expires = int((now + SESSION_LIFETIME).timestamp())
    payload = json.dumps(
        {"admin": viewer.admin, "agent": viewer.agent, "exp": expires}, separators=(",", ":")
    ).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, _SESSION_PURPOSE, payload))}"


def read_session(secret: str, cookie: str, now: datetime) -> Viewer | None:
    """The viewer of a valid, unexpired cookie; None for anything else."""
    encoded, _, mac = cookie.partition(".")
    payload, presented = _unb64(encoded), _unb64(mac)
    if payload is None or presented is None or len(cookie) > 1000:
        return None
    if not hmac.compare_digest(presented, _mac(secret, _SESSION_PURPOSE, payload)):
        return None
    try:
        data = json.loads(payload)
        admin, agent, expires = bool(data["admin"]), data["agent"], int(data["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    if expires <= now.timestamp() or not (admin or isinstance(agent, str)):
        return None
    return Viewer(admin=admin, agent=None if admin else agent)
