"""Slack users found by e-mail (``users.lookupByEmail``, scope ``users:read.email``), cached.

A helpdesk knows its customers' and agents' e-mail addresses, not their Slack ids. One lookup
per address, remembered for a day (an address with no Slack user for an hour, so a new member
is found soon); a failed lookup (Slack away, missing scope) is not remembered and never stops
the case being recorded: the customer is then reached by Telegram, or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
FOUND_FOR_SECONDS = 24 * 3600.0
ABSENT_FOR_SECONDS = 3600.0
LOOKUP_TIMEOUT_SECONDS = 2.0
MAX_ENTRIES = 50_000
_ABSENT = ("users_not_found", "user_not_found")


class SlackDirectory:
    """E-mail address -> Slack user id, through the Web API, with a bounded cache."""

    def __init__(self, client: AsyncWebClient, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        self._cache: OrderedDict[str, tuple[str | None, float]] = OrderedDict()

    async def user_id(self, email: str | None) -> str | None:
        """The Slack user with this e-mail address, or None (no such user, or Slack failed)."""
        if not email:
            return None
        key = email.strip().lower()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > self.clock():
            self._cache.move_to_end(key)
            return cached[0]
        try:
            response = await asyncio.wait_for(
                self.client.users_lookupByEmail(email=email.strip()), LOOKUP_TIMEOUT_SECONDS
            )
        except SlackApiError as error:
            code = error.response.get("error") if isinstance(error.response.data, dict) else None
            if code in _ABSENT:
                self._remember(key, None, ABSENT_FOR_SECONDS)
            else:
                log.warning("slack lookup by e-mail failed", extra={"error": code or "http"})
            return None
        except (TimeoutError, OSError) as error:
            log.warning("slack lookup by e-mail failed", extra={"error": type(error).__name__})
            return None
        user = response.get("user") or {}
        user_id = user.get("id") if isinstance(user, dict) and not user.get("deleted") else None
        self._remember(key, user_id, FOUND_FOR_SECONDS if user_id else ABSENT_FOR_SECONDS)
        return user_id

    def _remember(self, key: str, user_id: str | None, seconds: float) -> None:
        self._cache[key] = (user_id, self.clock() + seconds)
        self._cache.move_to_end(key)
        while len(self._cache) > MAX_ENTRIES:
            self._cache.popitem(last=False)
