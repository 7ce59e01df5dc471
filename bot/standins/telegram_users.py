"""The Telegram stand-in acting as people: users who write to the bot and tap its buttons.

Mixed into ``TelegramBotAPI``. Each action records the user's message (or button press) in
their chat and queues the update the Bot API would produce, for getUpdates or the webhook.
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.standins.common import StandInError
from bot.standins.telegram_objects import (
    CallbackQuery,
    Chat,
    ChatMessage,
    MessageVersion,
    TelegramUser,
    command_entities,
)
from bot.standins.telegram_updates import Updates


class UserActions:
    """What people do in Telegram that reaches the bot."""

    bot_user: TelegramUser
    chats: dict[int, Chat]
    callback_queries: dict[str, CallbackQuery]
    updates: Updates
    _user_ids: itertools.count[int]
    _query_ids: itertools.count[int]

    def unix_time(self) -> int:
        raise NotImplementedError

    def create_user(
        self,
        first_name: str = "Ann",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = True,
    ) -> TelegramUser:
        """A new user with a private chat. ``started=False``: the user never wrote to the bot,
        so the bot may not write first (403) until they send something."""
        user = TelegramUser(next(self._user_ids), first_name, last_name, username, language_code)
        self.chats[user.id] = Chat(user, started=started)
        return user

    def chat(self, user: TelegramUser | int) -> Chat:
        chat_id = user if isinstance(user, int) else user.id
        if chat_id not in self.chats:
            raise StandInError(f"no chat {chat_id}: create the user with create_user()")
        return self.chats[chat_id]

    def block(self, user: TelegramUser) -> None:
        """The user blocks the bot: from now on sendMessage to them answers 403."""
        self.chat(user).blocked = True

    def unblock(self, user: TelegramUser) -> None:
        self.chat(user).blocked = False

    async def send_text(
        self, user: TelegramUser, text: str, *, reply_to: ChatMessage | None = None
    ) -> ChatMessage:
        """The user writes ``text`` to the bot (a reply to ``reply_to`` if given)."""
        return await self._user_message(user, text, command_entities(text), reply_to=reply_to)

    async def send_command(
        self, user: TelegramUser, command: str, args: str | None = None
    ) -> ChatMessage:
        """The user sends ``/command args``; ``/start`` also unblocks the bot, as in the app."""
        if not command.startswith("/"):
            command = f"/{command}"
        chat = self.chat(user)
        if command.split("@")[0] == "/start":
            chat.blocked = False
        text = f"{command} {args}" if args else command
        return await self._user_message(user, text, command_entities(text))

    async def send_sticker(self, user: TelegramUser, emoji: str = "👍") -> ChatMessage:
        sticker = {
            "file_id": f"CAACAgIAAxkBAAE{user.id}",
            "file_unique_id": f"AgAD{user.id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._user_message(user, "", None, extra={"sticker": sticker})

    async def edit_text(
        self, user: TelegramUser, message: ChatMessage, text: str
    ) -> dict[str, Any]:
        """The user edits one of their messages: an ``edited_message`` update."""
        if message.from_bot or message.chat.id != user.id:
            raise StandInError("a user can only edit their own messages")
        message.edits.append(MessageVersion(message.text, message.reply_markup, message.edit_date))
        message.text = text
        message.edit_date = self.unix_time()
        return await self.updates.add("edited_message", message.as_json(self.bot_user))

    async def press_button(
        self, user: TelegramUser, message: ChatMessage, label: str
    ) -> CallbackQuery:
        """The user taps the inline button labelled ``label`` in ``message`` (its current
        version): the bot gets a callback_query with that button's callback_data."""
        current = self._visible(user, message)
        button = current.button(label)
        if "callback_data" not in button:
            raise StandInError(f"button {label!r} is not a callback button: {button}")
        return await self.send_callback(user, current, button["callback_data"])

    async def send_callback(
        self, user: TelegramUser, message: ChatMessage, data: str
    ) -> CallbackQuery:
        """A callback_query with arbitrary ``data`` (forged or stale buttons)."""
        query = CallbackQuery(str(next(self._query_ids)), user, message, data)
        self.callback_queries[query.id] = query
        await self.updates.add("callback_query", query.as_json(self.bot_user))
        return query

    async def send_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Any raw update, e.g. ``send_update("my_chat_member", {...})``."""
        return await self.updates.add(kind, payload)

    def _visible(self, user: TelegramUser, message: ChatMessage) -> ChatMessage:
        chat = self.chat(user)
        current = chat.find(message.message_id) if message.chat is chat else None
        if current is None:
            raise StandInError(
                f"message {message.message_id} is not in {user.first_name}'s chat (or deleted)"
            )
        return current

    async def _user_message(
        self,
        user: TelegramUser,
        text: str,
        entities: list[dict[str, Any]] | None,
        *,
        reply_to: ChatMessage | None = None,
        extra: dict[str, Any] | None = None,
    ) -> ChatMessage:
        chat = self.chat(user)
        if chat.blocked:
            raise StandInError(f"{user.first_name} blocked the bot; send /start to unblock")
        chat.started = True
        message = ChatMessage(
            chat=chat,
            message_id=chat.new_message_id(),
            from_bot=False,
            text=text,
            date=self.unix_time(),
            entities=entities,
            reply_to=reply_to,
            extra=extra or {},
        )
        chat.messages.append(message)
        await self.updates.add("message", message.as_json(self.bot_user))
        return message
