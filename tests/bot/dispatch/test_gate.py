"""``Pacer.gate``: the hard spacing right before a request leaves, globally and per address.

The clock is fake and ``asyncio.sleep`` inside the limiter advances it, so each test reads the
exact instants the sends would leave at.
"""

import itertools

import pytest

from bot.dispatch import limiter
from bot.dispatch.limiter import Pacer


class SleepingClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SleepingClock:
    clock = SleepingClock()
    monkeypatch.setattr(limiter.asyncio, "sleep", clock.sleep)
    return clock


async def gate_times(pacer: Pacer, clock: SleepingClock, addresses: list[str]) -> list[float]:
    times = []
    for address in addresses:
        await pacer.gate(address)
        times.append(clock.now)
    return times


async def test_sends_to_different_chats_keep_the_global_gap(clock: SleepingClock) -> None:
    pacer = Pacer(10, None, clock)
    times = await gate_times(pacer, clock, [f"chat{n}" for n in range(5)])
    assert [round(b - a, 9) for a, b in itertools.pairwise(times)] == [0.1] * 4


async def test_sends_to_one_chat_keep_the_per_chat_gap(clock: SleepingClock) -> None:
    pacer = Pacer(30, 1, clock)
    times = await gate_times(pacer, clock, ["chat", "other", "chat"])
    assert times[1] - times[0] == pytest.approx(1 / 30)
    assert times[2] - times[0] == pytest.approx(1.0)


async def test_a_send_that_leaves_late_does_not_wait_again(clock: SleepingClock) -> None:
    pacer = Pacer(10, 1, clock)
    await pacer.gate("chat")
    clock.now += 5
    await pacer.gate("chat")
    assert clock.slept == []


async def test_no_limits_means_no_waiting(clock: SleepingClock) -> None:
    pacer = Pacer(None, None, clock)
    await gate_times(pacer, clock, ["chat"] * 3)
    assert clock.slept == []
