"""Issue 12: hostile updates get a polite reply or are ignored; nothing stored, no traceback."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.telegram.webhook import SECRET_HEADER
from tests.bot.telegram.conftest import WEBHOOK_SECRET, Harness
from tests.logcheck import assert_no_traceback

SECRET = WEBHOOK_SECRET


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"[" * 30_000 + b"]" * 30_000, "too_deep"),
        (b'{"update_id": 1, "message": ' + b'{"a": ' * 40 + b"1" + b"}" * 41, "too_deep"),
        (b"x" * (65 * 1024), "too_large"),
        (b'{"update_id": "one"}', "bad_update"),
    ],
)
async def test_a_hostile_webhook_body_is_a_400_and_handles_nothing(
    harness: Harness,
    webhook: str,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    error: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with (
        aiohttp.ClientSession() as client,
        client.post(webhook, data=body, headers={SECRET_HEADER: SECRET}) as response,
    ):
        assert response.status in (400, 413)
        assert (await response.json())["error"] == error
    assert [r for r in harness.telegram.requests if r.method == "sendMessage"] == []
    assert_no_traceback(caplog)


@pytest.mark.parametrize(
    "data",
    [
        "a:99999999999999999999999:csat:5",
        "a:2147483648:csat:5",
        "a:-1:csat:5",
        "s:9223372036854775808:comment",
    ],
)
async def test_a_button_with_an_oversized_invitation_id_is_called_stale(
    polling: Harness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann)
    await polling.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    query = await telegram.send_callback(ann, question, data)
    answer = await telegram.wait_for_answer(query)
    assert answer.text == "This survey is closed or already answered. Thank you!"
    assert await polling.answers() == []
    assert_no_traceback(caplog)
