"""The Slack stand-in acting as people: signed requests that a real slack-bolt ``AsyncApp``
(served by aiohttp on a local port) accepts, and refuses when the signature is wrong."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.standins.common import LocalServer, StandInError
from bot.standins.slack import SlackWebAPI
from bot.standins.slack_users import signature
from tests.bot.standins.test_slack_web_api import survey_blocks

COMMENT_MODAL = {
    "type": "modal",
    "callback_id": "comment",
    "private_metadata": "inv-7",
    "title": {"type": "plain_text", "text": "Tell us more"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "comment",
            "label": {"type": "plain_text", "text": "What could we have done better?"},
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "fcr",
            "optional": True,
            "label": {"type": "plain_text", "text": "Solved in one contact?"},
            "element": {
                "type": "radio_buttons",
                "action_id": "choice",
                "options": [
                    {"text": {"type": "plain_text", "text": "Yes"}, "value": "yes"},
                    {"text": {"type": "plain_text", "text": "No"}, "value": "no"},
                ],
            },
        },
    ],
}


def build_app(slack: SlackWebAPI, seen: list[Any]) -> AsyncApp:
    client = AsyncWebClient(token=slack.token, base_url=slack.base_url)
    app = AsyncApp(client=client, signing_secret=slack.signing_secret)

    @app.action(re.compile(r"^csat_\d$"))
    async def press(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        seen.append(("press", action["value"], body["user"]["id"], body["channel"]["id"]))
        container = body["container"]
        await client.views_open(trigger_id=body["trigger_id"], view=COMMENT_MODAL)
        await client.chat_update(
            channel=container["channel_id"],
            ts=container["message_ts"],
            text=f"You chose {action['value']}",
            blocks=[],
        )

    @app.view("comment")
    async def comment(ack: AsyncAck, view: dict[str, Any], body: dict[str, Any]) -> None:
        values = view["state"]["values"]
        text = values["comment"]["text"]["value"]
        if text.strip() == "?":
            await ack(response_action="errors", errors={"comment": "Please say a little more"})
            return
        await ack()
        choice = values["fcr"]["choice"]["selected_option"]
        seen.append(("comment", text, choice and choice["value"], view["private_metadata"]))

    @app.action("follow_up")
    async def follow_up(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Followed up by you", replace_original=True)

    @app.action("peek")
    async def peek(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Only you see this", replace_original=False)

    @app.command("/feedback")
    async def feedback(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"Numbers for {command['text'] or 'you'}")

    @app.event("app_home_opened")
    async def home(event: dict[str, Any]) -> None:
        await client.views_publish(
            user_id=event["user"],
            view={"type": "home", "blocks": survey_blocks("Your CSAT: 91%")},
        )

    @app.event("message")
    async def message(event: dict[str, Any]) -> None:
        seen.append(("dm", event["text"], event.get("thread_ts"), event["channel_type"]))

    return app


@pytest.fixture
async def seen(slack: SlackWebAPI) -> AsyncIterator[list[Any]]:
    """What the bolt app's listeners saw; the app serves ``slack.events_url`` meanwhile."""
    seen: list[Any] = []
    server = LocalServer(build_app(slack, seen).web_app(path="/slack/events"), "127.0.0.1")
    await server.start()
    slack.events_url = f"{server.root}/slack/events"
    try:
        yield seen
    finally:
        await server.stop()


async def post_survey(slack: SlackWebAPI, user_name: str = "ann") -> Any:
    client = AsyncWebClient(token=slack.token, base_url=slack.base_url)
    user = slack.create_user(user_name)
    await client.chat_postMessage(channel=user.dm, text="How did we do?", blocks=survey_blocks())
    [question] = await slack.wait_for_messages(user, 1)
    return user, question


class FixedClock(Clock):
    def now(self) -> float:
        return 1_700_000_000.0


def test_signature_matches_slack_sdk() -> None:
    body = b"payload=%7B%7D"
    verifier = SignatureVerifier("secret", clock=FixedClock())
    signed = signature("secret", 1_700_000_000, body)
    assert verifier.is_valid(body, 1_700_000_000, signed)


async def test_signed_button_press_reaches_the_app(slack: SlackWebAPI, seen: list[Any]) -> None:
    ann, question = await post_survey(slack)
    response = await slack.press_button(ann, question, text="2")
    assert response.status == 200
    await slack.wait_for_calls("chat.update", 1)
    assert seen == [("press", "inv-7:2", ann.id, ann.dm)]
    assert question.text == "You chose inv-7:2"
    assert question.buttons == []
    assert slack.calls_to("auth.test"), "bolt checks its token first"


