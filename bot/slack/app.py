"""Wires the Slack app: the bolt ``AsyncApp``, its listeners, HTTP or Socket Mode, the jobs.

HTTP mode (no ``SLACK_APP_TOKEN``) serves ``POST /slack/events`` on the shared aiohttp
application; bolt checks every request's signature and timestamp there and answers a bad or
stale one with a bare 401. Socket Mode connects out to Slack instead, so nothing is exposed.
Listeners run with ``process_before_response``: each one acks and hands its slow part to
``BackgroundWork``, which ``stop()`` lets finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from apscheduler.triggers.interval import IntervalTrigger
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.answers import AnswerDesk, answer_rules
from bot.http.errors import json_error
from bot.http.jsonbody import MAX_DEPTH, BadJson, nests_deeper, read_body
from bot.scheduler import Job
from bot.settings import Settings
from bot.slack import alerts, digests, feedback_command, home, privacy, surveys
from bot.slack.channel import SlackChannel
from bot.slack.services import SERVICES_KEY, SlackServices
from bot.supervision import Part, Supervised, pause
from feedbackbot.errors import ConfigurationError, FeedbackbotError

log = logging.getLogger(__name__)


class SlackUnreachable(FeedbackbotError):
    """Slack could not be reached."""


EVENTS_PATH = "/slack/events"
MAX_EVENT_BODY = 512 * 1024
"""A button press carries the whole message it was on (up to 50 blocks), hence more room
than the case API's 64 KiB."""
RATE_LIMIT_RETRIES = 2
REFUSED_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
ALERT_SWEEP = timedelta(minutes=1)
"""How often left-behind alerts are retried; fresher ones belong to the worker that made them."""
DIGEST_CHECK = timedelta(minutes=15)
SOCKET_CHECK = timedelta(seconds=1)
SOCKET_GRACE = timedelta(seconds=30)
"""How long slack_sdk may take to reconnect Socket Mode on its own before we start over."""
DIGEST_HOUR_UTC = 8
"""Digests go out from this hour (UTC) on: daily ones for yesterday, the weekly one on Monday
for last week. A worker that was down then sends them when it is back (once, by claim)."""


def web_client(token: str, api_url: str, *, retry_rate_limits: bool = True) -> AsyncWebClient:
    """A Web API client for ``api_url`` (``SLACK_API_URL``).

    With ``retry_rate_limits`` a 429 is retried after its ``Retry-After`` (slack_sdk does not
    do that on its own); the dispatcher's channel turns 429s into its own retries instead.
    """
    client = AsyncWebClient(token=token, base_url=api_url.rstrip("/") + "/")
    if retry_rate_limits:
        client.retry_handlers.append(
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
        )
    return client


def build_app(
    services: SlackServices,
    client: AsyncWebClient,
    *,
    signing_secret: str,
    verify_requests: bool = True,
) -> AsyncApp:
    """The bolt app with every listener registered and ``services`` in each listener's context."""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        request_verification_enabled=verify_requests,
        logger=logging.getLogger("bot.slack.bolt"),
    )

    async def inject_services(context: dict, next: Any) -> Any:
        context[SERVICES_KEY] = services
        return await next()

    app.use(inject_services)
    # privacy first: its message listener must see the DM words before any other one does
    for feature in (privacy, surveys, alerts, feedback_command, home):
        feature.register(app)
    services.answers.deliver_alerts_with(
        lambda invitation_id: services.work.spawn(
            alerts.deliver_for_invitation(services, client, invitation_id), name="slack.alert"
        )
    )
    return app


