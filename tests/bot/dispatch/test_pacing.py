import itertools
from datetime import timedelta

import pytest

from bot.dispatch.limiter import HEADROOM, Pacer
from bot.dispatch.retry import retry_delay


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sends_are_spaced_evenly_below_the_global_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(30, 1, clock)
    slots = [pacer.reserve(f"chat{n}") for n in range(31)]
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(slots)}  # type: ignore[operator]
    assert gaps == {round(1 / (30 * HEADROOM), 9)}
    assert slots[30] - slots[0] > 1.0  # type: ignore[operator]


def test_a_chat_not_free_by_the_next_slot_is_deferred_not_waited_for() -> None:
    clock = FakeClock()
    pacer = Pacer(30, 1, clock)
    assert pacer.reserve("chat") == 100.0
    assert pacer.reserve("chat") is None
    assert pacer.ready_in("chat") == pytest.approx(1 / HEADROOM)
    clock.now += 1.1
    assert pacer.reserve("chat") == pytest.approx(101.1)


def test_a_429_holds_the_chat_for_its_retry_after() -> None:
    clock = FakeClock()
    pacer = Pacer(None, 1, clock)
    pacer.hold("chat", 30)
    assert pacer.reserve("chat") is None
    assert pacer.ready_in("chat") == 30


@pytest.mark.parametrize(
    ("attempt", "jitter", "seconds"),
    [(1, 0.0, 15), (1, 1.0, 30), (2, 0.5, 45), (3, 0.0, 60), (20, 0.0, 1800), (20, 1.0, 3600)],
)
def test_backoff_doubles_per_attempt_with_jitter_and_a_cap(
    attempt: int, jitter: float, seconds: float
) -> None:
    assert retry_delay(attempt, jitter) == timedelta(seconds=seconds)


def test_backoff_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="attempt counts from 1"):
        retry_delay(0, 0.5)
    with pytest.raises(ValueError, match="jitter"):
        retry_delay(1, 2.0)
