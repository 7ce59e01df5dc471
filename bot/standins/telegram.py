"""A local Telegram Bot API server for tests and ``feedbackbot demo``.

The real aiogram ``Bot`` talks to it over HTTP, so encoding and error mapping are real::

    async with TelegramBotAPI() as telegram:
        session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url))
        bot = Bot(telegram.token, session=session)
        ann = telegram.create_user("Ann", language_code="ru")
        await telegram.send_command(ann, "/start", "token123")
        [question] = await telegram.wait_for_messages(ann, 1)
        query = await telegram.press_button(ann, question, "2")
        answer = await telegram.wait_for_answer(query)

It serves ``/bot<token>/<method>`` (form fields, multipart or JSON bodies, any letter case of
the method), answers ``{"ok": true, "result": ...}`` or the Bot API's errors (401 bad token,
404 unknown method, 400 with the real descriptions, 403 blocked, 409 conflicts, 429 with
``parameters.retry_after``). A test plays the users (``create_user``, ``send_text``,
``send_command``, ``press_button``, ``block``), reads what the bot sent (``chat(user)``),
switches rate limits on (``enable_rate_limits``), injects failures (``fail_next``) and waits
for the bot without sleeping (``wait_for_messages``, ``wait_for_answer``, ``wait_until``).
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.standins.common import (
    Changes,
    Fault,
    FaultPlan,
    LocalServer,
    SlidingWindow,
    StandInError,
    drop_connection,
)
from bot.standins.telegram_methods import CANONICAL, METHODS, Args, BotApiError
from bot.standins.telegram_objects import (
    CallbackAnswer,
    CallbackQuery,
    Chat,
    ChatMessage,
    TelegramUser,
    WebhookDelivery,
)
from bot.standins.telegram_updates import Updates
from bot.standins.telegram_users import UserActions

DEFAULT_TOKEN = "123456789:STANDIN-telegram-token"
_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: injected failure",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class ApiRequest:
    """One method call the bot made, with its parameters as received and the answer's status."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None = None
    via_webhook_reply: bool = False


