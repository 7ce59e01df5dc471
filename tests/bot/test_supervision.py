"""Supervised parts restart after any error with capped, jittered backoff, log one line per
failure, and show their state in /healthz (issue 12)."""

import asyncio
import logging
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.metrics import REGISTRY
from bot.scheduler import Job, Scheduler
from bot.settings import load_settings
from bot.supervision import Backoff, Part, Parts, State, Supervised, Supervisor, supervise

QUICK = Backoff(base=timedelta(seconds=0.02), cap=timedelta(seconds=0.08))


def restarts(part: str) -> float:
    return REGISTRY.get_sample_value("feedbackbot_part_restarts_total", {"part": part}) or 0.0


def test_backoff_doubles_per_failure_up_to_its_cap_and_jitter_spreads_the_upper_half() -> None:
    backoff = Backoff(base=timedelta(seconds=1), cap=timedelta(seconds=30))
    assert [backoff.delay(n, 1.0) for n in range(1, 7)] == [1, 2, 4, 8, 16, 30]
    assert [backoff.delay(n, 0.0) for n in range(1, 7)] == [0.5, 1, 2, 4, 8, 15]
    assert backoff.delay(1000, 1.0) == 30


async def test_a_failing_part_restarts_until_it_works_logging_one_line_per_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    part = Part("flaky-poller")
    stop = asyncio.Event()
    calls = 0
    before = restarts("flaky-poller")
    working = asyncio.Event()

    async def run(part: Part) -> None:
        nonlocal calls
        calls += 1
        if calls <= 3:
            raise ConnectionRefusedError(f"refused\nattempt {calls}")
        part.running()
        working.set()
        await stop.wait()

    task = asyncio.create_task(supervise(part, run, stop, backoff=QUICK, jitter=lambda: 1.0))
    await asyncio.wait_for(working.wait(), 5)
    assert (part.restarts, part.failures, part.error) == (3, 0, None)
    assert restarts("flaky-poller") - before == 3
    stop.set()
    await task
    assert part.state is State.STOPPED and calls == 4
    failures = [r for r in caplog.records if r.getMessage() == "part failed, restarting"]
    assert [r.restart_in for r in failures] == [0.02, 0.04, 0.08]  # type: ignore[attr-defined]
    assert {r.error for r in failures} == {  # type: ignore[attr-defined]
        "ConnectionRefusedError: refused attempt 1",
        "ConnectionRefusedError: refused attempt 2",
        "ConnectionRefusedError: refused attempt 3",
    }
    assert all(r.exc_info is None for r in caplog.records), "no tracebacks"
    assert [r.getMessage() for r in caplog.records].count("part recovered") == 1


async def test_a_part_that_ends_without_being_stopped_is_restarted() -> None:
    part = Part("quitter")
    stop = asyncio.Event()
    runs = 0

    async def run(part: Part) -> None:
        nonlocal runs
        runs += 1
        if runs == 3:
            stop.set()

    await asyncio.wait_for(supervise(part, run, stop, backoff=QUICK), 5)
    assert runs == 3 and part.restarts == 2 and part.state is State.STOPPED


async def test_a_supervisor_stops_its_parts_and_cancels_one_that_ignores_the_stop() -> None:
    parts = Parts()
    supervisor = Supervisor(parts, QUICK)
    started = asyncio.Event()

    async def polite(part: Part, stop: asyncio.Event) -> None:
        part.running()
        await stop.wait()

    async def stubborn(part: Part, stop: asyncio.Event) -> None:
        part.running()
        started.set()
        await asyncio.sleep(3600)

    supervisor.start(Supervised("polite", polite))
    supervisor.start(Supervised("stubborn", stubborn))
    await asyncio.wait_for(started.wait(), 5)
    assert parts.working() == {"polite": True, "stubborn": True}
    await asyncio.wait_for(supervisor.stop(grace=0.1), 5)
    assert parts.down() == ["polite"]  # stopped; the cancelled one never got to say so
    assert parts.all()[0].state is State.STOPPED


async def test_a_failed_job_is_retried_after_its_backoff_not_at_its_next_time() -> None:
    parts = Parts()
    runs = 0
    worked = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs <= 2:
            raise OSError("database away")
        worked.set()

    scheduler = Scheduler([Job("hourly", IntervalTrigger(hours=1), flaky)], parts, QUICK)
    scheduler.start()
    try:
        await asyncio.wait_for(worked.wait(), 5)
    finally:
        await scheduler.shutdown()
    [part] = parts.all()
    assert (part.name, part.restarts, part.state) == ("hourly", 2, State.RUNNING)


async def test_healthz_names_the_parts_that_are_down_and_is_200_once_they_are_back(
    engine: AsyncEngine,
) -> None:
    parts = Parts()
    telegram, dispatch = parts.add("telegram"), parts.add("dispatch")
    services = Services.build(load_settings(None), engine, parts=parts)
    async with TestClient(TestServer(build_web_app(services))) as client:
        starting = await client.get("/healthz")
        assert starting.status == 503
        assert (await starting.json())["down"] == ["dispatch", "telegram"]

        dispatch.running()
        telegram.failed(ConnectionError("Bad Gateway from https://api.example/bot123:SECRET"))
        response = await client.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "unavailable" and body["down"] == ["telegram"]
        assert body["parts"]["telegram"]["state"] == "down"
        assert body["parts"]["telegram"]["restarts"] == 1
        assert body["parts"]["telegram"]["error"] == "ConnectionError"  # no message, no URL
        assert body["checks"] == {"database": "ok"}

        telegram.standby()
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json())["down"] == []
