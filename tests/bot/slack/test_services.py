from __future__ import annotations

import logging

import pytest

from bot.slack.services import BackgroundWork


async def test_join_waits_for_work_started_by_work() -> None:
    work, done = BackgroundWork(), []

    async def inner() -> None:
        done.append("inner")

    async def outer() -> None:
        work.spawn(inner(), name="inner")
        done.append("outer")

    work.spawn(outer(), name="outer")
    await work.join()
    assert done == ["outer", "inner"] and work.pending == 0


async def test_paused_work_waits_for_resume() -> None:
    work, done = BackgroundWork(), []

    async def job() -> None:
        done.append(1)

    work.pause()
    work.spawn(job(), name="job")
    assert done == []
    work.resume()
    await work.join()
    assert done == [1]


async def test_a_failure_is_logged_without_its_message(caplog: pytest.LogCaptureFixture) -> None:
    work = BackgroundWork()

    async def fails() -> None:
        raise ValueError("customer wrote: my secret comment")

    work.spawn(fails(), name="slack.comment")
    await work.join()
    [record] = [r for r in caplog.records if r.name == "bot.slack.services"]
    assert record.levelno == logging.ERROR
    assert (record.work, record.error) == ("slack.comment", "ValueError")  # type: ignore[attr-defined]
    assert "secret" not in caplog.text
