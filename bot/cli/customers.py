"""``feedbackbot customers``: connect customers to chats."""

from __future__ import annotations

import asyncio

import typer
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

from bot.cli.common import console, fail, settings_or_exit
from bot.settings import Settings
from bot.telegram.client import build_bot
from bot.telegram.links import CustomerIdTooLong, deep_link, make_link_token

app = typer.Typer(help="Connect customers to their chats.", no_args_is_help=True)


async def _bot_username(settings: Settings) -> str:
    bot = build_bot(settings)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    return me.username or ""


@app.command()
def link(
    customer_id: str = typer.Argument(
        ..., help="The customer's id in your helpdesk (the case events' customer id)."
    ),
) -> None:
    """Print a signed Telegram deep link that connects the customer's chat when they open it."""
    settings = settings_or_exit()
    if settings.link_secret is None:
        fail("LINK_SECRET is not set; set it to a long random string (see .env.example)", code=2)
    if settings.telegram_bot_token is None:
        fail("TELEGRAM_BOT_TOKEN is not set; the link names the bot, so set its token", code=2)
    try:
        token = make_link_token(settings.link_secret.get_secret_value(), customer_id)
    except CustomerIdTooLong as error:
        fail(str(error))
    try:
        username = asyncio.run(_bot_username(settings))
    except TelegramUnauthorizedError:
        fail("Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized); check the token")
    except TelegramAPIError as error:
        fail(f"Cannot ask Telegram ({settings.telegram_api_url}) for the bot's name: {error}")
    if not username:
        fail("Telegram reports no username for this bot; set one with @BotFather")
    console.print(deep_link(username, token), highlight=False, soft_wrap=True)
