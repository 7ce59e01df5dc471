"""Socket Mode end to end (issue 12): with SLACK_APP_TOKEN set, the real bolt
``AsyncSocketModeHandler`` connects out to the stand-in's websocket, and a customer answers a
survey, comment modal included, with every press delivered as an envelope and acknowledged."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dispatch.dispatcher import DispatchConfig
from bot.dispatch.dispatcher import Dispatcher as Outbox
from bot.settings import load_settings
from bot.slack import actions
from bot.slack.app import create_runtime
from bot.standins.slack import SlackWebAPI
from bot.supervision import Parts, Supervisor
from storage.engine import session_factory
from tests.bot.slack.conftest import POLICY, SlackHarness


@pytest.fixture
async def socket_harness(slack: SlackWebAPI, engine: AsyncEngine) -> AsyncIterator[SlackHarness]:
    settings = load_settings(
        None,
        slack_bot_token=slack.token,
        slack_app_token=slack.app_token,
        slack_api_url=slack.base_url,
    )
    sessions = session_factory(engine)
    runtime = create_runtime(settings, sessions, "test-worker")
    assert runtime is not None and runtime.socket_mode
    outbox = Outbox(
        sessions, [runtime.channel], DispatchConfig(policy=POLICY, limits={}), worker="test"
    )
    await runtime.start()
    parts = Parts()
    supervisor = Supervisor(parts)  # the connection is a supervised part, as in serve()
    for supervised in runtime.supervised():
        supervisor.start(supervised)
    try:
        await slack.socket.wait_connected()
        yield SlackHarness(slack, settings, sessions, runtime, outbox)
        assert parts.working() == {"slack": True}
    finally:
        await outbox.close()
        await supervisor.stop()
        await runtime.stop()


async def test_a_survey_is_answered_over_socket_mode(socket_harness: SlackHarness) -> None:
    harness, slack = socket_harness, socket_harness.slack
    assert slack.events_url is None
    assert slack.calls_to("apps.connections.open")
    customer = slack.create_user("boris")
    agent = slack.create_user("dana", real_name="Dana Agent")
    await harness.close_case(customer, agent)
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)

    ack = await slack.press_button(customer, question, text="2")
    assert ack.status == 200
    await harness.settle()
    fcr = (await slack.wait_for_messages(customer, 2))[-1]
    await slack.press_button(customer, fcr, text="Yes")
    await harness.settle()
    comment = (await slack.wait_for_messages(customer, 3))[-1]
    await slack.press_button(customer, comment, action_id=actions.COMMENT)
    await harness.settle()
    modal = await slack.wait_for_modal(customer)

    # an empty comment: the ack over the socket carries the modal's errors, as over HTTP
    refused = await slack.submit_view(customer, modal, {actions.COMMENT_BLOCK: "  "})
    assert refused.json()["response_action"] == "errors"
    assert modal.open
    await slack.submit_view(customer, modal, {actions.COMMENT_BLOCK: "Fine, thanks"})
    await harness.settle()

    answers = await harness.answers()
    assert [(a.question_key, a.value, a.text) for a in answers] == [
        ("csat", 2, None),
        ("fcr", 1, None),
        ("comment", None, "Fine, thanks"),
    ]
    [invitation] = await harness.invitations()
    assert invitation.status == "answered"
    [alert] = await slack.wait_for_messages(agent, 1)
    assert "Fine, thanks" in str(slack.find_message(alert.channel, alert.ts).blocks)
    kinds = [e.type for e in slack.socket.envelopes]
    assert kinds == ["interactive"] * 5
    assert all(e.acked.done() for e in slack.socket.envelopes)


async def test_the_app_reconnects_when_slack_asks_and_keeps_answering(
    socket_harness: SlackHarness,
) -> None:
    harness, slack = socket_harness, socket_harness.slack
    customer = slack.create_user("boris")
    await harness.close_case(customer, None)
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)

    await slack.socket.disconnect()
    await slack.wait_until(
        lambda: slack.socket.opened == 2 and slack.socket.connected, "a new connection", 15
    )
    ack = await slack.press_button(customer, question, text="5")
    assert ack.status == 200
    await harness.settle()
    assert [(a.question_key, a.value) for a in await harness.answers()] == [("csat", 5)]
    _, ack = await slack.send_dm(customer, "mydata")
    await harness.settle()
    assert ack.status == 200
    assert slack.socket.envelopes[-1].type == "events_api"
    assert "Customer id: boris" in str((await slack.wait_for_messages(customer, 3))[-1].blocks)
