"""Webhook mode: Telegram POSTs updates to /telegram/webhook with the secret header."""

import aiohttp
import pytest

from bot.telegram.webhook import SECRET_HEADER, register_webhook
from tests.bot.telegram.conftest import WEBHOOK_SECRET, Harness

SECRET = WEBHOOK_SECRET


async def test_a_survey_answered_through_the_webhook(harness: Harness, webhook: str) -> None:
    telegram = harness.telegram
    await register_webhook(harness.bot, harness.dispatcher, webhook, SECRET)
    assert telegram.webhook_url == webhook
    ann = telegram.create_user("Ann")
    await harness.close_case(ann)
    await harness.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    await telegram.press_button(ann, question, "2")
    await telegram.wait_for_edit(question)
    fcr = (await telegram.wait_for_messages(ann, 2))[-1]
    await telegram.press_button(ann, fcr, "Yes")
    await telegram.wait_for_messages(ann, 3)
    await telegram.send_text(ann, "Faster replies, please.")
    thanks = (await telegram.wait_for_messages(ann, 4))[-1]
    assert thanks.plain_text.startswith("Thank you")
    assert [(a.question_key, a.value, a.text) for a in await harness.answers()] == [
        ("csat", 2, None),
        ("fcr", 1, None),
        ("comment", None, "Faster replies, please."),
    ]
    assert {d.status for d in telegram.webhook_deliveries} == {200}


async def test_a_webhook_registered_without_the_secret_is_refused(
    harness: Harness, webhook: str
) -> None:
    telegram = harness.telegram
    await harness.bot.set_webhook(url=webhook)
    ann = telegram.create_user("Ann")
    await telegram.send_command(ann, "/help")
    await telegram.wait_until(
        lambda: any(d.status == 403 for d in telegram.webhook_deliveries), "a refused delivery"
    )
    assert telegram.chat(ann).bot_messages == []


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: ""}])
async def test_requests_without_the_right_secret_get_403(
    harness: Harness, webhook: str, headers: dict[str, str]
) -> None:
    ann = harness.telegram.create_user("Ann")
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": ann.id, "type": "private"},
            "from": {"id": ann.id, "is_bot": False, "first_name": "Ann"},
            "text": "/help",
        },
    }
    async with (
        aiohttp.ClientSession() as client,
        client.post(webhook, json=update, headers=headers) as response,
    ):
        assert response.status == 403
        assert await response.text() == ""
    async with (
        aiohttp.ClientSession() as client,
        client.post(webhook, data="not json", headers={SECRET_HEADER: SECRET}) as response,
    ):
        assert response.status == 400
    assert harness.telegram.chat(ann).bot_messages == []
