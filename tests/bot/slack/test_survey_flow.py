"""A Slack customer answers a CSAT survey in a DM; a low score alerts the case's agent."""

from __future__ import annotations

import json

from bot.slack import actions
from bot.standins.slack_objects import SlackMessage, SlackUser
from tests.bot.slack.conftest import SlackHarness

EVIL = "It took <!channel> a week. See <http://evil.example|your invoice> & <@U0BOSS>"


async def test_low_score_with_comment_reaches_the_agent_who_follows_up(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    customer = slack.create_user("boris")
    agent = slack.create_user("dana", real_name="Dana Agent")
    outcome = await harness.close_case(customer, agent, name="Boris")
    assert [i.survey for i in outcome.invitations if i.status == "pending"] == ["csat"]

    report = await harness.dispatch()
    assert report.outcomes["sent"] == 1
    [question] = await slack.wait_for_messages(customer, 1)
    assert question.button_texts[:5] == ["1", "2", "3", "4", "5"]
    assert json.loads(question.buttons[0]["value"])["i"] == outcome.invitations[0].id

    ack = await slack.press_button(customer, question, text="1")
    assert ack.status == 200
    await harness.settle()
    shown = slack.find_message(question.channel, question.ts)
    assert shown is not None and not shown.buttons
    assert "Your answer: *1*" in json.dumps(shown.blocks)

    # CSAT 1 is low: the agent is alerted at once, before the comment
    [alert] = await slack.wait_for_messages(agent, 1)
    assert "CASE-1" in alert.text or "CASE-1" in json.dumps(alert.blocks)
    assert alert.button_texts == ["Follow up"]

    # csat -> fcr (yes/no) -> comment (optional, text) through the modal
    fcr = (await slack.wait_for_messages(customer, 2))[-1]
    await slack.press_button(customer, fcr, text="No")
    await harness.settle()
    comment = (await slack.wait_for_messages(customer, 3))[-1]
    assert comment.button_texts == ["Write a comment", "Skip"]
    await slack.press_button(customer, comment, action_id=actions.COMMENT)
    await harness.settle()
    modal = await slack.wait_for_modal(customer)
    response = await slack.submit_view(customer, modal, {actions.COMMENT_BLOCK: EVIL})
    assert response.status == 200
    await harness.settle()

    answers = await harness.answers()
    assert [(a.question_key, a.value, a.choice, a.text) for a in answers] == [
        ("csat", 1, None, None),
        ("fcr", 0, "no", None),
        ("comment", None, None, EVIL),
    ]
    [invitation] = await harness.invitations()
    assert invitation.status == "answered"
    closing = (await slack.wait_for_messages(customer, 4))[-1]
    assert not closing.buttons

    # the alert now carries the comment, escaped: nobody is pinged, no link is spoofed
    alert = slack.find_message(alert.channel, alert.ts)
    assert alert is not None
    body = json.dumps(alert.blocks)
    assert "&lt;!channel&gt;" in body and "&lt;http://evil.example|your invoice&gt;" in body
    assert "&lt;@U0BOSS&gt;" in body and "&amp;" in body
    for raw in ("<!channel>", "<http://evil.example", "<@U0BOSS>"):
        assert raw not in body and raw not in alert.text

    await slack.press_button(agent, alert, text="Follow up")
    await harness.settle()
    [follow_up] = await harness.follow_ups()
    assert follow_up.followed_up_by == agent.id
    assert follow_up.followed_up_at is not None
    assert follow_up.alert_ref == f"{alert.channel}:{alert.ts}"
    alert = slack.find_message(alert.channel, alert.ts)
    assert alert is not None and alert.buttons == []
    assert f"Followed up by <@{agent.id}>" in json.dumps(alert.blocks)


async def test_a_press_by_someone_else_is_refused_politely(harness: SlackHarness) -> None:
    slack = harness.slack
    customer, stranger = slack.create_user("boris"), slack.create_user("mallory")
    await harness.close_case(customer, slack.create_user("dana"))
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)

    await slack.press_button(stranger, question, text="5")
    await harness.settle()

    assert await harness.answers() == []
    [refusal] = slack.responses  # the press's response_url: only the presser sees it
    assert refusal.body["response_type"] == "ephemeral"
    assert refusal.body["replace_original"] is False
    assert "sent to someone else" in refusal.body["text"]
    assert slack.find_message(question.channel, question.ts).buttons  # type: ignore[union-attr]


async def test_a_double_press_counts_once(harness: SlackHarness) -> None:
    slack = harness.slack
    customer, agent = slack.create_user("boris"), slack.create_user("dana")
    await harness.close_case(customer, agent)
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)

    harness.runtime.services.work.pause()
    await slack.press_button(customer, question, text="2")
    await slack.press_button(customer, question, text="2")
    harness.runtime.services.work.resume()
    await harness.settle()

    assert [(a.question_key, a.value) for a in await harness.answers()] == [("csat", 2)]
    assert len(slack.app_messages_in(customer)) == 2  # the question and the next one, once
    assert len(slack.app_messages_in(agent)) == 1
    assert len(await harness.follow_ups()) == 1
    assert slack.responses == []


