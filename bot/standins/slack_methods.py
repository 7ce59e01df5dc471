"""The Web API methods the Slack stand-in implements, with Slack's checks and error codes.

Each method is ``async def method(api, args) -> dict`` (the fields besides ``"ok": true``) and
raises ``SlackError`` for what Slack refuses. Arguments arrive as slack_sdk sends them: JSON
bodies, form fields (nested values as JSON strings) or the query string, all merged.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.standins.slack_blocks import check_blocks
from bot.standins.slack_objects import (
    EphemeralMessage,
    MessageVersion,
    SlackFile,
    SlackMessage,
    SlackView,
)

if TYPE_CHECKING:
    from bot.standins.slack import SlackWebAPI

MAX_TEXT = 40_000


class SlackError(Exception):
    """An answer ``{"ok": false, "error": code, ...}`` (HTTP 200 unless ``status`` says)."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        extra: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra or {}
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


def _json_arg(args: dict[str, Any], name: str) -> Any:
    value = args.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value) if value else None
        except ValueError:
            raise SlackError(
                "invalid_arguments",
                extra={"response_metadata": {"messages": [f"[ERROR] {name} is not valid JSON"]}},
            ) from None
    return value


def _required(args: dict[str, Any], name: str) -> str:
    value = args.get(name)
    if value is None or value == "":
        raise SlackError(
            "invalid_arguments",
            extra={"response_metadata": {"messages": [f"[ERROR] missing required field: {name}"]}},
        )
    return str(value)


def _blocks(args: dict[str, Any], surface: str = "message") -> list[dict[str, Any]] | None:
    blocks = _json_arg(args, "blocks")
    if blocks is None:
        return None
    problems = check_blocks(blocks, surface)
    if problems:
        raise SlackError(
            "invalid_blocks",
            extra={
                "errors": problems,
                "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
            },
        )
    return list(blocks)


