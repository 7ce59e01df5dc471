"""The flood throttle's bucket and the runner's ordering, at the edges (a fake clock)."""

from __future__ import annotations

from bot.telegram.inbound import FloodThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_the_burst_then_one_per_refill_and_forgets_idle_chats() -> None:
    clock = Clock()
    throttle = FloodThrottle(burst=3, rate=0.5, default_language="en", clock=clock, max_chats=2)
    assert [throttle.admit(1) for _ in range(4)] == [True, True, True, False]
    clock.now = 1.0  # half a token
    assert throttle.admit(1) is False
    clock.now = 2.0  # one token
    assert throttle.admit(1) is True
    assert throttle.admit(2) is True  # another chat is not affected
    clock.now = 100.0  # both buckets refilled: the third chat makes room
    assert throttle.admit(3) is True
    assert set(throttle._buckets) == {3}
