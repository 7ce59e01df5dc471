"""``feedbackbot run`` end to end: the helpdesk closes a case over the HTTP API, the scheduler's
dispatcher sends the survey, the customer answers in Telegram, by long polling or webhook."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import serve
from bot.settings import load_settings
from bot.standins.telegram import TelegramBotAPI
from bot.telegram.webhook import PATH
from feedbackbot.errors import ConfigurationError
from storage.engine import open_engine, session_factory
from storage.models import Answer, Invitation, InvitationStatus
from storage.types import utcnow
from tests.serving import API_TOKEN, free_port, serving


@asynccontextmanager
async def running(url: str, telegram: TelegramBotAPI, **settings: object) -> AsyncIterator[str]:
    async with serving(
        telegram.wait_until,
        lambda: telegram.calls["getUpdates"] or telegram.webhook_url,
        database_url=url,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        **settings,
    ) as base:
        yield base


async def close_case(base: str, chat_id: int) -> dict:
    body = {
        "case_id": "CASE-7",
        "customer": {"id": "alice", "telegram_chat_id": chat_id},
        "agent": {"id": "dana"},
        "closed_at": utcnow().isoformat(),
    }
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{base}/api/v1/cases/closed", json=body, headers=headers) as response,
    ):
        assert response.status == 202, await response.text()
        return await response.json()


async def stored(url: str) -> tuple[list[tuple], InvitationStatus]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        answers = await session.scalars(select(Answer).order_by(Answer.id))
        invitation = await session.scalar(select(Invitation).where(Invitation.survey_key == "csat"))
        assert invitation is not None
        return [(a.question_key, a.value, a.text) for a in answers], invitation.status


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_closed_case_becomes_a_survey_answered_in_telegram(
    empty_database_url: str, mode: str
) -> None:
    async with TelegramBotAPI() as telegram:
        extra: dict[str, object] = {}
        if mode == "webhook":
            port = free_port()
            extra = {
                "http_port": port,
                "telegram_webhook_url": f"http://127.0.0.1:{port}{PATH}",
                "telegram_webhook_secret": "s3cret_webhook",
            }
        async with running(empty_database_url, telegram, **extra) as base:
            if mode == "webhook":
                assert telegram.webhook_url.endswith(PATH)
            ann = telegram.create_user("Ann")
            created = await close_case(base, ann.id)
            assert [i["survey"] for i in created["invitations"]] == ["csat"]
            [question] = await telegram.wait_for_messages(ann, 1)
            assert question.buttons == [["1", "2", "3", "4", "5"]]
            await telegram.press_button(ann, question, "2")
            await telegram.wait_for_edit(question)
            fcr = (await telegram.wait_for_messages(ann, 2))[-1]
            await telegram.press_button(ann, fcr, "No")
            await telegram.wait_for_messages(ann, 3)
            await telegram.send_text(ann, "Too slow.")
            thanks = (await telegram.wait_for_messages(ann, 4))[-1]
            assert thanks.plain_text.startswith("Thank you")
        answers, status = await stored(empty_database_url)
        assert answers == [("csat", 2, None), ("fcr", 0, None), ("comment", None, "Too slow.")]
        assert status is InvitationStatus.ANSWERED
        if mode == "webhook":
            assert telegram.webhook_deliveries and all(
                d.status == 200 for d in telegram.webhook_deliveries
            )
            assert telegram.calls["getUpdates"] == 0


async def test_a_refused_token_stops_run_with_a_clear_message(empty_database_url: str) -> None:
    async with TelegramBotAPI() as telegram:
        settings = load_settings(
            None,
            database_url=empty_database_url,
            http_port=free_port(),
            telegram_bot_token="999:not-the-token",
            telegram_api_url=telegram.base_url,
        )
        with pytest.raises(ConfigurationError, match="Telegram refused TELEGRAM_BOT_TOKEN"):
            await asyncio.wait_for(serve(settings, asyncio.Event()), 15)
