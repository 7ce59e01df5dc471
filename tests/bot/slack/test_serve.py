"""``feedbackbot run`` with Slack: the helpdesk closes a case over the HTTP API, the scheduler's
dispatcher sends the survey as a DM, the customer answers; /slack/events checks signatures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import serve
from bot.settings import load_settings
from bot.slack.app import EVENTS_PATH
from bot.standins.slack import SlackWebAPI
from feedbackbot.errors import ConfigurationError
from storage.engine import open_engine, session_factory
from storage.models import Answer
from storage.types import utcnow
from tests.serving import API_TOKEN, free_port, serving


@asynccontextmanager
async def running(url: str, slack: SlackWebAPI) -> AsyncIterator[str]:
    # serve() starts the platforms once the HTTP server listens: auth.test means ready
    async with serving(
        slack.wait_until,
        lambda: slack.calls_to("auth.test"),
        database_url=url,
        slack_bot_token=slack.token,
        slack_signing_secret=slack.signing_secret,
        slack_api_url=slack.base_url,
    ) as base:
        slack.events_url = f"{base}{EVENTS_PATH}"
        yield base


async def test_a_closed_case_becomes_a_survey_answered_in_slack(empty_database_url: str) -> None:
    async with SlackWebAPI() as slack, running(empty_database_url, slack) as base:
        boris = slack.create_user("boris")
        body = {
            "case_id": "CASE-7",
            "customer": {"id": "boris", "slack_user_id": boris.id},
            "agent": {"id": "dana"},
            "closed_at": utcnow().isoformat(),
        }
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        async with (
            aiohttp.ClientSession() as client,
            client.post(f"{base}/api/v1/cases/closed", json=body, headers=headers) as response,
        ):
            assert response.status == 202, await response.text()
        [question] = await slack.wait_for_messages(boris, 1, within=10)
        assert (await slack.press_button(boris, question, text="4")).status == 200
        fcr = (await slack.wait_for_messages(boris, 2))[-1]
        await slack.press_button(boris, fcr, text="Yes")
        thanks = (await slack.wait_for_messages(boris, 3))[-1]
        assert not thanks.buttons

        forged = await slack.slash_command(boris, "/feedback", wrong_signature=True)
        assert forged.status == 401

    async with open_engine(empty_database_url) as engine, session_factory(engine)() as session:
        answers = await session.scalars(select(Answer).order_by(Answer.id))
        assert [(a.question_key, a.value) for a in answers] == [("csat", 4), ("fcr", 1)]


async def test_a_refused_slack_token_stops_run_with_a_clear_message(
    empty_database_url: str,
) -> None:
    async with SlackWebAPI() as slack:
        settings = load_settings(
            None,
            database_url=empty_database_url,
            http_port=free_port(),
            slack_bot_token="xoxb-not-the-token",
            slack_signing_secret=slack.signing_secret,
            slack_api_url=slack.base_url,
        )
        with pytest.raises(
            ConfigurationError, match=r"Slack refused SLACK_BOT_TOKEN \(invalid_auth\)"
        ):
            await asyncio.wait_for(serve(settings, asyncio.Event()), 15)
