"""When to try a failed send again: exponential backoff with jitter, a pure function."""

from __future__ import annotations

from datetime import timedelta

BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)


def retry_delay(
    attempt: int, jitter: float, *, base: timedelta = BASE, cap: timedelta = CAP
) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, ...).

    ``base * 2**(attempt-1)``, capped at ``cap``; then "equal jitter": half of it fixed and
    half scaled by ``jitter`` (0 <= jitter < 1, from the caller's random source), so workers
    that failed together do not retry together, and no wait is shorter than half its step.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if not 0 <= jitter <= 1:
        raise ValueError("jitter must be between 0 and 1")
    step = min(base * 2 ** min(attempt - 1, 32), cap)
    return step / 2 + step / 2 * jitter
