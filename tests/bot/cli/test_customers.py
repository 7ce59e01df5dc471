import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli.app import app
from bot.standins.telegram import TelegramBotAPI
from bot.telegram.links import read_link_token
from storage.engine import session_factory
from storage.models import Customer, LinkToken
from storage.types import utcnow

runner = CliRunner()
SECRET = "cli-link-secret"


async def link(monkeypatch: pytest.MonkeyPatch, telegram: TelegramBotAPI, *args: str):
    monkeypatch.setenv("TELEGRAM_API_URL", telegram.base_url)
    return await asyncio.to_thread(runner.invoke, app, ["customers", "link", *args])


async def test_link_prints_a_signed_single_use_deep_link_for_the_bot(
    monkeypatch: pytest.MonkeyPatch, database_url: str, engine: AsyncEngine
) -> None:
    monkeypatch.setenv("LINK_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LINK_TTL_DAYS", "7")
    async with TelegramBotAPI(username="acme_support_bot") as telegram:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram.token)
        started = utcnow()
        result = await link(monkeypatch, telegram, "C-42")
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    prefix = "https://t.me/acme_support_bot?start="
    assert url.startswith(prefix)
    link_id = read_link_token(SECRET, url.removeprefix(prefix))
    async with session_factory(engine)() as session:
        row = await session.get(LinkToken, link_id)
        assert row is not None and row.used_at is None
        customer = await session.get(Customer, row.customer_id)
    assert customer is not None and customer.external_id == "C-42"
    assert started + timedelta(days=7) <= row.expires_at <= utcnow() + timedelta(days=7)
    assert "Works once, until" in result.stderr


async def test_link_without_link_secret_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    async with TelegramBotAPI() as telegram:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram.token)
        result = await link(monkeypatch, telegram, "C-42")
    assert result.exit_code == 2
    assert "LINK_SECRET is not set" in result.output


async def test_link_with_a_refused_token_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:wrong-token")
    async with TelegramBotAPI() as telegram:
        result = await link(monkeypatch, telegram, "C-42")
    assert result.exit_code == 1
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in result.output
    assert "wrong-token" not in result.output


def test_link_for_a_customer_id_too_long_stores_nothing_and_explains(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:token")
    result = runner.invoke(app, ["customers", "link", "x" * 201])
    assert result.exit_code == 1
    assert "CUSTOMER_ID must be 1-200 characters" in result.output


def test_link_without_a_bot_token_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINK_SECRET", SECRET)
    result = runner.invoke(app, ["customers", "link", "C-42"])
    assert result.exit_code == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.output


def test_customers_link_has_help() -> None:
    result = runner.invoke(app, ["customers", "link", "--help"])
    assert result.exit_code == 0
    assert "deep link" in result.output
