"""The Slack stand-in's Web API, driven by a real slack_sdk ``AsyncWebClient`` over HTTP."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.standins.slack import SlackWebAPI
from tests.bot.standins.conftest import FakeClock


def survey_blocks(question: str = "How did we do?") -> list[dict[str, Any]]:
    return [
        {"type": "section", "block_id": "q", "text": {"type": "mrkdwn", "text": question}},
        {
            "type": "actions",
            "block_id": "csat",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"csat_{n}",
                    "text": {"type": "plain_text", "text": str(n)},
                    "value": f"inv-7:{n}",
                }
                for n in range(1, 6)
            ],
        },
    ]


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def test_auth_test_names_the_bot(client: AsyncWebClient, slack: SlackWebAPI) -> None:
    response = await client.auth_test()
    assert response["user_id"] == slack.bot_user_id
    assert response["team_id"] == slack.team_id
    assert response["bot_id"] == slack.bot_id


async def test_bad_or_missing_tokens_are_refused(slack: SlackWebAPI) -> None:
    with pytest.raises(SlackApiError) as wrong:
        await AsyncWebClient(token="xoxb-wrong", base_url=slack.base_url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        await AsyncWebClient(base_url=slack.base_url).auth_test()
    assert missing.value.response["error"] == "not_authed"


async def test_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("reactions.nonsense")
    assert refused.value.response["error"] == "unknown_method"


async def test_conversations_open_gives_the_dm(client: AsyncWebClient, slack: SlackWebAPI) -> None:
    ann = slack.create_user("ann")
    first = await client.conversations_open(users=ann.id)
    again = await client.conversations_open(users=[ann.id])
    assert first["channel"]["id"] == again["channel"]["id"] == ann.dm
    assert again["already_open"] is True
    with pytest.raises(SlackApiError) as unknown:
        await client.conversations_open(users="U404")
    assert unknown.value.response["error"] == "user_not_found"


async def test_post_message_records_text_and_blocks(
    client: AsyncWebClient, slack: SlackWebAPI
) -> None:
    ann = slack.create_user("ann")
    response = await client.chat_postMessage(
        channel=ann.dm, text="How did we do?", blocks=survey_blocks()
    )
    assert response["channel"] == ann.dm
    assert response["message"]["bot_id"] == slack.bot_id
    [message] = await slack.wait_for_messages(ann, 1)
    assert message.ts == response["ts"]
    assert message.button_texts == ["1", "2", "3", "4", "5"]
    assert message.buttons[1]["value"] == "inv-7:2"
    assert slack.call_counts["chat.postMessage"] == 1


async def test_post_to_a_user_id_lands_in_their_dm(
    client: AsyncWebClient, slack: SlackWebAPI
) -> None:
    ann = slack.create_user("ann")
    response = await client.chat_postMessage(channel=ann.id, text="hi")
    assert response["channel"] == ann.dm
    with pytest.raises(SlackApiError) as missing:
        await client.chat_postMessage(channel="C404", text="hi")
    assert missing.value.response["error"] == "channel_not_found"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({}, "no_text"),
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "x", "blocks": [{"type": "nonsense"}]}, "invalid_blocks"),
    ],
)
async def test_post_message_refusals(
    client: AsyncWebClient, slack: SlackWebAPI, arguments: dict[str, Any], error: str
) -> None:
    ann = slack.create_user("ann")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=ann.dm, **arguments)
    assert refused.value.response["error"] == error


async def test_block_kit_limits_are_named(client: AsyncWebClient, slack: SlackWebAPI) -> None:
    ann = slack.create_user("ann")
    blocks = survey_blocks()
    blocks[1]["elements"][0]["text"]["text"] = "x" * 76
    blocks[1]["elements"][1]["action_id"] = "csat_3"
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=ann.dm, text="q", blocks=blocks)
    assert refused.value.response["errors"] == [
        "must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]",
        "action_id already exists [json-pointer:/blocks/1/elements/2/action_id]",
    ]


async def test_chat_update_keeps_or_replaces_blocks(
    client: AsyncWebClient, slack: SlackWebAPI
) -> None:
    ann = slack.create_user("ann")
    posted = await client.chat_postMessage(channel=ann.dm, text="q", blocks=survey_blocks())
    await client.chat_update(channel=ann.dm, ts=posted["ts"], text="q (seen)")
    [message] = slack.app_messages_in(ann)
    assert (message.text, len(message.blocks)) == ("q (seen)", 2)

    answered = [{"type": "section", "text": {"type": "mrkdwn", "text": "You chose *2*"}}]
    await client.chat_update(channel=ann.dm, ts=posted["ts"], text="You chose 2", blocks=answered)
    assert message.blocks == answered
    assert message.buttons == []
    assert [v.text for v in message.edits] == ["q", "q (seen)"]
    with pytest.raises(SlackApiError) as missing:
        await client.chat_update(channel=ann.dm, ts="1.000000", text="x")
    assert missing.value.response["error"] == "message_not_found"


async def test_ephemeral_users_info_and_home(client: AsyncWebClient, slack: SlackWebAPI) -> None:
    ann = slack.create_user("ann", real_name="Ann Lee", tz="Europe/Berlin", locale="de-DE")
    channel = slack.create_channel("support-leads")
    await client.chat_postEphemeral(channel=channel.id, user=ann.id, text="Only you see this")
    assert [e.text for e in slack.ephemerals_for(ann)] == ["Only you see this"]

    info = await client.users_info(user=ann.id, include_locale=True)
    assert (info["user"]["real_name"], info["user"]["tz"]) == ("Ann Lee", "Europe/Berlin")
    assert info["user"]["locale"] == "de-DE"

    home = {"type": "home", "blocks": survey_blocks("Your CSAT: 91%")}
    published = await client.views_publish(user_id=ann.id, view=home)
    assert (await slack.wait_for_home(ann)).blocks == home["blocks"]
    await client.views_publish(user_id=ann.id, view=home, hash=published["view"]["hash"])
    with pytest.raises(SlackApiError) as stale:
        await client.views_update(view_id=published["view"]["id"], view=home, hash="old")
    assert stale.value.response["error"] == "hash_conflict"


async def test_files_upload_v2_end_to_end(client: AsyncWebClient, slack: SlackWebAPI) -> None:
    channel = slack.create_channel("support-team")
    png = tiny_png()
    response = await client.files_upload_v2(
        channel=channel.id,
        content=png,
        filename="weekly.png",
        title="Weekly CSAT",
        initial_comment="This week's numbers",
    )
    file_id = response["file"]["id"]
    upload = slack.files[file_id]
    assert upload.content == png
    assert (upload.title, upload.channels) == ("Weekly CSAT", [channel.id])
    [shared] = slack.messages_in(channel)
    assert shared.text == "This week's numbers"
    assert shared.files[0].content is not None
    assert shared.files[0].content.startswith(b"\x89PNG")
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_rate_limit_is_a_429_with_retry_after(
    client: AsyncWebClient, slack: SlackWebAPI, clock: FakeClock
) -> None:
    slack.enable_rate_limits(per_channel_per_second=1)
    ann, bob = slack.create_user("ann"), slack.create_user("bob")
    await client.chat_postMessage(channel=ann.dm, text="one")
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel=ann.dm, text="two")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "1"
    assert limited.value.response["error"] == "ratelimited"
    await client.chat_postMessage(channel=bob.dm, text="other channel")
    clock.advance(1)
    await client.chat_postMessage(channel=ann.dm, text="two")
    assert slack.rate_limited["chat.postMessage"] == 1


async def test_retry_handler_retries_an_injected_429(slack: SlackWebAPI) -> None:
    client = AsyncWebClient(
        token=slack.token,
        base_url=slack.base_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    ann = slack.create_user("ann")
    slack.fail_next("chat.postMessage", retry_after=0)
    await client.chat_postMessage(channel=ann.dm, text="eventually")
    assert slack.call_counts["chat.postMessage"] == 2
    assert slack.rate_limited["chat.postMessage"] == 1
    assert [m.text for m in slack.messages_in(ann)] == ["eventually"]


async def test_injected_errors_and_dropped_connections(
    client: AsyncWebClient, slack: SlackWebAPI
) -> None:
    ann = slack.create_user("ann")
    slack.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=ann.dm, text="x")
    assert refused.value.response["error"] == "channel_not_found"
    slack.fail_next("chat.postMessage", disconnect=True)
    await client.chat_postMessage(channel=ann.dm, text="retried once by slack_sdk")
    slack.fail_next("chat.postMessage", disconnect=True, times=2)
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.chat_postMessage(channel=ann.dm, text="x")
    assert [m.text for m in slack.messages_in(ann)] == ["retried once by slack_sdk"]
