"""Alerts left behind by a Slack failure go out with the next sweep; only the agent follows up."""

from __future__ import annotations

from datetime import datetime

from storage.models import FollowUp, Platform
from tests.bot.slack.conftest import SlackHarness
from tests.factories import Factory


async def test_an_alert_that_failed_goes_out_with_the_next_sweep(harness: SlackHarness) -> None:
    slack = harness.slack
    customer, agent = slack.create_user("boris"), slack.create_user("dana")
    await harness.close_case(customer, agent)
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)
    slack.fail_next("conversations.open", error="internal_error", status=500)

    await slack.press_button(customer, question, text="1")
    await harness.settle()
    [follow_up] = await harness.follow_ups()
    assert follow_up.alerted_at is None and follow_up.attempts == 1
    assert follow_up.last_error == "internal_error"
    assert slack.app_messages_in(agent) == []

    assert await harness.runtime.send_pending_alerts() == 1
    assert await harness.runtime.send_pending_alerts() == 0
    [alert] = slack.app_messages_in(agent)
    [follow_up] = await harness.follow_ups()
    assert follow_up.alert_ref == f"{alert.channel}:{alert.ts}"
    assert follow_up.attempts == 2 and follow_up.last_error is None


async def test_someone_else_cannot_record_the_follow_up(
    harness: SlackHarness, factory: Factory, now: datetime
) -> None:
    slack = harness.slack
    agent, stranger = slack.create_user("dana"), slack.create_user("mallory")
    boris = await factory.customer("boris")
    await factory.identity(boris, Platform.SLACK, slack.create_user("boris").id)
    dana = await factory.agent("dana", slack_user_id=agent.id)
    invitation = await factory.invitation(await factory.case(boris, dana))
    await factory.answer(invitation, "csat", 1)
    await factory.save(FollowUp(invitation_id=invitation.id, agent_id=dana.id, reason="CSAT 1"))
    assert await harness.runtime.send_pending_alerts() == 1
    [alert] = slack.app_messages_in(agent)

    await slack.press_button(stranger, alert, text="Follow up")
    await harness.settle()
    [follow_up] = await harness.follow_ups()
    assert follow_up.followed_up_at is None
    assert slack.find_message(alert.channel, alert.ts).button_texts == ["Follow up"]  # type: ignore[union-attr]
