"""Real client libraries pointed at the stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from slack_sdk.web.async_client import AsyncWebClient

from bot.standins.slack import SlackWebAPI
from bot.standins.telegram import TelegramBotAPI


class FakeClock:
    """A monotonic clock the test moves by hand, for rate-limit windows."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def telegram(clock: FakeClock) -> AsyncIterator[TelegramBotAPI]:
    async with TelegramBotAPI(clock=clock) as api:
        yield api


def bot_for(telegram: TelegramBotAPI, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url))
    return Bot(token or telegram.token, session=session)


@pytest.fixture
async def bot(telegram: TelegramBotAPI) -> AsyncIterator[Bot]:
    async with bot_for(telegram) as bot:
        yield bot


@pytest.fixture
async def slack(clock: FakeClock) -> AsyncIterator[SlackWebAPI]:
    async with SlackWebAPI(clock=clock) as api:
        yield api


@pytest.fixture
def client(slack: SlackWebAPI) -> AsyncWebClient:
    return AsyncWebClient(token=slack.token, base_url=slack.base_url)
