"""What the Slack stand-in remembers: users, channels, messages, views, files, calls.

Tests read these records: ``slack.messages_in(channel)[-1].buttons`` lists a message's buttons,
``message.edits`` its earlier versions, ``slack.files[0].content`` an uploaded file's bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.standins.common import StandInError


@dataclass
class SlackUser:
    """A workspace member; ``dm`` is the id of their direct-message channel with the app."""

    id: str
    name: str
    real_name: str
    dm: str
    team_id: str
    tz: str = "UTC"
    tz_offset: int = 0
    locale: str = "en-US"
    email: str | None = None
    is_admin: bool = False

    def as_json(self, include_locale: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": False,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": self.tz_offset,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "email": self.email,
                "team": self.team_id,
            },
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": False,
            "is_app_user": False,
            "updated": 1700000000,
        }
        if include_locale:
            data["locale"] = self.locale
        return data

    def payload_json(self) -> dict[str, Any]:
        """The ``user`` object of interaction payloads."""
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": self.team_id}


@dataclass
class Channel:
    """A public channel (``C…``) or a DM with one user (``D…``, ``user`` set)."""

    id: str
    name: str
    user: SlackUser | None = None

    @property
    def is_im(self) -> bool:
        return self.user is not None


@dataclass
class MessageVersion:
    text: str
    blocks: list[dict[str, Any]]


@dataclass
class SlackMessage:
    """A message in a channel, by the app (``user`` is the bot user id) or a person."""

    channel: str
    ts: str
    text: str
    user: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    files: list[SlackFile] = field(default_factory=list)
    edits: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    """What the app sent (chat.postMessage's arguments as received)."""

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every button element in the blocks, with its ``block_id`` added."""
        return find_buttons(self.blocks)

    @property
    def button_texts(self) -> list[str]:
        return [b["text"]["text"] for b in self.buttons]

    def as_json(self, team_id: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "message",
            "text": self.text,
            "user": self.user,
            "ts": self.ts,
            "team": team_id,
        }
        if self.bot_id is not None:
            data["bot_id"] = self.bot_id
        if self.app_id is not None:
            data["app_id"] = self.app_id
        if self.blocks:
            data["blocks"] = self.blocks
        if self.thread_ts is not None:
            data["thread_ts"] = self.thread_ts
        if self.files:
            data["files"] = [f.as_json() for f in self.files]
        return data


@dataclass
class EphemeralMessage:
    """chat.postEphemeral or an ephemeral ``respond()``: seen by ``user`` only."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SlackView:
    """A modal or App Home view the app opened/published; ``state`` holds submitted values."""

    id: str
    user: str
    view: dict[str, Any]
    hash: str
    open: bool = True
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def type(self) -> str:
        return str(self.view.get("type"))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.view.get("blocks") or [])

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return find_buttons(self.blocks)

    def as_json(self, team_id: str, app_id: str, bot_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": team_id,
            "type": self.view.get("type"),
            "blocks": self.blocks,
            "private_metadata": self.view.get("private_metadata", ""),
            "callback_id": self.view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self.hash,
            "title": self.view.get("title"),
            "clear_on_close": bool(self.view.get("clear_on_close", False)),
            "notify_on_close": bool(self.view.get("notify_on_close", False)),
            "close": self.view.get("close"),
            "submit": self.view.get("submit"),
            "previous_view_id": None,
            "root_view_id": self.id,
            "app_id": app_id,
            "external_id": self.view.get("external_id", ""),
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        }


@dataclass
class SlackFile:
    """A file uploaded through files.getUploadURLExternal + completeUploadExternal."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    content: bytes | None = None
    title: str | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": _mimetype(self.filename),
            "filetype": self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else "",
            "size": len(self.content or b""),
            "channels": [c for c in self.channels if c.startswith("C")],
            "ims": [c for c in self.channels if c.startswith("D")],
            "groups": [],
        }


@dataclass
class SlackCall:
    """One Web API call the app made: the method, its arguments as received, the answer."""

    method: str
    args: dict[str, Any]
    status: int
    error: str | None = None


@dataclass
class AppResponse:
    """How the app answered a request the stand-in sent as a user (its ack)."""

    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


def find_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        elements = list(block.get("elements") or [])
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("type") == "button":
                found.append(element | {"block_id": block.get("block_id")})
    return found


def pick_button(
    buttons: list[dict[str, Any]], text: str | None, action_id: str | None, where: str
) -> dict[str, Any]:
    """The one button with this label and/or action_id; ``StandInError`` listing them all."""
    if text is None and action_id is None:
        raise StandInError("name the button by text= or action_id=")
    matches = [
        b
        for b in buttons
        if (text is None or b.get("text", {}).get("text") == text)
        and (action_id is None or b.get("action_id") == action_id)
    ]
    if len(matches) != 1:
        known = [(b.get("text", {}).get("text"), b.get("action_id")) for b in buttons]
        problem = "no button" if not matches else f"{len(matches)} buttons"
        raise StandInError(
            f"{problem} with text={text!r} action_id={action_id!r} in {where}; "
            f"its buttons (text, action_id) are {known}"
        )
    return matches[0]


def _mimetype(filename: str) -> str:
    kinds = {"png": "image/png", "jpg": "image/jpeg", "csv": "text/csv", "pdf": "application/pdf"}
    suffix = filename.rsplit(".", 1)[-1].lower()
    return kinds.get(suffix, "application/octet-stream")