def add_routes(web_app: web.Application, app: AsyncApp, signing_secret: str) -> None:
    """``POST /slack/events``: the signature checked over the raw body, then bolt.

    bolt's request object parses the body as it is built, before bolt verifies anything, so an
    unsigned request could make it parse whatever it sent (issue 12). Here nothing is parsed
    until the signature and timestamp check out (a bare 401 otherwise, as bolt answers), and a
    signed body is still held to the size and JSON nesting limits of every other endpoint.
    """
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        try:
            raw = await read_body(request, MAX_EVENT_BODY)
        except BadJson as error:
            return error.response()
        if not _is_signed(verifier, raw, request.headers):
            log.warning("unsigned or stale request refused", extra={"path": EVENTS_PATH})
            return web.Response(status=401)
        try:
            body = raw.decode()
            _check_nesting(body, request.content_type)
        except UnicodeDecodeError:
            return json_error(400, "bad_body", "The body is not UTF-8.")
        except BadJson as error:
            return error.response()
        bolt_request = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        )
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    web_app.router.add_post(EVENTS_PATH, slack_events)


def _is_signed(verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, str]) -> bool:
    try:
        return verifier.is_valid_request(raw, headers)
    except ValueError:  # a timestamp header that is not a number
        return False


def _check_nesting(body: str, content_type: str) -> None:
    """Raise ``BadJson`` when the JSON in a signed body (the whole of an Events API body, the
    ``payload`` field of an interaction) nests deeper than ``loads_limited`` allows."""
    if content_type == "application/x-www-form-urlencoded":
        documents = parse_qs(body).get("payload", [])
    else:
        documents = [body]
    for document in documents:
        if nests_deeper(document.encode(), MAX_DEPTH):
            raise BadJson(400, "too_deep", f"The JSON nests deeper than {MAX_DEPTH} levels.")


@dataclass
class SlackRuntime:
    """The running Slack side: the app, its client, and the jobs the scheduler calls."""

    app: AsyncApp
    client: AsyncWebClient
    services: SlackServices
    channel: SlackChannel
    app_token: str | None = None
    signing_secret: str | None = None

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    def add_routes(self, web_app: web.Application) -> None:
        """``/slack/events`` in HTTP mode; Socket Mode needs no public route."""
        if not self.socket_mode:
            if self.signing_secret is None:
                raise ConfigurationError("SLACK_SIGNING_SECRET is needed to serve /slack/events")
            add_routes(web_app, self.app, self.signing_secret)

    def jobs(self) -> Iterable[Job]:
        return [
            Job("slack_alerts", _every(ALERT_SWEEP), self.sweep_alerts),
            Job("slack_daily_digests", _every(DIGEST_CHECK), self.daily_digests_when_due),
            Job("slack_weekly_digest", _every(DIGEST_CHECK), self.weekly_digest_when_due),
        ]

    async def sweep_alerts(self) -> int:
        sent = await self.send_pending_alerts(self.services.clock() - ALERT_SWEEP)
        return sent + await alerts.refresh_outdated_alerts(self.services, self.client)

    async def daily_digests_when_due(self) -> int:
        now = self.services.clock()
        return await self.send_daily_digests(now) if now.hour >= DIGEST_HOUR_UTC else 0

    async def weekly_digest_when_due(self) -> bool:
        now = self.services.clock()
        if now.weekday() == 0 and now.hour < DIGEST_HOUR_UTC:
            return False
        return await self.send_weekly_digest(now)

    async def start(self) -> None:
        """Check the bot token with auth.test (a refused one stops start-up) and, in Socket
        Mode, the app token; the connection itself is the supervised part (``supervised``)."""
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            code = error.response.get("error")
            if code in REFUSED_TOKEN:
                raise ConfigurationError(
                    f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token "
                    "(xoxb-...) from the app's OAuth & Permissions page"
                ) from None
            log.warning("slack auth.test failed", extra={"error": code})
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack unreachable at start", extra={"error": type(error).__name__})
        else:
            log.info("slack app ready", extra={"team": identity.get("team_id")})
        if self.app_token is not None:
            await self._check_app_token(self.app_token)

    def supervised(self) -> list[Supervised]:
        """Socket Mode's connection, kept up until shutdown; nothing in HTTP mode."""
        return [] if self.app_token is None else [Supervised("slack", self._socket_mode)]

    async def _socket_mode(self, part: Part, stop: asyncio.Event) -> None:
        """Connect and watch the connection. slack_sdk reconnects a dropped connection on
        its own; while it is away the part shows ``down``, and after ``SOCKET_GRACE`` without
        it the connection is closed and the supervisor opens a new one."""
        assert self.app_token is not None
        socket = AsyncSocketModeHandler(self.app, self.app_token)
        try:
            await socket.connect_async()
            log.info("slack socket mode connected")
            lost_at: float | None = None
            while not stop.is_set():
                now = asyncio.get_running_loop().time()
                if await socket.client.is_connected():
                    lost_at = None
                    part.running()
                else:
                    lost_at = now if lost_at is None else lost_at
                    part.lost("socket mode connection lost")
                    if now - lost_at > SOCKET_GRACE.total_seconds():
                        raise SlackUnreachable("socket mode connection lost")
                await pause(stop, SOCKET_CHECK.total_seconds())
        finally:
            with suppress(Exception):
                await socket.close_async()

    async def _check_app_token(self, app_token: str) -> None:
        """apps.connections.open once: slack_sdk would retry a refused token forever."""
        try:
            await self.client.apps_connections_open(app_token=app_token)
        except SlackApiError as error:
            raise ConfigurationError(
                f"Slack refused the Socket Mode connection ({error.response.get('error')}): "
                "check SLACK_APP_TOKEN (an app-level xapp-... token with connections:write) "
                "and that Socket Mode is on in the app's settings"
            ) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SlackUnreachable(
                f"Cannot reach Slack for Socket Mode ({type(error).__name__}); "
                "check the network and SLACK_API_URL"
            ) from None

    async def stop(self) -> None:
        await self.services.work.join()

    async def send_pending_alerts(self, created_before: datetime | None = None) -> int:
        return await alerts.send_pending_alerts(
            self.services, self.client, created_before=created_before
        )

    async def send_daily_digests(self, now: datetime | None = None) -> int:
        return await digests.send_daily_agent_digests(self.services, self.client, now)

    async def send_weekly_digest(self, now: datetime | None = None) -> bool:
        return await digests.send_weekly_team_digest(self.services, self.client, now)


