"""``feedbackbot run`` end to end: a helpdesk's webhook becomes a survey in the customer's chat.

Telegram: the helpdesk macro fetches the customer's deep link from the API, the customer opens
it, the ticket closes. Slack: the customer is found by the e-mail address the helpdesk sends.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from bot.standins.slack import SlackWebAPI
from bot.standins.telegram import TelegramBotAPI
from storage.types import utcnow
from tests.bot.hooks.conftest import DESKS, HOOKS_TOKEN, SECRET_SETTINGS, closed_at, signed_headers
from tests.serving import API_TOKEN, serving

LINK_SECRET = "link-secret-for-hook-tests"
STARTUP = 60.0
"""Seconds ``feedbackbot run`` may take to start, or to answer, on a busy CI machine."""


async def post_hook(
    client: aiohttp.ClientSession, base: str, helpdesk: str, body: dict[str, Any]
) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    headers = signed_headers(helpdesk, raw, utcnow())
    async with client.post(
        f"{base}/hooks/{helpdesk}/{HOOKS_TOKEN}", data=raw, headers=headers
    ) as r:
        assert r.status == 200, await r.text()
        answer: dict[str, Any] = await r.json()
        return answer


def recorded(answer: dict[str, Any]) -> list[tuple[str, str]] | None:
    """``(survey, channel)`` of each invitation the webhook's answer reports. A webhook may be
    answered 202 ``accepted`` before it is recorded when the machine is slow: then None, and
    the survey arriving in the chat shows that it was recorded."""
    if answer["status"] == "accepted":
        return None
    assert answer["status"] == "recorded", answer
    return [(i["survey"], i["channel"]) for i in answer["invitations"]]


async def link_of(client: aiohttp.ClientSession, base: str, customer_id: str) -> str:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with client.get(f"{base}/api/v1/customers/{customer_id}/link", headers=headers) as r:
        assert r.status == 200, await r.text()
        body = await r.json()
    assert body["customer_id"] == customer_id
    link: str = body["link"]
    return link


@pytest.mark.once
async def test_every_helpdesk_reaches_a_customer_who_opened_their_telegram_link(
    empty_database_url: str,
) -> None:
    async with (
        TelegramBotAPI() as telegram,
        serving(
            telegram.wait_until,
            lambda: telegram.calls["getUpdates"],
            database_url=empty_database_url,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            link_secret=LINK_SECRET,
            hooks_token=HOOKS_TOKEN,
            # The periodic campaign could invite a customer between their /start and their
            # ticket's closure, and the fatigue throttle would then rightly skip the CSAT.
            campaign_surveys=(),
            **SECRET_SETTINGS,
        ) as base,
        aiohttp.ClientSession() as client,
    ):
        for desk in DESKS:
            customer = telegram.create_user(desk.name.title())
            link = await link_of(client, base, desk.customer_id)
            assert link.startswith("https://t.me/feedbackbot_standin_bot?start=")
            await telegram.send_command(customer, "/start", link.split("start=", 1)[1])
            [welcome] = await telegram.wait_for_messages(customer, 1, within=STARTUP)
            assert "now connected" in welcome.text, desk.name

            body = closed_at(desk, utcnow())
            answer = await post_hook(client, base, desk.name, body)
            assert recorded(answer) in (None, [("csat", "telegram")]), (desk.name, answer)
            question = (await telegram.wait_for_messages(customer, 2, within=STARTUP))[-1]
            assert question.buttons == [["1", "2", "3", "4", "5"]], desk.name

            # The helpdesk delivers the same webhook again: no second survey.
            again = await post_hook(client, base, desk.name, body)
            assert again["status"] in ("duplicate", "accepted"), again
        for chat in telegram.chats.values():
            assert len(chat.bot_messages) == 2


@pytest.mark.once
async def test_a_customer_is_found_in_slack_by_the_email_the_helpdesk_sends(
    empty_database_url: str,
) -> None:
    async with (
        SlackWebAPI() as slack,
        serving(
            slack.wait_until,
            lambda: slack.calls_to("auth.test"),
            database_url=empty_database_url,
            slack_bot_token=slack.token,
            slack_signing_secret=slack.signing_secret,
            slack_api_url=slack.base_url,
            hooks_token=HOOKS_TOKEN,
            **SECRET_SETTINGS,
        ) as base,
        aiohttp.ClientSession() as client,
    ):
        for desk in [d for d in DESKS if d.email is not None]:
            member = slack.create_user(desk.name, email=desk.email.upper())
            answer = await post_hook(client, base, desk.name, closed_at(desk, utcnow()))
            assert recorded(answer) in (None, [("csat", "slack")]), (desk.name, answer)
            [question] = await slack.wait_for_messages(member, 1, within=STARTUP)
            assert question.blocks, desk.name
        # Chatwoot's agent has no e-mail; the other agents are looked up too.
        looked_up = len(slack.calls_to("users.lookupByEmail"))
        assert looked_up == 2 * len([d for d in DESKS if d.email]) - 1
        # The same customer's next ticket: the address is known, Slack is not asked again.
        desk = DESKS[0]
        body = closed_at(desk, utcnow()) | {"id": 11}
        answer = await post_hook(client, base, desk.name, body)
        assert answer["status"] in ("recorded", "accepted"), answer
        assert len(slack.calls_to("users.lookupByEmail")) == looked_up
