"""/feedback and App Home, through signed requests to the real bolt app."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bot.standins.slack_objects import SlackUser
from storage.models import Agent, InvitationStatus
from tests.bot.slack.conftest import SlackHarness
from tests.factories import Factory


@pytest.fixture
async def team(harness: SlackHarness, factory: Factory, now: datetime) -> dict[str, SlackUser]:
    """Dana (CSAT 2 of 3 this week, 1 of 1 the week before), Eli (one 1) and an admin."""
    slack = harness.slack
    users = {name: slack.create_user(name) for name in ("dana", "eli", "lead")}
    harness.runtime.services.clock = lambda: now
    harness.runtime.services.admin_users = frozenset({users["lead"].id})
    boris = await factory.customer("boris", name="Boris")
    agents = {
        name: await factory.agent(name, name=name.title(), slack_user_id=users[name].id)
        for name in ("dana", "eli")
    }
    scores = [
        ("dana", 5, 1, None),
        ("dana", 4, 2, "Quick & <b>kind</b>"),
        ("dana", 1, 3, None),
        ("dana", 5, 9, None),
        ("eli", 1, 1, "<!everyone> awful"),
    ]
    for number, (name, score, days_ago, text) in enumerate(scores, start=1):
        await _answer(
            factory, boris, agents[name], number, score, now - timedelta(days=days_ago), text
        )
    return users


async def _answer(factory, customer, agent: Agent, number, score, at, text) -> None:
    case = await factory.case(customer, agent, f"CASE-{number}")
    invitation = await factory.invitation(
        case, status=InvitationStatus.ANSWERED, sent_at=at, answered_at=at
    )
    await factory.answer(invitation, "csat", score, answered_at=at)
    if text:
        await factory.answer(invitation, "comment", None, text=text, answered_at=at)


async def test_an_agent_sees_their_own_numbers(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, dana = harness.slack, team["dana"]
    response = await slack.slash_command(dana, "/feedback", "7d")
    assert response.status == 200
    await harness.settle()
    [summary] = slack.ephemerals_for(dana)
    body = json.dumps(summary.blocks, ensure_ascii=False)
    assert "Feedback for Dana, last 7 days" in body
    assert "*CSAT*\\n67% (n=3, few answers)\\n_▼ 33 pts vs the 7 days before_" in body
    assert "Quick &amp; &lt;b&gt;kind&lt;/b&gt;" in body
    assert "awful" not in body  # Eli's comment


async def test_an_admin_looks_at_another_agent(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, lead, eli = harness.slack, team["lead"], team["eli"]
    await slack.slash_command(lead, "/feedback", f"90d <@{eli.id}|eli>")
    await harness.settle()
    [summary] = slack.ephemerals_for(lead)
    body = json.dumps(summary.blocks, ensure_ascii=False)
    assert "Feedback for Eli, last 90 days" in body
    assert "*CSAT*\\n0% (n=1, few answers)" in body
    assert "&lt;!everyone&gt; awful" in body and "<!everyone>" not in body


async def test_a_non_admin_cannot_look_at_another_agent(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, dana, eli = harness.slack, team["dana"], team["eli"]
    await slack.slash_command(dana, "/feedback", f"<@{eli.id}>")
    await harness.settle()
    [refusal] = slack.ephemerals_for(dana)
    assert "Only admins" in refusal.text
    assert "Eli" not in refusal.text and refusal.blocks == []


async def test_a_command_with_a_wrong_signature_is_refused(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, dana = harness.slack, team["dana"]
    wrong = await slack.slash_command(dana, "/feedback", wrong_signature=True)
    stale = await slack.slash_command(dana, "/feedback", stale=True)
    await harness.settle()
    assert (wrong.status, stale.status) == (401, 401)
    assert slack.ephemerals == [] and slack.calls_to("chat.postEphemeral") == []


async def test_a_mistyped_command_gets_the_usage(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, dana = harness.slack, team["dana"]
    await slack.slash_command(dana, "/feedback", "14d")
    await harness.settle()
    [usage] = slack.ephemerals_for(dana)
    assert "`14d` is neither" in usage.text and "Usage: `/feedback" in usage.text


async def test_someone_who_is_not_an_agent_is_told_so(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, lead = harness.slack, team["lead"]
    await slack.slash_command(lead, "/feedback")
    await harness.settle()
    [answer] = slack.ephemerals_for(lead)
    assert "is not an agent feedbackbot knows" in answer.text


async def test_app_home_shows_the_agents_numbers_and_comments(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, dana = harness.slack, team["dana"]
    response = await slack.open_app_home(dana)
    assert response.status == 200
    await harness.settle()
    home = await slack.wait_for_home(dana)
    body = json.dumps(home.blocks, ensure_ascii=False)
    assert "Feedback for Dana, last 30 days" in body
    assert "*CSAT*\\n75% (n=4, few answers)" in body
    assert "Quick &amp; &lt;b&gt;kind&lt;/b&gt;" in body


async def test_in_a_channel_without_the_app_the_answer_goes_through_the_response_url(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, dana = harness.slack, team["dana"]
    elsewhere = slack.create_channel("#random")
    slack.fail_next("chat.postEphemeral", error="not_in_channel")
    await slack.slash_command(dana, "/feedback", "7d", channel=elsewhere.id)
    await harness.settle()
    [posted] = slack.responses
    assert posted.body["response_type"] == "ephemeral"
    [summary] = slack.ephemerals_for(dana)
    assert summary.channel == elsewhere.id
    assert "Feedback for Dana, last 7 days" in json.dumps(summary.blocks)


async def test_app_home_for_someone_who_is_not_an_agent_says_why_it_is_empty(
    harness: SlackHarness, team: dict[str, SlackUser]
) -> None:
    slack, lead = harness.slack, team["lead"]
    await slack.open_app_home(lead)
    await harness.settle()
    home = await slack.wait_for_home(lead)
    assert "is not an agent feedbackbot knows" in json.dumps(home.blocks)