def _every(interval: timedelta) -> IntervalTrigger:
    return IntervalTrigger(seconds=interval.total_seconds())


def services_from_settings(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    worker: str,
    answers: AnswerDesk | None = None,
) -> SlackServices:
    return SlackServices(
        sessions=sessions,
        default_language=settings.default_language,
        admin_users=settings.slack_admin_users,
        digest_channel=settings.slack_digest_channel,
        worker=worker,
        link_secret=settings.link_secret.get_secret_value() if settings.link_secret else None,
        dashboard_url=settings.dashboard_base_url,
        desk=answers or AnswerDesk(sessions, answer_rules(settings)),
    )


def create_runtime(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    worker: str = "worker",
    answers: AnswerDesk | None = None,
) -> SlackRuntime | None:
    """The Slack side as configured, None without ``SLACK_BOT_TOKEN``; ConfigurationError
    names a missing or wrong setting."""
    if settings.slack_bot_token is None:
        return None
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
    if app_token is None and settings.slack_signing_secret is None:
        raise ConfigurationError(
            "SLACK_SIGNING_SECRET is not set: in HTTP mode (no SLACK_APP_TOKEN) every request to "
            "/slack/events is verified with it; copy it from the app's Basic Information page"
        )
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigurationError(
            "SLACK_APP_TOKEN must be an app-level token (xapp-...) with the connections:write "
            "scope, for Socket Mode"
        )
    services = services_from_settings(settings, sessions, worker, answers)
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    secret = settings.slack_signing_secret
    app = build_app(
        services,
        client,
        signing_secret=secret.get_secret_value() if secret else "",
        verify_requests=app_token is None or secret is not None,
    )
    channel = SlackChannel(
        web_client(
            settings.slack_bot_token.get_secret_value(),
            settings.slack_api_url,
            retry_rate_limits=False,
        )
    )
    return SlackRuntime(
        app, client, services, channel, app_token, secret.get_secret_value() if secret else None
    )
