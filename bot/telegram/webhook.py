"""``POST /telegram/webhook`` on the shared aiohttp server, for every worker at once.

A request without the right ``X-Telegram-Bot-Api-Secret-Token`` gets a bare 403 (compared in
constant time). An accepted update is handled before the answer, so a 200 means it is done
(concurrently with other chats' updates, after this chat's earlier ones: ``inbound.py``);
a handler failure is still a 200 (the error handler apologised to the customer), because
Telegram would otherwise redeliver the same poison update again and again.
"""

from __future__ import annotations

import hmac
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.http.errors import json_error
from bot.http.jsonbody import BadJson, read_json
from bot.telegram.inbound import UpdateRunner

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def add_webhook_route(app: web.Application, bot: Bot, dispatcher: Dispatcher, secret: str) -> None:
    expected = secret.encode()
    runner = UpdateRunner(bot, dispatcher)

    async def receive_update(request: web.Request) -> web.Response:
        presented = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(presented, expected):
            log.warning("webhook request with a wrong secret", extra={"remote": request.remote})
            return web.Response(status=403)
        try:
            update = Update.model_validate(await read_json(request), context={"bot": bot})
        except BadJson as error:
            return error.response()
        except ValidationError:
            return json_error(400, "bad_update", "The body is not a Telegram update.")
        await runner.handle(update)  # logs a failure itself; see the module docstring
        return web.json_response({"ok": True})

    app.router.add_post(PATH, receive_update)


async def register_webhook(bot: Bot, dispatcher: Dispatcher, url: str, secret: str) -> None:
    """Point Telegram at ``url`` (TELEGRAM_WEBHOOK_URL) with the secret header."""
    await bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    log.info("webhook registered", extra={"url": url})
