"""Pacing sends within a platform's limits, inside the one worker that leads the platform.

A platform has a budget per bot (Telegram: about 30 messages/s) and per recipient (about
1/s per chat). Two layers keep us inside it:

* ``reserve`` plans each send at a slot spaced ``1 / (rate * HEADROOM)`` apart (and per
  address), so sends go out evenly rather than in bursts;
* ``gate``, right before the request leaves, checks the spacing of the sends that actually
  went out: a send the event loop woke late never ends up closer than ``1 / rate`` to the
  next one, so no one-second window the platform measures holds more than its limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

HEADROOM = 0.97
"""Fraction of the published rate we aim for; the rest absorbs jitter between us and them."""


class Pacer:
    """Hands out start times: globally spaced, and spaced per address.

    Single-threaded (one event loop); ``clock`` is monotonic seconds.
    """

    def __init__(
        self,
        rate: float | None,
        per_address: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1 / (rate * HEADROOM) if rate else 0.0
        self.address_interval = 1 / (per_address * HEADROOM) if per_address else 0.0
        self.min_gap = 1 / rate if rate else 0.0
        self.min_address_gap = 1 / per_address if per_address else 0.0
        self.clock = clock
        self._next = 0.0
        self._address_next: dict[str, float] = {}
        self._last_sent = float("-inf")
        self._address_sent: dict[str, float] = {}

    def backlog(self) -> float:
        """Seconds of sends already planned ahead of now."""
        return max(0.0, self._next - self.clock())

    def ready_in(self, address: str) -> float:
        """Seconds until ``address`` may get its next message (0 when it may now)."""
        return max(0.0, self._address_next.get(address, 0.0) - self.clock())

    def reserve(self, address: str) -> float | None:
        """A start time (``clock`` seconds) for a send to ``address``, or None when the address
        is not free by the next global slot (the caller defers it; taking the slot would leave
        it unused)."""
        now = self.clock()
        slot = max(self._next, now)
        if self._address_next.get(address, 0.0) > slot:
            return None
        self._next = slot + self.interval
        self._address_next[address] = slot + self.address_interval
        self._forget(now)
        return slot

    async def gate(self, address: str) -> None:
        """Wait until a send to ``address`` keeps the hard spacing, and count it as sent."""
        while True:
            now = self.clock()
            wait = max(
                self._last_sent + self.min_gap - now,
                self._address_sent.get(address, float("-inf")) + self.min_address_gap - now,
            )
            if wait <= 0:
                self._last_sent = now
                self._address_sent[address] = now
                return
            await asyncio.sleep(wait)

    def hold(self, address: str, seconds: float) -> None:
        """The platform asked us to leave ``address`` alone for ``seconds`` (a 429)."""
        until = self.clock() + seconds
        self._address_next[address] = max(self._address_next.get(address, 0.0), until)

    def _forget(self, now: float) -> None:
        if len(self._address_next) > 10_000:
            self._address_next = {a: t for a, t in self._address_next.items() if t > now}
            horizon = now - self.min_address_gap
            self._address_sent = {a: t for a, t in self._address_sent.items() if t > horizon}
