"""Issue 17: a low score from any channel alerts the agent within seconds, one path for both.

Before, a Telegram customer's low score waited for the Slack sweep, which only took alerts
older than a minute. Here ``feedbackbot run`` serves both platforms against their stand-ins
(the real aiogram ``Bot`` and bolt ``AsyncApp`` over HTTP); the wait for the agent's DM is
bounded at 5 seconds from the press.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import pytest

from bot.slack.app import EVENTS_PATH
from bot.standins.slack import SlackWebAPI
from bot.standins.telegram import TelegramBotAPI
from storage.types import utcnow
from tests.serving import API_TOKEN, serving


async def polled(predicate: Callable[[], object], what: str, within: float = 30.0) -> None:
    """Wait for a condition on both stand-ins (each one only wakes its own waiters)."""
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out after {within:g}s waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.mark.once
async def test_a_telegram_customers_1_becomes_a_slack_dm_to_the_agent_within_5_seconds(
    empty_database_url: str,
) -> None:
    async with (
        TelegramBotAPI() as telegram,
        SlackWebAPI() as slack,
        serving(
            polled,
            lambda: telegram.calls["getUpdates"] and slack.calls_to("auth.test"),
            database_url=empty_database_url,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            slack_bot_token=slack.token,
            slack_signing_secret=slack.signing_secret,
            slack_api_url=slack.base_url,
        ) as base,
    ):
        slack.events_url = f"{base}{EVENTS_PATH}"
        ann, dana = telegram.create_user("Ann"), slack.create_user("dana", real_name="Dana")
        body = {
            "case_id": "CASE-17",
            "customer": {"id": "ann", "telegram_chat_id": ann.id},
            "agent": {"id": "dana", "slack_user_id": dana.id},
            "closed_at": utcnow().isoformat(),
        }
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        async with (
            aiohttp.ClientSession() as client,
            client.post(f"{base}/api/v1/cases/closed", json=body, headers=headers) as response,
        ):
            assert response.status == 202, await response.text()
        [question] = await telegram.wait_for_messages(ann, 1, within=10)

        await telegram.press_button(ann, question, "1")

        [alert] = await slack.wait_for_messages(dana, 1, within=5)
        assert "CASE-17" in alert.text
        assert alert.button_texts == ["Follow up"]
