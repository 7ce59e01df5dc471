"""``feedbackbot customers``: connect customers to chats."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import typer
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

from bot.cli.common import console, errors, fail, require_current_schema, settings_or_exit
from bot.settings import Settings
from bot.telegram.client import build_bot
from bot.telegram.links import deep_link, make_link_token, new_link_id
from storage.engine import open_engine, session_factory
from storage.links import issue_link
from storage.types import utcnow

app = typer.Typer(help="Connect customers to their chats.", no_args_is_help=True)
MAX_CUSTOMER_ID = 200


async def _bot_username(settings: Settings) -> str:
    bot = build_bot(settings)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    return me.username or ""


async def _issue(settings: Settings, link_id: str, customer_id: str) -> datetime:
    async with open_engine(settings.database_url) as engine:
        await require_current_schema(engine, settings)
        async with session_factory(engine)() as session, session.begin():
            link = await issue_link(
                session,
                link_id,
                customer_id,
                now=utcnow(),
                valid_for=timedelta(days=settings.link_ttl_days),
            )
            return link.expires_at


@app.command()
def link(
    customer_id: str = typer.Argument(
        ..., help="The customer's id in your helpdesk (the case events' customer id)."
    ),
) -> None:
    """Print a signed Telegram deep link that connects the customer's chat when they open it.

    The link works once and expires after LINK_TTL_DAYS (30); print a new one when needed.
    """
    settings = settings_or_exit()
    if settings.link_secret is None:
        fail("LINK_SECRET is not set; set it to a long random string (see .env.example)", code=2)
    if settings.telegram_bot_token is None:
        fail("TELEGRAM_BOT_TOKEN is not set; the link names the bot, so set its token", code=2)
    if not customer_id.strip() or len(customer_id) > MAX_CUSTOMER_ID:
        fail(f"CUSTOMER_ID must be 1-{MAX_CUSTOMER_ID} characters (got {len(customer_id)})")
    try:
        username = asyncio.run(_bot_username(settings))
    except TelegramUnauthorizedError:
        fail("Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized); check the token")
    except TelegramAPIError as error:
        fail(f"Cannot ask Telegram ({settings.telegram_api_url}) for the bot's name: {error}")
    if not username:
        fail("Telegram reports no username for this bot; set one with @BotFather")
    link_id = new_link_id()
    expires_at = asyncio.run(_issue(settings, link_id, customer_id))
    token = make_link_token(settings.link_secret.get_secret_value(), link_id)
    console.print(deep_link(username, token), highlight=False, soft_wrap=True)
    errors.print(
        f"Works once, until {expires_at:%Y-%m-%d %H:%M} UTC.", style="dim", highlight=False
    )
