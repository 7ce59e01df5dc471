"""The Slack stand-in acting as people in the workspace: signed requests to the app.

Slack sends the app's ``/slack/events`` URL interaction payloads (``payload=<json>`` form
bodies), slash-command form bodies and Events API JSON, each signed with the app's signing
secret: ``X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")`` and
``X-Slack-Request-Timestamp``. Every action here builds the real shape, signs it (or signs it
wrongly: ``wrong_signature=True``; or too long ago: ``stale=True``), POSTs it to
``events_url`` and returns the app's answer (its ack) as an ``AppResponse``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import aiohttp

from bot.standins.common import StandInError
from bot.standins.slack_objects import (
    AppResponse,
    SlackMessage,
    SlackUser,
    SlackView,
    pick_button,
)

if TYPE_CHECKING:
    from bot.standins.slack import SlackWebAPI

STALE_SECONDS = 6 * 60
_TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
_SINGLE_CHOICE = {"static_select", "radio_buttons", "external_select"}
_MULTI_CHOICE = {"checkboxes", "multi_static_select"}
_PICKED = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
}


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Slack's request signature for ``body`` sent at ``timestamp`` (Unix seconds)."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class UserActions:
    """Mixed into ``SlackWebAPI``: what people do in Slack that reaches the app."""

    events_url: str | None
    signing_secret: str
    verification_token: str
    wall_clock: Callable[[], float]
    team_id: str
    team_domain: str
    app_id: str
    bot_user_id: str

    async def send_signed(
        self,
        body: bytes,
        content_type: str,
        *,
        wrong_signature: bool = False,
        stale: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> AppResponse:
        """POSTs ``body`` to the app as Slack would; the options break the signature. While the
        app is connected in Socket Mode, the body goes down the websocket instead."""
        socket = self._api().socket
        if socket.connected:
            return await socket.deliver(body, content_type, dict(headers or {}))
        if not self.events_url:
            raise StandInError("set slack.events_url to the app's /slack/events URL first")
        timestamp = int(self.wall_clock()) - (STALE_SECONDS if stale else 0)
        secret = "not-the-signing-secret" if wrong_signature else self.signing_secret
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature(secret, timestamp, body),
            **(headers or {}),
        }
        async with (
            aiohttp.ClientSession() as client,
            client.post(self.events_url, data=body, headers=sent) as response,
        ):
            return AppResponse(response.status, await response.text(), dict(response.headers))

    async def _send_payload(self, payload: dict[str, Any], **signing: Any) -> AppResponse:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.send_signed(body, "application/x-www-form-urlencoded", **signing)

    async def press_button(
        self,
        user: SlackUser,
        target: SlackMessage | SlackView,
        *,
        text: str | None = None,
        action_id: str | None = None,
        wrong_signature: bool = False,
        stale: bool = False,
    ) -> AppResponse:
        """``user`` clicks a button (by label and/or action_id) in a message or a view: a
        ``block_actions`` payload with ``trigger_id`` and, for messages, ``response_url``."""
        api = self._api()
        payload = self._interaction("block_actions", user)
        if isinstance(target, SlackMessage):
            current = api.find_message(target.channel, target.ts)
            if current is None:
                raise StandInError(f"message {target.ts} in {target.channel} is gone")
            button = pick_button(current.buttons, text, action_id, f"message {current.ts}")
            payload |= {
                "container": {
                    "type": "message",
                    "message_ts": current.ts,
                    "channel_id": current.channel,
                    "is_ephemeral": False,
                },
                "channel": {"id": current.channel, "name": api.channel(current.channel).name},
                "message": current.as_json(self.team_id),
                "state": {"values": {}},
                "response_url": api.new_response_url(current, user=user.id),
            }
        else:
            button = pick_button(target.buttons, text, action_id, f"view {target.id}")
            payload |= {
                "container": {"type": "view", "view_id": target.id},
                "view": self._view_json(target, {}),
            }
        element = {k: v for k, v in button.items() if k != "block_id"}
        payload["actions"] = [
            element
            | {"block_id": button.get("block_id"), "action_ts": api.next_ts(), "type": "button"}
        ]
        return await self._send_payload(payload, wrong_signature=wrong_signature, stale=stale)

    async def submit_view(
        self,
        user: SlackUser,
        view: SlackView,
        values: Mapping[str, Any] | None = None,
        *,
        wrong_signature: bool = False,
        stale: bool = False,
    ) -> AppResponse:
        """``user`` fills the modal's inputs (keyed by block_id or action_id; option texts or
        values for selects) and presses Submit. The modal closes, updates or stays open as the
        app's ``response_action`` says."""
        api = self._api()
        if not view.open:
            raise StandInError(f"view {view.id} is not open")
        state = _input_state(view, dict(values or {}))
        payload = self._interaction("view_submission", user)
        payload |= {"view": self._view_json(view, state), "response_urls": []}
        response = await self._send_payload(payload, wrong_signature=wrong_signature, stale=stale)
        if response.status == 200:
            api.apply_view_response(view, user, response)
        return response

    async def slash_command(
        self,
        user: SlackUser,
        command: str,
        text: str = "",
        *,
        channel: str | None = None,
        wrong_signature: bool = False,
        stale: bool = False,
    ) -> AppResponse:
        """``user`` types ``/command text`` (in their DM with the app unless ``channel``)."""
        api = self._api()
        where = api.channel(channel or user.dm)
        form = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": where.id,
            "channel_name": "directmessage" if where.is_im else where.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": api.new_response_url(None, channel=where.id, user=user.id),
            "trigger_id": api.issue_trigger(user),
        }
        body = urlencode(form).encode()
        return await self.send_signed(
            body,
            "application/x-www-form-urlencoded",
            wrong_signature=wrong_signature,
            stale=stale,
        )

    async def open_app_home(self, user: SlackUser, **signing: Any) -> AppResponse:
        """``user`` opens the app's Home tab: an ``app_home_opened`` event."""
        api = self._api()
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user.id,
            "channel": user.dm,
            "tab": "home",
            "event_ts": api.next_ts(),
        }
        home = api.homes.get(user.id)
        if home is not None:
            event["view"] = self._view_json(home, {})
        return await self.send_event(event, **signing)

    async def send_dm(
        self, user: SlackUser, text: str, *, thread_ts: str | None = None, **signing: Any
    ) -> tuple[SlackMessage, AppResponse]:
        """``user`` writes in their DM with the app (in a thread when ``thread_ts``): the
        message is recorded and a ``message`` event (channel_type ``im``) is sent."""
        api = self._api()
        message = SlackMessage(user.dm, api.next_ts(), text, user.id, thread_ts=thread_ts)
        api.messages.append(message)
        event: dict[str, Any] = {
            "client_msg_id": str(uuid.uuid4()),
            "type": "message",
            "text": text,
            "user": user.id,
            "ts": message.ts,
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": uuid.uuid4().hex[:5],
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                    ],
                }
            ],
            "team": self.team_id,
            "channel": user.dm,
            "event_ts": message.ts,
            "channel_type": "im",
        }
        if thread_ts is not None:
            parent = api.find_message(user.dm, thread_ts)
            event |= {"thread_ts": thread_ts, "parent_user_id": parent.user if parent else None}
        await api.changes.notify()
        return message, await self.send_event(event, **signing)

    async def send_event(
        self,
        event: Mapping[str, Any],
        *,
        retry_num: int | None = None,
        wrong_signature: bool = False,
        stale: bool = False,
    ) -> AppResponse:
        """Any Events API event wrapped in ``event_callback``; ``retry_num`` marks a redelivery
        (``X-Slack-Retry-Num``)."""
        api = self._api()
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": api.new_id("Ev"),
            "event_time": int(self.wall_clock()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "timeout"}
        return await self.send_signed(
            json.dumps(envelope).encode(),
            "application/json",
            wrong_signature=wrong_signature,
            stale=stale,
            headers=headers,
        )

    def _api(self) -> SlackWebAPI:
        return cast("SlackWebAPI", self)

    def _interaction(self, kind: str, user: SlackUser) -> dict[str, Any]:
        return {
            "type": kind,
            "user": user.payload_json(),
            "api_app_id": self.app_id,
            "token": self.verification_token,
            "trigger_id": self._api().issue_trigger(user),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _view_json(self, view: SlackView, state: dict[str, Any]) -> dict[str, Any]:
        api = self._api()
        data = view.as_json(self.team_id, self.app_id, api.bot_id)
        data["state"] = {"values": state}
        return data


def _input_state(view: SlackView, values: dict[str, Any]) -> dict[str, Any]:
    """``view.state.values`` for the inputs, checking that required ones are filled."""
    state: dict[str, Any] = {}
    for block in view.blocks:
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, action_id = block.get("block_id"), element.get("action_id")
        if not isinstance(block_id, str):
            raise StandInError(f"an input block of view {view.id} has no block_id")
        key = block_id if block_id in values else action_id
        value = values.pop(key, None) if key is not None else None
        if value is None and not block.get("optional"):
            label = block.get("label", {}).get("text")
            raise StandInError(f"input {label!r} ({block_id}) is required: Slack won't submit")
        state[block_id] = {action_id: _element_value(element, value)}
    if values:
        raise StandInError(f"view {view.id} has no inputs named {sorted(values)}")
    return state


def _element_value(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in _TEXT_INPUTS:
        return {"type": kind, "value": None if value is None else str(value)}
    if kind in _SINGLE_CHOICE:
        option = None if value is None else _option(element, value)
        return {"type": kind, "selected_option": option}
    if kind in _MULTI_CHOICE:
        chosen = [] if value is None else [_option(element, v) for v in value]
        return {"type": kind, "selected_options": chosen}
    if kind in _PICKED:
        return {"type": kind, _PICKED[kind]: value}
    return {"type": kind, "value": value}


def _option(element: dict[str, Any], wanted: Any) -> dict[str, Any]:
    for option in element.get("options") or []:
        if wanted in (option.get("value"), option.get("text", {}).get("text")):
            return dict(option)
    texts = [o.get("text", {}).get("text") for o in element.get("options") or []]
    raise StandInError(f"no option {wanted!r} in {element.get('action_id')}: {texts}")
