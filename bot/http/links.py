"""``GET /api/v1/customers/{id}/link`` (Bearer API_TOKEN): a customer's Telegram deep link.

A helpdesk macro calls it to put the link into its reply (the customer id is the one its
webhooks carry, e.g. ``zendesk:372``); opening the link connects the customer's chat, so the
surveys for that helpdesk's cases reach them. Each call issues a new link, as
``feedbackbot customers link`` does: it works once and expires after LINK_TTL_DAYS. The bot's
username comes from ``getMe`` once. 404 when Telegram links are not configured (LINK_SECRET,
TELEGRAM_BOT_TOKEN), 422 for an id that is not one, 502 when Telegram cannot be asked for the
bot's name.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.http.auth import bearer_required
from bot.http.errors import field_errors, json_error
from bot.http.keys import SERVICES
from bot.settings import Settings
from bot.telegram.links import deep_link, make_link_token, new_link_id
from storage.links import issue_link
from storage.types import utcnow
from surveys.events import MAX_ID_LENGTH, is_single_line

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


@dataclass
class BotName:
    """The bot's username, asked of Telegram on first use and then kept.

    aiogram is imported on that first use: it takes seconds to import, and every HTTP
    application (the tests build hundreds) would pay for it.
    """

    settings: Settings
    _bot: Bot | None = None
    _username: str | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def username(self) -> str:
        async with self._lock:
            if self._username is None:
                if self._bot is None:
                    from bot.telegram.client import build_bot

                    self._bot = build_bot(self.settings)
                me = await self._bot.get_me()
                self._username = me.username or ""
            return self._username

    async def close(self) -> None:
        if self._bot is not None:
            await self._bot.session.close()


BOT_NAME: web.AppKey[BotName] = web.AppKey("bot_name", BotName)


@bearer_required
async def customer_link(request: web.Request) -> web.Response:
    settings = request.app[SERVICES].settings
    customer_id = request.match_info["customer_id"]
    if settings.link_secret is None or settings.telegram_bot_token is None:
        return json_error(
            404,
            "not_configured",
            "Telegram links need LINK_SECRET and TELEGRAM_BOT_TOKEN to be set.",
        )
    if not customer_id.strip() or len(customer_id) > MAX_ID_LENGTH:
        return field_errors(422, [("customer_id", f"must be 1-{MAX_ID_LENGTH} characters")])
    if not is_single_line(customer_id):
        return field_errors(422, [("customer_id", "must not contain control characters")])
    from aiogram.exceptions import TelegramAPIError

    try:
        username = await request.app[BOT_NAME].username()
    except TelegramAPIError as error:
        log.warning("cannot ask Telegram for the bot's name", extra={"error": type(error).__name__})
        return json_error(502, "telegram_unavailable", "Telegram did not tell the bot's name.")
    if not username:
        return json_error(502, "telegram_unavailable", "The bot has no username in Telegram.")
    link_id = new_link_id()
    async with request.app[SERVICES].sessions() as session, session.begin():
        link = await issue_link(
            session,
            link_id,
            customer_id,
            now=utcnow(),
            valid_for=timedelta(days=settings.link_ttl_days),
        )
    token = make_link_token(settings.link_secret.get_secret_value(), link_id)
    return web.json_response(
        {
            "customer_id": customer_id,
            "link": deep_link(username, token),
            "expires_at": link.expires_at.isoformat().replace("+00:00", "Z"),
        }
    )


async def _close(app: web.Application) -> None:
    await app[BOT_NAME].close()


def add_link_routes(app: web.Application) -> None:
    app[BOT_NAME] = BotName(app[SERVICES].settings)
    app.on_cleanup.append(_close)
    app.router.add_get("/api/v1/customers/{customer_id}/link", customer_link)