class TelegramBotAPI(UserActions):
    """The Bot API of one bot token, on a free local port while used as ``async with``."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "feedbackbot_standin_bot",
        first_name: str = "Feedback",
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like <digits>:<secret>, as Telegram issues them")
        self.token = token
        self.bot_user = TelegramUser(
            int(bot_id), first_name, username=username, language_code=None, is_bot=True
        )
        self.clock = clock
        self.changes = Changes()
        self.updates = Updates(self.changes, self._execute_reply, self.unix_time)
        self.chats: dict[int, Chat] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.requests: list[ApiRequest] = []
        self.calls: Counter[str] = Counter()
        """Calls per method name (canonical case), including refused ones."""
        self.too_many_requests: Counter[str] = Counter()
        """429 answers per method, from rate limits and injected ones alike."""
        self.faults = FaultPlan()
        self.rate_limited_methods = frozenset({"sendMessage"})
        self._global_limit: SlidingWindow | None = None
        self._chat_limit: SlidingWindow | None = None
        self._user_ids = itertools.count(700_000_001)
        self._query_ids = itertools.count(4_000_000_000_001)
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._server = LocalServer(app, host)

    async def __aenter__(self) -> Self:
        await self._server.start()
        await self.updates.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.updates.stop()
        await self._server.stop()

    @property
    def base_url(self) -> str:
        """For ``TELEGRAM_API_URL`` and ``TelegramAPIServer.from_base(base_url)``."""
        return self._server.root

    def unix_time(self) -> int:
        return int(time.time())

    # ---- the HTTP side -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(BotApiError(401, "Unauthorized").body(), status=401)
        name = CANONICAL.get(request.match_info["method"].lower())
        if name is None:
            return web.json_response(BotApiError(404, "Not Found").body(), status=404)
        try:
            params = await _read_params(request)
        except BotApiError as error:
            return web.json_response(error.body(), status=error.status)
        fault = self.faults.take(name)
        if fault is not None and fault.disconnect:
            self.calls[name] += 1
            self.requests.append(ApiRequest(name, params, 0, "connection dropped"))
            return await drop_connection(request)
        status, body = await self._call(name, params, fault)
        return web.json_response(body, status=status)

    async def _call(
        self, name: str, params: dict[str, Any], fault: Fault | None, via_reply: bool = False
    ) -> tuple[int, dict[str, Any]]:
        self.calls[name] += 1
        try:
            if fault is not None:
                raise _fault_error(fault)
            limited = name in self.rate_limited_methods and "chat_id" in params
            if limited:
                self._check_rate(params["chat_id"])
            result = await METHODS[name](self, Args(params))
            if limited:
                self._record_rate(params["chat_id"])
            status, body = 200, {"ok": True, "result": result}
        except BotApiError as error:
            if error.status == 429:
                self.too_many_requests[name] += 1
            status, body = error.status, error.body()
        self.requests.append(ApiRequest(name, params, status, body.get("description"), via_reply))
        await self.changes.notify()
        return status, body

    async def _execute_reply(self, method: str, params: dict[str, Any]) -> Any:
        name = CANONICAL.get(method.lower())
        if name is None:
            raise BotApiError(404, "Not Found")
        await self._call(name, params, self.faults.take(name), via_reply=True)

    def _check_rate(self, chat_id: Any) -> None:
        waits = [
            window.wait_needed(key)
            for window, key in ((self._global_limit, "bot"), (self._chat_limit, str(chat_id)))
            if window is not None
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            raise BotApiError(429, f"Too Many Requests: retry after {seconds}", seconds)

    def _record_rate(self, chat_id: Any) -> None:
        if self._global_limit is not None:
            self._global_limit.record("bot")
        if self._chat_limit is not None:
            self._chat_limit.record(str(chat_id))

    def known_chat(self, chat_id: int | str) -> Chat:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        return chat

    def writable_chat(self, chat_id: int | str) -> Chat:
        """The chat, if the bot may write there (403 when blocked or never started)."""
        chat = self.known_chat(chat_id)
        if chat.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.started:
            raise BotApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    # ---- test controls: platform behaviour ----------------------------------------------

    def enable_rate_limits(
        self, per_second: float | None = 30, per_chat_per_second: float | None = 1
    ) -> None:
        """Answer 429 with ``retry_after`` above these rates (sendMessage; None = no limit)."""
        self._global_limit = (
            SlidingWindow(per_second, 1.0, self.clock) if per_second is not None else None
        )
        self._chat_limit = (
            SlidingWindow(per_chat_per_second, 1.0, self.clock)
            if per_chat_per_second is not None
            else None
        )

    def disable_rate_limits(self) -> None:
        self._global_limit = self._chat_limit = None

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        disconnect: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` fail: with ``status`` and the Bot API's text
        for it (429 carries ``retry_after``, default 1), or, with ``disconnect``, by dropping
        the connection (aiogram raises ``TelegramNetworkError``)."""
        name = CANONICAL.get(method.lower())
        if name is None:
            raise StandInError(f"the stand-in has no method {method!r}")
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or _DESCRIPTIONS.get(status, f"Error {status}")
        self.faults.add(name, Fault(status, description, retry_after, disconnect), times)

    def start_outage(self, *methods: str, status: int = 502) -> None:
        """Every call of ``methods`` fails with ``status`` (the Bot API's text for it) until
        ``end_outage``: Telegram's front end answering 502 Bad Gateway for a while."""
        for method in methods:
            name = CANONICAL.get(method.lower())
            if name is None:
                raise StandInError(f"the stand-in has no method {method!r}")
            description = _DESCRIPTIONS.get(status, f"Error {status}")
            self.faults.start_outage(name, Fault(status, description))

    def end_outage(self, *methods: str) -> None:
        for method in methods:
            self.faults.end_outage(CANONICAL.get(method.lower(), method))

    @property
    def unanswered_queries(self) -> list[CallbackQuery]:
        """Button presses the bot never answered (the user would still see a spinner)."""
        return [q for q in self.callback_queries.values() if q.answer is None]

    @property
    def webhook_url(self) -> str:
        return self.updates.webhook_url

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        return self.updates.deliveries

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """What setMyCommands registered for this scope (default) and language ("" = all)."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.commands.get((key, language_code), [])

    # ---- test controls: waiting ---------------------------------------------------------

    async def wait_until(
        self, predicate: Callable[[], bool], what: str, within: float = 5.0
    ) -> None:
        await self.changes.wait_for(predicate, within, what)

    async def wait_for_messages(
        self, user: TelegramUser | int, count: int, within: float = 5.0
    ) -> list[ChatMessage]:
        """Returns the bot's messages in the chat once there are at least ``count``."""
        chat = self.chat(user)
        await self.wait_until(
            lambda: len(chat.bot_messages) >= count,
            f"{count} bot message(s) in chat {chat.id} (has {len(chat.bot_messages)})",
            within,
        )
        return chat.bot_messages

    async def wait_for_answer(self, query: CallbackQuery, within: float = 5.0) -> CallbackAnswer:
        """Returns the bot's answerCallbackQuery for the press."""
        await self.wait_until(
            lambda: query.answer is not None, f"an answer to callback {query.data!r}", within
        )
        assert query.answer is not None
        return query.answer

    async def wait_for_edit(
        self, message: ChatMessage, edits: int = 1, within: float = 5.0
    ) -> ChatMessage:
        await self.wait_until(
            lambda: len(message.edits) >= edits,
            f"{edits} edit(s) of message {message.message_id}",
            within,
        )
        return message

    async def wait_for_updates_consumed(self, within: float = 5.0) -> None:
        """Until the bot confirmed every update (getUpdates offset or webhook 2xx)."""
        await self.wait_until(
            lambda: not self.updates.pending,
            f"the bot to take {len(self.updates.pending)} pending update(s)",
            within,
        )


def _fault_error(fault: Fault) -> BotApiError:
    return BotApiError(fault.status, fault.error or f"Error {fault.status}", fault.retry_after)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string, then the body: JSON, urlencoded or multipart (files as ``FileField``)."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise BotApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise BotApiError(400, "Bad Request: can't parse JSON object")
        params.update(body)
    else:
        form = await request.post()
        params.update(form)
    return params