async def test_a_second_different_answer_is_refused_with_the_engines_reason(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    customer = slack.create_user("boris")
    await harness.close_case(customer, None)
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)

    harness.runtime.services.work.pause()
    await slack.press_button(customer, question, text="5")
    await slack.press_button(customer, question, text="3")
    harness.runtime.services.work.resume()
    await harness.settle()

    [stored] = await harness.answers()
    assert (stored.question_key, stored.value) in {("csat", 5), ("csat", 3)}
    [refusal] = slack.responses
    assert refusal.body["response_type"] == "ephemeral" and refusal.body["text"]


async def test_skipping_the_comment_finishes_the_survey_and_the_alert_says_no_comment(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    customer, agent = slack.create_user("boris"), slack.create_user("dana")
    await harness.close_case(customer, agent, language="de")
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)
    await slack.press_button(customer, question, text="2")
    await harness.settle()
    fcr = (await slack.wait_for_messages(customer, 2))[-1]
    await slack.press_button(customer, fcr, text="Ja")
    await harness.settle()
    comment = (await slack.wait_for_messages(customer, 3))[-1]
    assert comment.button_texts[0] == "Kommentar schreiben"
    await slack.press_button(customer, comment, action_id=actions.SKIP)
    await harness.settle()

    assert [a.skipped for a in await harness.answers()] == [False, False, True]
    [invitation] = await harness.invitations()
    assert invitation.status == "answered"
    [alert] = slack.app_messages_in(agent)
    assert "No comment" in json.dumps(alert.blocks)


async def answer_up_to_the_comment(harness: SlackHarness, customer: SlackUser) -> SlackMessage:
    """Dispatch the CSAT survey, answer 1 and No; returns the comment question's message."""
    slack = harness.slack
    await harness.dispatch()
    for expected, label in ((1, "1"), (2, "No")):
        message = (await slack.wait_for_messages(customer, expected))[-1]
        await slack.press_button(customer, message, text=label)
        await harness.settle()
    return (await slack.wait_for_messages(customer, 3))[-1]


async def test_a_blank_comment_keeps_the_modal_open_with_an_error(harness: SlackHarness) -> None:
    slack = harness.slack
    customer = slack.create_user("boris")
    await harness.close_case(customer, None)
    comment = await answer_up_to_the_comment(harness, customer)
    await slack.press_button(customer, comment, action_id=actions.COMMENT)
    await harness.settle()
    modal = await slack.wait_for_modal(customer)

    response = await slack.submit_view(customer, modal, {actions.COMMENT_BLOCK: "   "})
    await harness.settle()

    assert response.json()["response_action"] == "errors"
    assert response.json()["errors"] == {actions.COMMENT_BLOCK: "Please write a few words."}
    assert modal.open
    assert [a.question_key for a in await harness.answers()] == ["csat", "fcr"]


async def test_a_comment_typed_in_the_dm_answers_the_open_text_question(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    customer, agent = slack.create_user("boris"), slack.create_user("dana")
    await harness.close_case(customer, agent)
    comment = await answer_up_to_the_comment(harness, customer)

    _, ack = await slack.send_dm(customer, EVIL)
    assert ack.status == 200
    await harness.settle()

    assert [(a.question_key, a.text) for a in await harness.answers()][-1] == ("comment", EVIL)
    [invitation] = await harness.invitations()
    assert invitation.status == "answered"
    shown = slack.find_message(comment.channel, comment.ts)
    assert shown is not None and not shown.buttons
    assert "Thank you for your comment." in json.dumps(shown.blocks)
    closing = slack.app_messages_in(customer)[-1]
    assert "Thank you for your feedback" in closing.text and not closing.buttons
    [alert] = slack.app_messages_in(agent)
    body = json.dumps(slack.find_message(alert.channel, alert.ts).blocks)  # type: ignore[union-attr]
    assert "&lt;!channel&gt;" in body and "<!channel>" not in body


async def test_typing_while_a_button_question_is_open_asks_for_the_buttons(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    customer, stranger = slack.create_user("boris"), slack.create_user("mallory")
    await harness.close_case(customer, None, language="de")
    await harness.dispatch()
    await slack.wait_for_messages(customer, 1)

    await slack.send_dm(customer, "great service")
    await slack.send_dm(stranger, "hello?")
    await harness.settle()

    assert await harness.answers() == []
    assert slack.app_messages_in(customer)[-1].text == (
        "Bitte antworten Sie mit den Schaltflächen unter der Frage."
    )
    assert slack.app_messages_in(stranger)[-1].text == (
        "Thank you! There is no open question right now."
    )