async def test_wrong_or_stale_signatures_are_refused(slack: SlackWebAPI, seen: list[Any]) -> None:
    ann, question = await post_survey(slack)
    wrong = await slack.press_button(ann, question, text="1", wrong_signature=True)
    stale = await slack.press_button(ann, question, action_id="csat_1", stale=True)
    assert (wrong.status, stale.status) == (401, 401)
    assert seen == []


async def test_a_modal_is_submitted_with_its_inputs(slack: SlackWebAPI, seen: list[Any]) -> None:
    ann, question = await post_survey(slack)
    await slack.press_button(ann, question, action_id="csat_1")
    modal = await slack.wait_for_modal(ann)
    assert modal.view["callback_id"] == "comment"

    refused = await slack.submit_view(ann, modal, {"comment": "?"})
    assert refused.json() == {
        "response_action": "errors",
        "errors": {"comment": "Please say a little more"},
    }
    assert modal.open

    accepted = await slack.submit_view(ann, modal, {"comment": "Too slow <!channel>", "fcr": "No"})
    assert accepted.status == 200
    assert not modal.open
    assert seen[-1] == ("comment", "Too slow <!channel>", "no", "inv-7")


async def test_a_required_input_must_be_filled(slack: SlackWebAPI, seen: list[Any]) -> None:
    ann, question = await post_survey(slack)
    await slack.press_button(ann, question, text="3")
    modal = await slack.wait_for_modal(ann)
    with pytest.raises(StandInError, match="is required"):
        await slack.submit_view(ann, modal, {"fcr": "yes"})


async def test_slash_command_and_respond(slack: SlackWebAPI, seen: list[Any]) -> None:
    lead = slack.create_user("lead")
    response = await slack.slash_command(lead, "/feedback", "30d")
    assert response.status == 200
    await slack.wait_until(lambda: bool(slack.ephemerals_for(lead)), "the ephemeral reply")
    assert slack.ephemerals_for(lead)[0].text == "Numbers for 30d"


async def test_app_home_opened_publishes_a_view(slack: SlackWebAPI, seen: list[Any]) -> None:
    agent = slack.create_user("agent")
    assert (await slack.open_app_home(agent)).status == 200
    home = await slack.wait_for_home(agent)
    assert [b["text"]["text"] for b in home.buttons] == ["1", "2", "3", "4", "5"]


async def test_a_dm_thread_reply_is_a_message_event(slack: SlackWebAPI, seen: list[Any]) -> None:
    ann, question = await post_survey(slack)
    reply, response = await slack.send_dm(ann, "It took three days", thread_ts=question.ts)
    assert response.status == 200
    await slack.wait_until(lambda: bool(seen), "the message event")
    assert seen == [("dm", "It took three days", question.ts, "im")]
    assert slack.messages_in(ann)[-1] is reply


async def test_a_trigger_opens_one_view(slack: SlackWebAPI) -> None:
    client = AsyncWebClient(token=slack.token, base_url=slack.base_url)
    ann = slack.create_user("ann")
    trigger = slack.issue_trigger(ann)
    await client.views_open(trigger_id=trigger, view=COMMENT_MODAL)
    with pytest.raises(SlackApiError) as again:
        await client.views_open(trigger_id=trigger, view=COMMENT_MODAL)
    assert again.value.response["error"] == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as unknown:
        await client.views_open(trigger_id="1.2.3", view=COMMENT_MODAL)
    assert unknown.value.response["error"] == "invalid_trigger_id"


async def test_respond_through_the_response_url(slack: SlackWebAPI, seen: list[Any]) -> None:
    client = AsyncWebClient(token=slack.token, base_url=slack.base_url)
    agent = slack.create_user("agent")
    buttons = [
        {"type": "button", "action_id": name, "text": {"type": "plain_text", "text": label}}
        for name, label in (("follow_up", "Follow up"), ("peek", "Peek"))
    ]
    await client.chat_postMessage(
        channel=agent.dm, text="Low score", blocks=[{"type": "actions", "elements": buttons}]
    )
    [alert] = await slack.wait_for_messages(agent, 1)

    await slack.press_button(agent, alert, text="Peek")
    await slack.wait_until(lambda: bool(slack.ephemerals_for(agent)), "the ephemeral reply")
    assert slack.ephemerals_for(agent)[0].text == "Only you see this"

    await slack.press_button(agent, alert, text="Follow up")
    await slack.wait_until(lambda: len(slack.responses) == 2, "the replacement")
    assert (alert.text, alert.buttons) == ("Followed up by you", [])
