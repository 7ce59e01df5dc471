"""What the Telegram stand-in remembers (users, chats, messages, callback queries) and how it
renders them as Bot API JSON objects.

Tests read these records: ``chat.bot_messages[-1].buttons`` is the inline keyboard's labels row
by row, ``message.edits`` the earlier versions, ``query.answer`` the bot's answerCallbackQuery.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.standins.common import StandInError

_TAG = re.compile(r"<[^>]*>")


@dataclass
class TelegramUser:
    """A Telegram account; its private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data

    def chat_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        return data


@dataclass
class MessageVersion:
    """An earlier state of an edited message."""

    text: str
    reply_markup: dict[str, Any] | None
    edit_date: int | None


@dataclass
class ChatMessage:
    """A message in a private chat, sent by the bot (``from_bot``) or by the user."""

    chat: Chat
    message_id: int
    from_bot: bool
    text: str
    date: int
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    entities: list[dict[str, Any]] | None = None
    reply_to: ChatMessage | None = None
    edit_date: int | None = None
    edits: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    """What the bot sent (sendMessage's parameters as received)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Other Message fields of a user's message (``sticker``, ...)."""

    @property
    def plain_text(self) -> str:
        """The text as the user reads it (HTML markup removed when sent with parse_mode=HTML)."""
        if (self.parse_mode or "").lower() == "html":
            return html.unescape(_TAG.sub("", self.text))
        return self.text

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def buttons(self) -> list[list[str]]:
        """The inline buttons' labels, row by row (``[]`` when the message has none)."""
        return [[button.get("text", "") for button in row] for row in self.inline_keyboard]

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def button(self, label: str) -> dict[str, Any]:
        """The inline button with this exact label; ``StandInError`` naming the labels there."""
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == label:
                    return dict(button)
        raise StandInError(
            f"message {self.message_id} in chat {self.chat.id} has no button {label!r}; "
            f"its buttons are {self.labels}"
        )

    def as_json(self, bot: TelegramUser) -> dict[str, Any]:
        sender = bot if self.from_bot else self.chat.user
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": sender.as_json(),
            "chat": self.chat.user.chat_json(),
            "date": self.date,
        }
        if self.text:
            data["text"] = self.plain_text
        data.update(self.extra)
        if self.entities:
            data["entities"] = self.entities
        if self.reply_to is not None:
            data["reply_to_message"] = self.reply_to.as_json(bot)
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data


@dataclass
class Chat:
    """A user's private chat with the bot. ``started`` once the user wrote to the bot (before
    that Telegram refuses to let the bot write first); ``blocked`` after ``block(user)``."""

    user: TelegramUser
    started: bool = True
    blocked: bool = False
    messages: list[ChatMessage] = field(default_factory=list)
    _next_message_id: int = 1

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def bot_messages(self) -> list[ChatMessage]:
        """What the bot sent here, oldest first, deleted ones left out."""
        return [m for m in self.messages if m.from_bot and not m.deleted]

    @property
    def user_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages if not m.from_bot]

    def new_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def find(self, message_id: int) -> ChatMessage | None:
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None


@dataclass
class CallbackAnswer:
    """The bot's answerCallbackQuery for one button press."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass
class CallbackQuery:
    """One button press by a user, as delivered to the bot."""

    id: str
    user: TelegramUser
    message: ChatMessage
    data: str
    answer: CallbackAnswer | None = None

    def as_json(self, bot: TelegramUser) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.user.as_json(),
            "message": self.message.as_json(bot),
            "chat_instance": str(-(self.message.chat.id * 7919 % 10**18)),
            "data": self.data,
        }


@dataclass
class WebhookDelivery:
    """One POST of an update to the bot's webhook and how the bot answered it."""

    update_id: int
    status: int | None
    error: str | None = None


def command_entities(text: str) -> list[dict[str, Any]] | None:
    """A ``bot_command`` entity when the text starts with ``/command``, as Telegram marks it."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?", text)
    if match is None:
        return None
    length = len(match.group(0).encode("utf-16-le")) // 2
    return [{"type": "bot_command", "offset": 0, "length": length}]
