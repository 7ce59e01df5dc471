"""The Socket Mode side of the Slack stand-in: a websocket the app connects out to.

As on Slack: ``apps.connections.open`` (called with the app-level ``xapp-`` token) answers a
``wss://`` URL, here ``ws://`` on the stand-in itself; on connecting, the app gets a ``hello``;
every event, interaction and slash command is then sent down the socket as an envelope
(``events_api``, ``interactive``, ``slash_commands``) instead of a signed POST, and the app
acknowledges each one by sending back its ``envelope_id`` (with a ``payload`` where Slack
takes one, e.g. a modal's ``response_action``). ``disconnect()`` sends Slack's ``disconnect``
message (``refresh_requested``) and closes, so a test can check that the app reconnects.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import WSMsgType, web

from bot.standins.common import Changes, StandInError
from bot.standins.slack_objects import AppResponse

WS_PATH = "/link/"
ACK_SECONDS = 3.0
"""Slack redelivers an envelope not acknowledged within 3 seconds; the stand-in reports it."""


@dataclass
class Envelope:
    """One delivery down the socket and what the app acknowledged."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    acked: asyncio.Future[dict[str, Any]] = field(repr=False)


class SocketModeLink:
    """The websocket endpoint, the open connections and every envelope sent over them."""

    def __init__(self, app_id: str, changes: Changes) -> None:
        self.app_id = app_id
        self.changes = changes
        self.root = ""
        self.connections: list[web.WebSocketResponse] = []
        self.envelopes: list[Envelope] = []
        self.opened = 0
        """How many connections were accepted, reconnections included."""
        self._tickets: set[str] = set()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(WS_PATH, self._serve)

    @property
    def connected(self) -> bool:
        return any(not ws.closed for ws in self.connections)

    def new_url(self) -> str:
        """A URL for apps.connections.open: ``ws://<stand-in>/link/?ticket=...``."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return f"{self.root.replace('http://', 'ws://', 1)}{WS_PATH}?ticket={ticket}"

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections.append(ws)
        self.opened += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": sum(not c.closed for c in self.connections),
                "debug_info": {"host": "standin", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        await self.changes.notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._ack(json.loads(message.data))
        finally:
            await self.changes.notify()
        return ws

    def _ack(self, data: dict[str, Any]) -> None:
        wanted = data.get("envelope_id")
        for envelope in self.envelopes:
            if envelope.envelope_id == wanted and not envelope.acked.done():
                envelope.acked.set_result(data)

    async def wait_connected(self, within: float = 5.0) -> None:
        await self.changes.wait_for(lambda: self.connected, within, "a Socket Mode connection")

    async def deliver(self, body: bytes, content_type: str, headers: dict[str, str]) -> AppResponse:
        """Send what would have been POSTed to the Request URL as an envelope; the app's ack
        comes back as the response (an ack without payload is an empty 200)."""
        await self.wait_connected()
        kind, payload = _envelope_content(body, content_type)
        envelope = Envelope(
            uuid.uuid4().hex, kind, payload, asyncio.get_running_loop().create_future()
        )
        self.envelopes.append(envelope)
        retry = int(headers.get("X-Slack-Retry-Num", "0"))
        ws = next(ws for ws in reversed(self.connections) if not ws.closed)
        await ws.send_json(
            {
                "envelope_id": envelope.envelope_id,
                "type": kind,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry,
                "retry_reason": headers.get("X-Slack-Retry-Reason", ""),
                "payload": payload,
            }
        )
        try:
            ack = await asyncio.wait_for(asyncio.shield(envelope.acked), ACK_SECONDS)
        except TimeoutError:
            return AppResponse(0, "", {"X-Standin": "no ack within 3 s"})
        answer = ack.get("payload")
        return AppResponse(200, json.dumps(answer) if answer else "", {})

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack asks the app to reconnect, then closes every connection."""
        for ws in self.connections:
            if not ws.closed:
                await ws.send_json({"type": "disconnect", "reason": reason})
                await ws.close()
        await self.changes.notify()

    async def close(self) -> None:
        for ws in self.connections:
            if not ws.closed:
                await ws.close()


def _envelope_content(body: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    if content_type.startswith("application/json"):
        return "events_api", json.loads(body)
    form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
    if "payload" in form:
        return "interactive", json.loads(form["payload"])
    if "command" in form:
        return "slash_commands", form
    raise StandInError("nothing Socket Mode could deliver")
