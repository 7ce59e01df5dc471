"""The Slack side as ``feedbackbot run`` creates it from the settings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.answers import AnswerDesk
from bot.platforms import PLATFORMS, PlatformServices, create_runtimes
from bot.settings import load_settings
from bot.slack.app import EVENTS_PATH, SlackRuntime, create_runtime
from bot.standins.slack import SlackWebAPI
from feedbackbot.errors import ConfigurationError
from storage.engine import session_factory
from tests.bot.slack.conftest import SlackHarness
from tests.factories import Factory


def _settings(**values: object):
    return load_settings(None, **values)


def test_the_platform_list_starts_slack_with_the_shared_answer_desk(engine: AsyncEngine) -> None:
    assert [name for name, _ in PLATFORMS] == ["telegram", "slack"]
    sessions = session_factory(engine)
    desk = AnswerDesk(sessions)
    settings = _settings(slack_bot_token="xoxb-1", slack_signing_secret="s")
    [runtime] = create_runtimes(settings, PlatformServices(sessions, "w", desk))
    assert isinstance(runtime, SlackRuntime) and runtime.services.answers is desk
    assert len(desk.alert_deliveries) == 1


def test_no_bot_token_means_no_slack(engine: AsyncEngine) -> None:
    assert create_runtime(_settings(), session_factory(engine), "w") is None


def test_http_mode_needs_the_signing_secret(engine: AsyncEngine) -> None:
    with pytest.raises(ConfigurationError, match="SLACK_SIGNING_SECRET is not set"):
        create_runtime(_settings(slack_bot_token="xoxb-1"), session_factory(engine), "w")


def test_an_app_token_must_be_an_app_level_token(engine: AsyncEngine) -> None:
    settings = _settings(slack_bot_token="xoxb-1", slack_app_token="xoxb-wrong")
    with pytest.raises(ConfigurationError, match="SLACK_APP_TOKEN must be an app-level token"):
        create_runtime(settings, session_factory(engine), "w")


def test_http_mode_serves_slack_events_and_socket_mode_does_not(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    http = create_runtime(
        _settings(slack_bot_token="xoxb-1", slack_signing_secret="s"), sessions, "w"
    )
    socket = create_runtime(
        _settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1"), sessions, "w"
    )
    assert http is not None and socket is not None and socket.socket_mode
    for runtime, expected in ((http, [EVENTS_PATH]), (socket, [])):
        web_app = web.Application()
        runtime.add_routes(web_app)
        assert [r.resource.canonical for r in web_app.router.routes()] == expected
    assert {job.name for job in http.jobs()} == {
        "slack_alerts",
        "slack_daily_digests",
        "slack_weekly_digest",
    }


@pytest.mark.parametrize(
    ("moment", "daily", "weekly"),
    [
        (datetime(2026, 3, 2, 7, 59, tzinfo=UTC), False, False),  # Monday before 08:00
        (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), True, True),
        (datetime(2026, 3, 3, 3, 0, tzinfo=UTC), False, True),  # Tuesday night: late weekly
    ],
)
async def test_digests_wait_for_their_hour(
    harness: SlackHarness, factory: Factory, moment: datetime, daily: bool, weekly: bool
) -> None:
    slack, runtime = harness.slack, harness.runtime
    channel, dana_user = slack.create_channel("#feedback"), slack.create_user("dana")
    runtime.services.clock = lambda: moment
    runtime.services.digest_channel = channel.id
    boris = await factory.customer("boris")
    case = await factory.case(boris, await factory.agent(slack_user_id=dana_user.id))
    yesterday = moment - timedelta(days=1)
    invitation = await factory.invitation(case, sent_at=yesterday, answered_at=yesterday)
    await factory.answer(invitation, "csat", 4, answered_at=yesterday)

    await runtime.daily_digests_when_due()
    await runtime.weekly_digest_when_due()

    assert bool(slack.app_messages_in(dana_user)) is daily
    assert bool(slack.app_messages_in(channel)) is weekly


async def test_socket_mode_asks_slack_for_a_connection_with_the_app_token(
    engine: AsyncEngine,
) -> None:
    async with SlackWebAPI() as slack:
        settings = _settings(
            slack_bot_token=slack.token,
            slack_app_token="xapp-1-A1-2-abc",
            slack_api_url=slack.base_url,
        )
        runtime = create_runtime(settings, session_factory(engine), "w")
        assert runtime is not None
        # The stand-in has no Socket Mode: Slack's refusal must stop start-up with a clear line.
        refused = r"Slack refused the Socket Mode connection \(invalid_auth\)"
        with pytest.raises(ConfigurationError, match=refused):
            await asyncio.wait_for(runtime.start(), 10)
        assert len(slack.calls_to("apps.connections.open")) == 1
        await runtime.stop()