def _text_and_blocks(args: dict[str, Any]) -> tuple[str, list[dict[str, Any]] | None]:
    text = str(args.get("text") or "")
    blocks = _blocks(args)
    if not text and not blocks and not _json_arg(args, "attachments"):
        raise SlackError("no_text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return text, blocks


async def auth_test(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"https://{api.team_domain}.slack.com/",
        "team": api.team_name,
        "user": api.bot_name,
        "team_id": api.team_id,
        "user_id": api.bot_user_id,
        "bot_id": api.bot_id,
        "is_enterprise_install": False,
    }


async def apps_connections_open(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    """A Socket Mode websocket URL (the caller's app-level token was checked already)."""
    return {"url": api.socket.new_url()}


async def conversations_open(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if args.get("channel"):
        channel = api.channel(str(args["channel"]))
    elif len(users) == 1:
        channel = api.channel(api.user(users[0]).dm)
    elif not users:
        raise SlackError("users_list_not_supplied")
    else:
        raise SlackError("method_not_supported_for_channel_type")
    already = channel.id in api.opened_dms
    api.opened_dms.add(channel.id)
    body: dict[str, Any] = {"channel": {"id": channel.id}}
    if str(args.get("return_im", "")).lower() in ("1", "true"):
        body["channel"] |= {"is_im": True, "user": channel.user.id if channel.user else None}
    if already:
        body |= {"no_op": True, "already_open": True}
    return body


async def chat_post_message(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.channel(_required(args, "channel"))
    text, blocks = _text_and_blocks(args)
    thread_ts = args.get("thread_ts") or None
    if thread_ts is not None and api.find_message(channel.id, str(thread_ts)) is None:
        raise SlackError("thread_not_found")
    message = SlackMessage(
        channel=channel.id,
        ts=api.next_ts(),
        text=text,
        user=api.bot_user_id,
        blocks=blocks or [],
        thread_ts=str(thread_ts) if thread_ts else None,
        bot_id=api.bot_id,
        app_id=api.app_id,
        params=dict(args),
    )
    api.messages.append(message)
    return {"channel": channel.id, "ts": message.ts, "message": message.as_json(api.team_id)}


async def chat_update(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    """Without ``blocks`` the message keeps its blocks; ``blocks: []`` removes them (as Slack)."""
    channel = api.channel(_required(args, "channel"))
    message = api.find_message(channel.id, _required(args, "ts"))
    if message is None:
        raise SlackError("message_not_found")
    if message.user != api.bot_user_id:
        raise SlackError("cant_update_message")
    text = str(args.get("text") or "") if "text" in args else message.text
    blocks = _blocks(args)
    new_blocks = message.blocks if blocks is None else blocks
    if not text and not new_blocks:
        raise SlackError("no_text")
    message.edits.append(MessageVersion(message.text, message.blocks))
    message.text, message.blocks = text, new_blocks
    return {
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.as_json(api.team_id),
    }


async def chat_delete(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.channel(_required(args, "channel"))
    message = api.find_message(channel.id, _required(args, "ts"))
    if message is None:
        raise SlackError("message_not_found")
    message.deleted = True
    return {"channel": channel.id, "ts": message.ts}


async def chat_post_ephemeral(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    channel = api.channel(_required(args, "channel"))
    user = api.user(_required(args, "user"))
    text, blocks = _text_and_blocks(args)
    if channel.user is not None and channel.user.id != user.id:
        raise SlackError("user_not_in_channel")
    ephemeral = EphemeralMessage(channel.id, user.id, api.next_ts(), text, blocks or [])
    api.ephemerals.append(ephemeral)
    return {"message_ts": ephemeral.ts}


def _check_view(view: Any, surface: str) -> dict[str, Any]:
    if not isinstance(view, dict) or view.get("type") != surface:
        raise SlackError(
            "invalid_arguments",
            extra={"response_metadata": {"messages": [f"[ERROR] view.type must be {surface}"]}},
        )
    problems = []
    title = view.get("title")
    if surface == "modal" and not (
        isinstance(title, dict) and 0 < len(str(title.get("text"))) <= 24
    ):
        problems.append("must be less than 25 characters [json-pointer:/view/title/text]")
    has_inputs = any(
        b.get("type") == "input" for b in view.get("blocks") or [] if isinstance(b, dict)
    )
    if surface == "modal" and has_inputs and not view.get("submit"):
        problems.append("must provide submit when inputs are present [json-pointer:/view/submit]")
    if len(str(view.get("private_metadata") or "")) > 3000:
        problems.append("must be less than 3001 characters [json-pointer:/view/private_metadata]")
    problems += [
        p.replace("json-pointer:", "json-pointer:/view")
        for p in check_blocks(view.get("blocks") or [], surface)
    ]
    if problems:
        raise SlackError(
            "invalid_arguments",
            extra={"response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]}},
        )
    return view


def _view_response(api: SlackWebAPI, view: SlackView) -> dict[str, Any]:
    return {"view": view.as_json(api.team_id, api.app_id, api.bot_id)}


async def views_open(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    user = api.use_trigger(_required(args, "trigger_id"))
    view = api.add_view(user, _check_view(_json_arg(args, "view"), "modal"))
    return _view_response(api, view)


async def views_push(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    return await views_open(api, args)


async def views_update(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("view_id"):
        view = api.views.get(str(args["view_id"]))
    else:
        external = args.get("external_id")
        view = next(
            (v for v in api.views.values() if external and v.view.get("external_id") == external),
            None,
        )
    if view is None:
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != view.hash:
        raise SlackError("hash_conflict")
    api.replace_view(view, _check_view(_json_arg(args, "view"), view.type))
    return _view_response(api, view)


async def views_publish(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    user = api.user(_required(args, "user_id"))
    content = _check_view(_json_arg(args, "view"), "home")
    home = api.homes.get(user.id)
    if home is not None and args.get("hash") and args["hash"] != home.hash:
        raise SlackError("hash_conflict")
    if home is None:
        home = api.add_view(user, content)
        api.homes[user.id] = home
    else:
        api.replace_view(home, content)
    return _view_response(api, home)


async def users_info(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    user = api.user(_required(args, "user"))
    include_locale = str(args.get("include_locale", "")).lower() in ("1", "true")
    return {"user": user.as_json(include_locale)}


async def files_get_upload_url_external(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    filename = _required(args, "filename")
    try:
        length = int(_required(args, "length"))
    except ValueError:
        raise SlackError("invalid_arguments") from None
    upload = SlackFile(api.new_id("F"), filename, length, alt_txt=args.get("alt_txt"))
    api.files[upload.id] = upload
    return {"upload_url": f"{api.root}/upload/v1/{upload.id}", "file_id": upload.id}


async def files_complete_upload_external(api: SlackWebAPI, args: dict[str, Any]) -> dict[str, Any]:
    """Shares the uploaded files; with a channel they appear there as one message."""
    items = _json_arg(args, "files")
    if not isinstance(items, list) or not items:
        raise SlackError("invalid_arguments")
    channel_ids = [str(args["channel_id"])] if args.get("channel_id") else []
    channel_ids += [c for c in str(args.get("channels") or "").split(",") if c]
    channels = [api.channel(c).id for c in channel_ids]
    thread_ts = args.get("thread_ts") or None
    completed = []
    for item in items:
        upload = api.files.get(str(item.get("id") if isinstance(item, dict) else ""))
        if upload is None or upload.content is None:
            raise SlackError("file_not_found")
        upload.title = item.get("title") or upload.filename
        upload.channels = channels
        upload.initial_comment = args.get("initial_comment") or None
        upload.thread_ts = thread_ts
        upload.completed = True
        completed.append(upload)
    for channel in channels:
        api.messages.append(
            SlackMessage(
                channel=channel,
                ts=api.next_ts(),
                text=str(args.get("initial_comment") or ""),
                user=api.bot_user_id,
                thread_ts=thread_ts,
                bot_id=api.bot_id,
                files=completed,
                params=dict(args),
            )
        )
    return {"files": [f.as_json() for f in completed]}


Method = Callable[["SlackWebAPI", dict[str, Any]], Awaitable[dict[str, Any]]]
METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "apps.connections.open": apps_connections_open,
    "conversations.open": conversations_open,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "users.info": users_info,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
