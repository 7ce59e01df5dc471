"""Issue 12: /slack/events verifies the signature over the raw body before anything parses
it, holds signed bodies to the nesting limit, and ignores forged button ids; no traceback."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.bot.slack.conftest import SlackHarness
from tests.logcheck import assert_no_traceback

DEEP = b"[" * 30_000 + b"]" * 30_000
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def debug_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (DEEP, "application/json"),
        (urlencode({"payload": DEEP.decode()}).encode(), FORM),
        (b'{"type": "url_verification", "challenge": "x"}', "application/json"),
    ],
)
async def test_an_unsigned_body_is_refused_before_it_is_parsed(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    response = await harness.slack.send_signed(body, content_type, wrong_signature=True)
    assert (response.status, response.text) == (401, "")
    stale = await harness.slack.send_signed(body, content_type, stale=True)
    assert stale.status == 401
    assert_no_traceback(caplog)


async def test_a_timestamp_that_is_not_a_number_is_a_bare_401(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    response = await harness.slack.send_signed(
        DEEP, "application/json", headers={"X-Slack-Request-Timestamp": "soon"}
    )
    assert (response.status, response.text) == (401, "")
    assert_no_traceback(caplog)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (DEEP, "application/json"),
        (b'{"type": "event_callback", "event": ' + b'{"a": ' * 40 + b"1" + b"}" * 41, "json"),
        (urlencode({"payload": DEEP.decode()}).encode(), FORM),
    ],
)
async def test_a_signed_body_nesting_too_deep_is_a_400(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    if content_type == "json":
        content_type = "application/json"
    response = await harness.slack.send_signed(body, content_type)
    assert response.status == 400
    assert json.loads(response.text)["error"] == "too_deep"
    assert_no_traceback(caplog)


def _forge_values(blocks: list[dict[str, Any]], invitation_id: int) -> None:
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button" and '"i"' in str(element.get("value")):
                element["value"] = json.dumps({**json.loads(element["value"]), "i": invitation_id})


@pytest.mark.parametrize("invitation_id", [2**31, 2**63, 10**30, 0, -5])
async def test_a_button_with_an_oversized_invitation_id_is_ignored(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture, invitation_id: int
) -> None:
    slack = harness.slack
    customer = slack.create_user("boris")
    agent = slack.create_user("dana")
    await harness.close_case(customer, agent)
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)
    stored = slack.find_message(question.channel, question.ts)
    assert stored is not None
    _forge_values(stored.blocks, invitation_id)
    ack = await slack.press_button(customer, stored, text="1")
    assert ack.status == 200
    await harness.settle()
    assert await harness.answers() == []
    assert [m.text for m in await slack.wait_for_messages(agent, 0)] == []
    assert_no_traceback(caplog)
    assert "unreadable survey button" in caplog.text
