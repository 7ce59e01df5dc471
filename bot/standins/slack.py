"""A local Slack Web API for tests and ``feedbackbot demo``, which also plays the people.

The real ``AsyncWebClient`` (and a slack-bolt ``AsyncApp`` built on it) talks to it over HTTP::

    async with SlackWebAPI() as slack:
        client = AsyncWebClient(token=slack.token, base_url=slack.base_url)
        ann = slack.create_user("ann")
        await client.chat_postMessage(channel=ann.id, text="How did we do?", blocks=[...])
        [question] = await slack.wait_for_messages(ann, 1)
        slack.events_url = "http://127.0.0.1:8080/slack/events"
        response = await slack.press_button(ann, question, text="2")  # signed block_actions

Socket Mode (``bot.standins.slack_socket``): ``apps.connections.open`` with ``app_token`` hands
out a websocket on the stand-in; while the app is connected there, the user actions below are
delivered down it as envelopes instead of signed POSTs to ``events_url``.

It serves ``/api/<method>`` (JSON, form or query-string arguments), checks the bearer token
(``not_authed`` / ``invalid_auth``), answers Slack's ``{"ok": ...}`` shapes and error codes,
and, when switched on, 429 ``ratelimited`` with ``Retry-After`` (chat.postMessage per channel).
Uploads go to an ``upload_url`` on the stand-in itself; ``response_url`` posts are recorded and
applied. Tests read ``messages_in(...)``, ``ephemerals``, ``views``, ``files`` and ``calls``,
wait with ``wait_for_messages`` / ``wait_for_calls`` / ``wait_until`` (no sleeps), inject
failures with ``fail_next``, and act as users through the methods of ``UserActions``.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.standins.common import (
    Changes,
    Fault,
    FaultPlan,
    LocalServer,
    SlidingWindow,
    drop_connection,
)
from bot.standins.slack_methods import METHODS, SlackError
from bot.standins.slack_objects import (
    Channel,
    SlackCall,
    SlackMessage,
    SlackUser,
    SlackView,
)
from bot.standins.slack_socket import SocketModeLink
from bot.standins.slack_users import UserActions
from bot.standins.slack_workspace import ResponseUrlPost, SlackWorkspace

DEFAULT_TOKEN = "xoxb-1-standin-bot-token"
DEFAULT_APP_TOKEN = "xapp-1-A0STANDIN01-1-standin-app-token"
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
DEFAULT_SIGNING_SECRET = "standin-signing-secret"


class SlackWebAPI(SlackWorkspace, UserActions):
    """One workspace with one installed app, on a free local port while used as ``async with``."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        app_token: str = DEFAULT_APP_TOKEN,
        signing_secret: str = DEFAULT_SIGNING_SECRET,
        team_id: str = "T0STANDIN01",
        team_domain: str = "standin",
        team_name: str = "Stand-in Workspace",
        app_id: str = "A0STANDIN01",
        bot_user_id: str = "U0BOTSTAND1",
        bot_id: str = "B0BOTSTAND1",
        bot_name: str = "feedbackbot",
        events_url: str | None = None,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        trigger_ttl: float = 3.0,
    ) -> None:
        super().__init__(
            team_id=team_id,
            team_domain=team_domain,
            team_name=team_name,
            app_id=app_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            bot_name=bot_name,
            clock=clock,
            wall_clock=wall_clock,
            trigger_ttl=trigger_ttl,
        )
        self.token = token
        self.app_token = app_token
        """The app-level token (``SLACK_APP_TOKEN``) that opens Socket Mode connections."""
        self.signing_secret = signing_secret
        self.verification_token = "standin-verification-token"
        self.events_url = events_url
        """The app's Events/interactivity URL, where the user actions are POSTed."""
        self.changes = Changes()
        self.calls: list[SlackCall] = []
        self.call_counts: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()
        """429 answers per method, from rate limits and injected ones alike."""
        self.faults = FaultPlan()
        self._channel_limit: SlidingWindow | None = None
        self._workspace_limit: SlidingWindow | None = None
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response_url)
        self.socket = SocketModeLink(app_id, self.changes)
        """Socket Mode: while the app is connected, what people do goes down the websocket."""
        self.socket.add_routes(app)
        self._server = LocalServer(app, host)

    async def __aenter__(self) -> Self:
        await self._server.start()
        self.socket.root = self.root
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.socket.close()
        await self._server.stop()

    @property
    def root(self) -> str:
        return self._server.root

    @property
    def base_url(self) -> str:
        """For ``SLACK_API_URL`` / ``AsyncWebClient(base_url=...)`` (trailing slash included)."""
        return f"{self.root}/api/"

    # ---- the HTTP side -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await _read_args(request)
        token = _bearer(request) or args.pop("token", None)
        self.call_counts[method] += 1
        fault = self.faults.take(method)
        if fault is not None and fault.disconnect:
            self.calls.append(SlackCall(method, args, 0, "connection dropped"))
            return await drop_connection(request)
        headers: dict[str, str] = {}
        try:
            if fault is not None:
                raise SlackError(
                    fault.error or "internal_error",
                    status=fault.status,
                    retry_after=fault.retry_after,
                )
            if not token:
                raise SlackError("not_authed")
            expected = self.app_token if method in APP_TOKEN_METHODS else self.token
            if token != expected:
                known = token in (self.token, self.app_token)
                raise SlackError("not_allowed_token_type" if known else "invalid_auth")
            handler = METHODS.get(method)
            if handler is None:
                raise SlackError("unknown_method", extra={"req_method": method})
            key = self._check_rate(method, args)
            body = {"ok": True, **await handler(self, args)}
            if key is not None:
                self._record_rate(key)
            status = 200
        except SlackError as error:
            status, body = error.status, error.body()
            if error.retry_after is not None:
                headers["Retry-After"] = str(error.retry_after)
            if status == 429:
                self.rate_limited[method] += 1
        self.calls.append(SlackCall(method, args, status, body.get("error")))
        await self.changes.notify()
        return web.json_response(body, status=status, headers=headers)

    def _check_rate(self, method: str, args: dict[str, Any]) -> str | None:
        if method != "chat.postMessage" or not (self._channel_limit or self._workspace_limit):
            return None
        try:
            key = self.channel(str(args.get("channel") or "")).id
        except SlackError:
            return None
        waits = [
            window.wait_needed(window_key)
            for window, window_key in ((self._channel_limit, key), (self._workspace_limit, "all"))
            if window is not None
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            raise SlackError("ratelimited", status=429, retry_after=max(1, math.ceil(wait)))
        return key

    def _record_rate(self, key: str) -> None:
        if self._channel_limit is not None:
            self._channel_limit.record(key)
        if self._workspace_limit is not None:
            self._workspace_limit.record("all")

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        upload = self.files.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file not found", content_type="text/plain")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            field = form.get("file") or form.get("filename")
            content = field.file.read() if isinstance(field, web.FileField) else str(field).encode()
        else:
            content = await request.read()
        upload.content = content
        await self.changes.notify()
        return web.Response(text=f"OK - {len(content)}", content_type="text/plain")

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        target = self._response_targets.get(key)
        if target is None:
            return web.Response(status=404, text="no_such_response_url")
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        self.responses.append(ResponseUrlPost(str(request.url), body))
        self._apply_response(target, body)
        await self.changes.notify()
        return web.Response(text="ok", content_type="text/plain")

    # ---- test controls ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    def enable_rate_limits(
        self, per_channel_per_second: float | None = 1, workspace_per_second: float | None = None
    ) -> None:
        """chat.postMessage above these rates answers 429 ``ratelimited`` with Retry-After."""
        self._channel_limit = (
            SlidingWindow(per_channel_per_second, 1.0, self.clock)
            if per_channel_per_second is not None
            else None
        )
        self._workspace_limit = (
            SlidingWindow(workspace_per_second, 1.0, self.clock)
            if workspace_per_second is not None
            else None
        )

    def disable_rate_limits(self) -> None:
        self._channel_limit = self._workspace_limit = None

    def fail_next(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
        disconnect: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``
        (``ratelimited`` as a 429 with ``Retry-After``, default 1 s; other errors HTTP 200
        unless ``status``), or drop the connection with ``disconnect``."""
        if status is None:
            status = 429 if error == "ratelimited" else 200
        if status == 429 and retry_after is None:
            retry_after = 1
        self.faults.add(method, Fault(status, error, retry_after, disconnect), times)

    async def wait_until(
        self, predicate: Callable[[], bool], what: str, within: float = 5.0
    ) -> None:
        await self.changes.wait_for(predicate, within, what)

    async def wait_for_messages(
        self, where: SlackUser | Channel | str, count: int, within: float = 5.0
    ) -> list[SlackMessage]:
        """The app's messages in the channel (or a user's DM) once there are ``count``."""
        await self.wait_until(
            lambda: len(self.app_messages_in(where)) >= count,
            f"{count} app message(s) in {self._where(where)} "
            f"(has {len(self.app_messages_in(where))})",
            within,
        )
        return self.app_messages_in(where)

    async def wait_for_calls(self, method: str, count: int, within: float = 5.0) -> list[SlackCall]:
        await self.wait_until(
            lambda: len(self.calls_to(method)) >= count, f"{count} call(s) of {method}", within
        )
        return self.calls_to(method)

    async def wait_for_modal(self, user: SlackUser, within: float = 5.0) -> SlackView:
        """The newest modal open for ``user``, once the app opened one."""
        await self.wait_until(lambda: bool(self.open_modals(user)), "an open modal", within)
        return self.open_modals(user)[-1]

    async def wait_for_home(self, user: SlackUser, within: float = 5.0) -> SlackView:
        await self.wait_until(lambda: user.id in self.homes, "a published App Home", within)
        return self.homes[user.id]


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Query string, then a JSON or form body, merged (Slack accepts all three)."""
    args: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return args
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            args.update(body)
    else:
        form = await request.post()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})
    return args
