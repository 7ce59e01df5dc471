"""The state of the stand-in's Slack workspace: people, channels, messages, views, files.

``SlackWebAPI`` is a ``SlackWorkspace`` with a server in front; the Web API methods and the
user actions read and change this state, and tests read it (``messages_in``, ``open_modals``).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.standins.common import StandInError
from bot.standins.slack_methods import SlackError
from bot.standins.slack_objects import (
    AppResponse,
    Channel,
    EphemeralMessage,
    MessageVersion,
    SlackFile,
    SlackMessage,
    SlackUser,
    SlackView,
)


@dataclass
class ResponseUrlPost:
    """What the app POSTed to a ``response_url`` (bolt's ``respond()``)."""

    url: str
    body: dict[str, Any]


@dataclass
class _ResponseTarget:
    message: SlackMessage | None
    channel: str
    user: str | None


class SlackWorkspace:
    """One workspace with one installed app (its bot user ``bot_user_id``)."""

    def __init__(
        self,
        *,
        team_id: str,
        team_domain: str,
        team_name: str,
        app_id: str,
        bot_user_id: str,
        bot_id: str,
        bot_name: str,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        trigger_ttl: float,
    ) -> None:
        self.team_id, self.team_domain, self.team_name = team_id, team_domain, team_name
        self.app_id, self.bot_user_id, self.bot_id = app_id, bot_user_id, bot_id
        self.bot_name = bot_name
        self.clock = clock
        self.wall_clock = wall_clock
        self.trigger_ttl = trigger_ttl
        self.users: dict[str, SlackUser] = {}
        self.channels: dict[str, Channel] = {}
        self.opened_dms: set[str] = set()
        self.messages: list[SlackMessage] = []
        self.ephemerals: list[EphemeralMessage] = []
        self.views: dict[str, SlackView] = {}
        self.homes: dict[str, SlackView] = {}
        self.files: dict[str, SlackFile] = {}
        self.responses: list[ResponseUrlPost] = []
        self._triggers: dict[str, tuple[SlackUser, float, bool]] = {}
        self._response_targets: dict[str, _ResponseTarget] = {}
        self._ids = itertools.count(1)
        self._ts_seq = itertools.count(1)

    @property
    def root(self) -> str:
        """Where the workspace's own URLs (uploads, response_url) point; set by the server."""
        raise NotImplementedError

    def new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):09d}"

    def next_ts(self) -> str:
        return f"{int(self.wall_clock())}.{next(self._ts_seq):06d}"

    def user(self, user_id: str) -> SlackUser:
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def channel(self, value: str) -> Channel:
        """A channel by id, by ``#name``/name, or a user id meaning that user's DM."""
        if value in self.channels:
            return self.channels[value]
        if value in self.users:
            return self.channels[self.users[value].dm]
        name = value.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        raise SlackError("channel_not_found")

    def find_message(self, channel: str, ts: str) -> SlackMessage | None:
        for message in self.messages:
            if message.channel == channel and message.ts == ts and not message.deleted:
                return message
        return None

    def issue_trigger(self, user: SlackUser) -> str:
        trigger = f"{next(self._ids)}.{self.team_id[1:]}.{secrets.token_hex(16)}"
        self._triggers[trigger] = (user, self.clock(), False)
        return trigger

    def use_trigger(self, trigger_id: str) -> SlackUser:
        """A trigger opens one view, within ``trigger_ttl`` seconds of the interaction."""
        found = self._triggers.get(trigger_id)
        if found is None:
            raise SlackError("invalid_trigger_id")
        user, issued, used = found
        if used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - issued > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        self._triggers[trigger_id] = (user, issued, True)
        return user

    def add_view(self, user: SlackUser, content: dict[str, Any]) -> SlackView:
        view = SlackView(self.new_id("V"), user.id, dict(content), secrets.token_hex(8))
        self.views[view.id] = view
        return view

    def replace_view(self, view: SlackView, content: dict[str, Any]) -> None:
        view.versions.append(view.view)
        view.view = dict(content)
        view.hash = secrets.token_hex(8)

    def new_response_url(
        self, message: SlackMessage | None, *, channel: str | None = None, user: str | None = None
    ) -> str:
        key = secrets.token_hex(12)
        target_channel = message.channel if message is not None else channel or ""
        self._response_targets[key] = _ResponseTarget(message, target_channel, user)
        return f"{self.root}/response/{key}"

    def apply_view_response(self, view: SlackView, user: SlackUser, response: AppResponse) -> None:
        """Closes, updates or pushes views as the app's view_submission ack says."""
        try:
            answer = response.json() or {}
        except ValueError:
            answer = {}
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if action == "errors":
            return
        if action == "update":
            self.replace_view(view, answer["view"])
        elif action == "push":
            self.add_view(user, answer["view"])
        elif action == "clear":
            for other in self.views.values():
                if other.user == user.id and other.type == "modal":
                    other.open = False
        else:
            view.open = False

    def _apply_response(self, target: _ResponseTarget, body: dict[str, Any]) -> None:
        text, blocks = str(body.get("text") or ""), list(body.get("blocks") or [])
        message = target.message
        if message is not None and body.get("delete_original"):
            message.deleted = True
        elif message is not None and body.get("replace_original"):
            message.edits.append(MessageVersion(message.text, message.blocks))
            message.text, message.blocks = text, blocks
        elif body.get("response_type") == "in_channel":
            self.messages.append(
                SlackMessage(target.channel, self.next_ts(), text, self.bot_user_id, blocks)
            )
        elif target.user is not None:
            self.ephemerals.append(
                EphemeralMessage(target.channel, target.user, self.next_ts(), text, blocks)
            )

    def create_user(
        self,
        name: str = "ann",
        *,
        real_name: str | None = None,
        tz: str = "UTC",
        tz_offset: int = 0,
        locale: str = "en-US",
        email: str | None = None,
        is_admin: bool = False,
    ) -> SlackUser:
        """A workspace member with a DM channel (``user.dm``) to the app."""
        user_id = self.new_id("U")
        user = SlackUser(
            user_id,
            name,
            real_name or name.title(),
            dm=f"D{user_id[1:]}",
            team_id=self.team_id,
            tz=tz,
            tz_offset=tz_offset,
            locale=locale,
            email=email,
            is_admin=is_admin,
        )
        self.users[user.id] = user
        self.channels[user.dm] = Channel(user.dm, user.dm, user)
        return user

    def create_channel(self, name: str) -> Channel:
        channel = Channel(self.new_id("C"), name.removeprefix("#"))
        self.channels[channel.id] = channel
        return channel

    def messages_in(self, where: SlackUser | Channel | str) -> list[SlackMessage]:
        """Messages in a channel (a user means their DM), oldest first, deleted left out."""
        channel = self._where(where)
        return [m for m in self.messages if m.channel == channel and not m.deleted]

    def app_messages_in(self, where: SlackUser | Channel | str) -> list[SlackMessage]:
        return [m for m in self.messages_in(where) if m.user == self.bot_user_id]

    def ephemerals_for(self, user: SlackUser) -> list[EphemeralMessage]:
        return [e for e in self.ephemerals if e.user == user.id]

    def open_modals(self, user: SlackUser) -> list[SlackView]:
        return [
            v for v in self.views.values() if v.user == user.id and v.type == "modal" and v.open
        ]

    def _where(self, where: SlackUser | Channel | str) -> str:
        if isinstance(where, SlackUser):
            return where.dm
        if isinstance(where, Channel):
            return where.id
        try:
            return self.channel(where).id
        except SlackError:
            raise StandInError(f"no channel {where!r} in the stand-in") from None
