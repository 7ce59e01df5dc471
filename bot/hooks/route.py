"""``POST /hooks/{helpdesk}/{HOOKS_TOKEN}``: one URL a team pastes into its helpdesk.

Order matters: the path token (constant time), then the body size, then the helpdesk's
signature over the raw bytes, and only then is the body parsed. A wrong token or signature is
a bare 401 with nothing stored; no ``HOOKS_TOKEN`` or an unknown helpdesk is 404; a body we
cannot read is 400 naming the problem; any event that is not a closure is 200 and ignored (a
helpdesk disables a webhook that keeps failing).
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.hooks.front import CHALLENGE_HEADER
from bot.hooks.helpdesks import HELPDESKS
from bot.hooks.intake import HookIntake, HookStatus
from bot.hooks.payload import BadPayload, Ignored
from bot.http.errors import field_errors, json_error
from bot.http.jsonbody import BadJson, loads_limited, read_body
from bot.http.keys import SERVICES

if TYPE_CHECKING:
    from bot.hooks.directory import SlackDirectory

MAX_HOOK_BODY = 1024 * 1024
"""Helpdesks send whole conversations (Intercom parts, Help Scout threads): room for them."""
log = logging.getLogger(__name__)
HOOKS: web.AppKey[HookIntake] = web.AppKey("hook_intake", HookIntake)


def _not_found() -> web.Response:
    return json_error(404, "not_found", "No such hook.")


def _unauthorized() -> web.Response:
    return json_error(401, "unauthorized", "Unauthorized.")


def _object(body: bytes) -> Any:
    """The decoded body, which must be a JSON object; raises ``BadJson`` or ``BadPayload``."""
    data = loads_limited(body)
    if not isinstance(data, dict):
        raise BadPayload("body", "must be a JSON object")
    return data


async def receive_hook(request: web.Request) -> web.StreamResponse:
    settings = request.app[SERVICES].settings
    expected = settings.hooks_token
    if expected is None:
        return _not_found()
    presented = request.match_info["token"].encode()
    if not hmac.compare_digest(presented, expected.get_secret_value().encode()):
        return _unauthorized()
    helpdesk = HELPDESKS.get(request.match_info["helpdesk"])
    if helpdesk is None:
        return _not_found()
    try:
        body = await read_body(request, MAX_HOOK_BODY)
    except BadJson as bad:
        return bad.response()
    intake = request.app[HOOKS]
    secret = helpdesk.secret(settings)
    if secret is not None and helpdesk.verify is not None:
        if not helpdesk.verify(secret, request.headers, body, intake.clock()):
            log.warning("webhook signature refused", extra={"helpdesk": helpdesk.name})
            return _unauthorized()
    challenge = request.headers.get(CHALLENGE_HEADER) if helpdesk.name == "front" else None
    if challenge:
        return web.Response(text=challenge[:256])
    try:
        read = helpdesk.read(_object(body), request.headers)
        if isinstance(read, Ignored):
            return web.json_response({"status": "ignored", "reason": read.reason})
        result = await intake.take(helpdesk.name, read)
    except BadPayload as bad:
        log.info(
            "webhook refused",
            extra={"helpdesk": helpdesk.name, "field": bad.path, "problem": bad.problem},
        )
        return field_errors(400, [(bad.path, bad.problem)])
    except BadJson as bad:
        return bad.response()
    if result.status is HookStatus.BUSY:
        response = json_error(503, "busy", "Too many webhooks in flight; try again shortly.")
        response.headers["Retry-After"] = "5"
        return response
    status = 202 if result.status is HookStatus.ACCEPTED else 200
    return web.json_response(result.as_json(), status=status)


def _directory(request_app: web.Application) -> SlackDirectory | None:
    """Slack lookups when Slack is configured (slack_sdk imported only then: it is slow)."""
    settings = request_app[SERVICES].settings
    if settings.slack_bot_token is None:
        return None
    from bot.hooks.directory import SlackDirectory
    from bot.slack.app import web_client

    token = settings.slack_bot_token.get_secret_value()
    return SlackDirectory(web_client(token, settings.slack_api_url, retry_rate_limits=False))


async def _close(app: web.Application) -> None:
    await app[HOOKS].close()


def add_hook_routes(app: web.Application) -> None:
    """Serve the hooks with the application's services (sessions, catalog, policy, clock)."""
    services = app[SERVICES]
    app[HOOKS] = HookIntake(
        services.sessions,
        catalog=lambda: services.catalog,
        config=services.policy,
        clock=lambda: services.clock(),
        directory=_directory(app),
    )
    app.on_shutdown.append(_close)
    app.router.add_post("/hooks/{helpdesk}/{token}", receive_hook)
