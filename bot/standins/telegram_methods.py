"""The Bot API methods the stand-in implements, with the real API's checks and error texts.

Each method is ``async def method(api, args) -> result`` and raises ``BotApiError`` for what the
Bot API refuses; ``TelegramBotAPI`` wraps results as ``{"ok": true, "result": ...}``. Requests
arrive as aiogram sends them: form fields whose nested objects are JSON strings, or JSON bodies;
``Args`` reads a field as the type the Bot API documents.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Awaitable, Callable
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from bot.standins.telegram_objects import CallbackAnswer, ChatMessage, MessageVersion

if TYPE_CHECKING:
    from bot.standins.telegram import TelegramBotAPI

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji", "tg-time",
}  # fmt: skip
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
)  # fmt: skip
DEFAULT_UPDATE_TYPES = frozenset(UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


class BotApiError(Exception):
    """An answer ``{"ok": false, "error_code": status, "description": ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(text: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {text}")


class Args:
    """A request's parameters, read with the Bot API's types (form values are strings).

    Its readers are named after the types they return, which hides those types further down
    its body: the annotations there spell them ``builtins.*``.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def str(self, name: str, missing: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if missing is not None:
                raise bad_request(missing)
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: builtins.str, missing: builtins.str | None = None) -> builtins.int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if missing is not None:
                raise bad_request(missing)
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: builtins.str) -> builtins.bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: builtins.str, what: builtins.str) -> Any:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what} JSON object") from None
        return value

    def chat_id(self) -> builtins.int | builtins.str:
        value = self.raw.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        return int(text) if re.fullmatch(r"-?\d+", text) else text


class _HtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.problem is None and tag not in _HTML_TAGS:
            self.problem = f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.problem is None and (not self.open or self.open[-1] != tag):
            self.problem = f'Unmatched end tag "{tag}"'
        elif self.open:
            self.open.pop()


def check_text(text: str | None, parse_mode: str | None) -> str:
    """The Bot API's checks on a message text: present, at most 4096 characters, valid HTML."""
    if not text or not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    if (parse_mode or "").lower() == "html":
        checker = _HtmlChecker()
        checker.feed(text)
        checker.close()
        if checker.problem is None and checker.open:
            checker.problem = f'Can\'t find end tag corresponding to start tag "{checker.open[-1]}"'
        if checker.problem:
            raise bad_request(f"can't parse entities: {checker.problem}")
    return text


def check_markup(markup: Any) -> dict[str, Any] | None:
    """Validates ``reply_markup``; inline buttons need 1-64 bytes of callback_data or a URL."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard button: "inline_keyboard" must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
    return markup


async def get_me(api: TelegramBotAPI, args: Args) -> Any:
    return api.bot_user.as_json() | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def send_message(api: TelegramBotAPI, args: Args) -> Any:
    chat = api.writable_chat(args.chat_id())
    parse_mode = args.str("parse_mode")
    text = check_text(args.str("text"), parse_mode)
    markup = check_markup(args.json("reply_markup", "reply keyboard markup"))
    reply_to: ChatMessage | None = None
    reply_parameters = args.json("reply_parameters", "reply parameters") or {}
    reply_id = args.int("reply_to_message_id") or reply_parameters.get("message_id")
    if reply_id is not None:
        reply_to = chat.find(int(reply_id))
        if reply_to is None and not reply_parameters.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
    message = ChatMessage(
        chat=chat,
        message_id=chat.new_message_id(),
        from_bot=True,
        text=text,
        date=api.unix_time(),
        parse_mode=parse_mode,
        reply_markup=markup,
        reply_to=reply_to,
        params=dict(args.raw),
    )
    chat.messages.append(message)
    return message.as_json(api.bot_user)


def _message_to_edit(api: TelegramBotAPI, args: Args) -> ChatMessage:
    if "inline_message_id" in args:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = api.writable_chat(args.chat_id())
    message_id = args.int("message_id", missing="message identifier is not specified")
    message = chat.find(message_id or 0)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(api: TelegramBotAPI, message: ChatMessage, text: str, markup: Any) -> Any:
    if text == message.text and markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.edits.append(MessageVersion(message.text, message.reply_markup, message.edit_date))
    message.text = text
    message.reply_markup = markup
    message.edit_date = api.unix_time()
    return message.as_json(api.bot_user)


async def edit_message_text(api: TelegramBotAPI, args: Args) -> Any:
    """Like the Bot API, an edit without ``reply_markup`` removes the inline keyboard."""
    message = _message_to_edit(api, args)
    parse_mode = args.str("parse_mode")
    text = check_text(args.str("text"), parse_mode)
    markup = check_markup(args.json("reply_markup", "reply keyboard markup"))
    message.parse_mode = parse_mode
    return _apply_edit(api, message, text, markup)


async def edit_message_reply_markup(api: TelegramBotAPI, args: Args) -> Any:
    message = _message_to_edit(api, args)
    markup = check_markup(args.json("reply_markup", "reply keyboard markup"))
    return _apply_edit(api, message, message.text, markup)


async def delete_message(api: TelegramBotAPI, args: Args) -> Any:
    chat = api.known_chat(args.chat_id())
    message = chat.find(args.int("message_id", missing="message identifier is not specified") or 0)
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


async def answer_callback_query(api: TelegramBotAPI, args: Args) -> Any:
    """A query can be answered once; an unknown or answered one gets the Bot API's 400."""
    query = api.callback_queries.get(args.str("callback_query_id") or "")
    if query is None or query.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    text = args.str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = CallbackAnswer(
        text=text,
        show_alert=args.bool("show_alert"),
        url=args.str("url"),
        cache_time=args.int("cache_time") or 0,
    )
    return True


async def send_chat_action(api: TelegramBotAPI, args: Args) -> Any:
    api.writable_chat(args.chat_id())
    if "action" not in args:
        raise bad_request("action is empty")
    return True


def _commands_key(args: Args) -> tuple[str, str]:
    scope = args.json("scope", "BotCommandScope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    scope_key = json.dumps(scope, sort_keys=True)
    return scope_key, args.str("language_code") or ""


async def set_my_commands(api: TelegramBotAPI, args: Args) -> Any:
    commands = args.json("commands", "BotCommand array")
    if not isinstance(commands, list):
        raise bad_request("can't parse BotCommand array JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description") or "")) <= 256:
            raise bad_request("command description is empty")
    api.commands[_commands_key(args)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(api: TelegramBotAPI, args: Args) -> Any:
    return api.commands.get(_commands_key(args), [])


async def delete_my_commands(api: TelegramBotAPI, args: Args) -> Any:
    api.commands.pop(_commands_key(args), None)
    return True


async def get_updates(api: TelegramBotAPI, args: Args) -> Any:
    allowed = args.json("allowed_updates", "allowed updates")
    return await api.updates.get_updates(
        offset=args.int("offset") or 0,
        limit=min(max(args.int("limit") or 100, 1), 100),
        poll_seconds=max(args.int("timeout") or 0, 0),
        allowed_updates=allowed,
    )


async def set_webhook(api: TelegramBotAPI, args: Args) -> Any:
    url = args.str("url") or ""
    secret = args.str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if url and not re.match(r"^https?://", url):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    allowed = args.json("allowed_updates", "allowed updates")
    return await api.updates.set_webhook(
        url, secret, allowed, drop_pending=args.bool("drop_pending_updates")
    )


async def delete_webhook(api: TelegramBotAPI, args: Args) -> Any:
    return await api.updates.set_webhook(
        "", None, None, drop_pending=args.bool("drop_pending_updates")
    )


async def get_webhook_info(api: TelegramBotAPI, args: Args) -> Any:
    return api.updates.webhook_info()


Method = Callable[["TelegramBotAPI", Args], Awaitable[Any]]
METHODS: dict[str, Method] = {
    "getMe": get_me,
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
"""Canonical names; the Bot API matches method names case-insensitively."""
CANONICAL = {name.lower(): name for name in METHODS}
