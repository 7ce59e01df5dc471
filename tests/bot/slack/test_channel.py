"""The dispatcher's Slack channel: a DM with buttons, and Slack's refusals as DeliveryError."""

from __future__ import annotations

import pytest

from bot.dispatch.channel import Delivery, DeliveryError
from bot.slack.app import web_client
from bot.slack.channel import SlackChannel
from bot.standins.slack import SlackWebAPI
from storage.models import Invitation
from surveys.definitions import QuestionType
from surveys.steps import Option, Prompt
from tests.bot.slack.conftest import SlackHarness

PROMPT = Prompt(
    invitation_id=7,
    survey_key="csat",
    question_key="csat",
    type=QuestionType.RATING,
    text="How satisfied are you?",
    language="en",
    options=tuple(Option(str(n), str(n)) for n in range(1, 6)),
    optional=False,
    skip_label=None,
    min_label="Very unsatisfied",
    max_label="Very satisfied",
    number=1,
    total=3,
)


def _delivery(address: str, reminder: bool = False) -> Delivery:
    return Delivery(7, 1, "slack", address, "en", reminder=reminder)


@pytest.fixture
def channel(slack: SlackWebAPI) -> SlackChannel:
    return SlackChannel(web_client(slack.token, slack.base_url, retry_rate_limits=False))


async def test_a_question_is_a_dm_with_buttons(slack: SlackWebAPI, channel: SlackChannel) -> None:
    ann = slack.create_user("ann")
    ref = await channel.send_question(_delivery(ann.id), PROMPT)
    [message] = slack.app_messages_in(ann)
    assert ref == f"{ann.dm}:{message.ts}"
    assert message.button_texts == ["1", "2", "3", "4", "5"]


async def test_a_reminder_says_so(slack: SlackWebAPI, channel: SlackChannel) -> None:
    ann = slack.create_user("ann")
    await channel.send_question(_delivery(ann.id, reminder=True), PROMPT)
    [message] = slack.app_messages_in(ann)
    assert "gentle reminder" in message.blocks[0]["elements"][0]["text"]


async def test_a_429_waits_its_retry_after(slack: SlackWebAPI, channel: SlackChannel) -> None:
    ann = slack.create_user("ann")
    slack.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(DeliveryError) as caught:
        await channel.send_question(_delivery(ann.id), PROMPT)
    assert (caught.value.retry_after, caught.value.permanent) == (7.0, False)


@pytest.mark.parametrize("error", ["user_not_found", "account_inactive", "cannot_dm_bot"])
async def test_an_unreachable_user_is_permanent(
    slack: SlackWebAPI, channel: SlackChannel, error: str
) -> None:
    slack.fail_next("conversations.open", error=error)
    with pytest.raises(DeliveryError) as caught:
        await channel.send_question(_delivery(slack.create_user("ann").id), PROMPT)
    assert caught.value.permanent and caught.value.retry_after is None
    assert error in str(caught.value)


async def test_server_errors_and_lost_connections_are_transient(
    slack: SlackWebAPI, channel: SlackChannel
) -> None:
    ann = slack.create_user("ann")
    slack.fail_next("chat.postMessage", error="internal_error", status=500)
    with pytest.raises(DeliveryError) as server:
        await channel.send_question(_delivery(ann.id), PROMPT)
    slack.fail_next("chat.postMessage", disconnect=True, times=2)  # slack_sdk retries once
    with pytest.raises(DeliveryError) as network:
        await channel.send_question(_delivery(ann.id), PROMPT)
    for caught in (server, network):
        assert not caught.value.permanent and caught.value.retry_after is None


async def test_the_dispatcher_retries_a_rate_limited_invitation_later(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    customer = slack.create_user("boris")
    await harness.close_case(customer, None)
    slack.fail_next("chat.postMessage", retry_after=30)
    await harness.outbox.tick()
    [invitation] = await harness.invitations()
    assert invitation.status == "pending" and invitation.sent_at is None
    assert slack.app_messages_in(customer) == []


async def test_the_dispatcher_gives_up_on_a_deactivated_user(harness: SlackHarness) -> None:
    slack = harness.slack
    customer = slack.create_user("boris")
    await harness.close_case(customer, None)
    slack.fail_next("conversations.open", error="account_inactive")
    await harness.outbox.tick()
    [invitation] = await harness.invitations()
    assert isinstance(invitation, Invitation) and invitation.status == "failed"
