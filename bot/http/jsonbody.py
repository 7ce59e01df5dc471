"""Reading JSON from outside: a size limit before reading, a nesting limit before parsing.

Python's ``json`` decoder recurses once per nesting level, so a body of 30,000 ``[`` ends in a
RecursionError deep inside the parser (issue 12). Every JSON body we accept (the case API, the
Telegram webhook, Slack's events and interaction payloads, a JSONL line of ``case close``) goes
through ``loads_limited`` first; nothing we expect nests more than a dozen levels.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.http.errors import json_error
from feedbackbot.errors import FeedbackbotError

MAX_DEPTH = 32
MAX_BODY = 64 * 1024
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPENERS = (ord("["), ord("{"))
_CLOSERS = (ord("]"), ord("}"))


class BadJson(FeedbackbotError):
    """The body is not JSON we accept; ``status`` and ``code`` say how to answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    def response(self) -> web.Response:
        return json_error(self.status, self.code, str(self))


def nests_deeper(raw: bytes, max_depth: int) -> bool:
    """Whether arrays and objects in ``raw`` nest deeper than ``max_depth`` (brackets inside
    strings do not count). Linear in the length, and only a count for most bodies."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return False
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > max_depth:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


def loads_limited(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Decode JSON nesting at most ``max_depth`` levels; raises ``BadJson`` (400) otherwise."""
    data = raw.encode() if isinstance(raw, str) else raw
    if nests_deeper(data, max_depth):
        raise BadJson(400, "too_deep", f"The JSON nests deeper than {max_depth} levels.")
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise BadJson(
            400,
            "bad_json",
            f"The body is not valid JSON at line {error.lineno} column {error.colno}.",
        ) from None
    except (UnicodeDecodeError, RecursionError):
        raise BadJson(400, "bad_json", "The body is not valid JSON.") from None


async def read_body(request: web.Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, read no further than ``limit`` bytes; raises ``BadJson`` (413) beyond."""
    too_large = BadJson(413, "too_large", f"The body is over {limit // 1024} KiB.")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    body = bytearray()
    while len(body) <= limit:
        chunk = await request.content.read(limit + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
    raise too_large


async def read_json(request: web.Request, limit: int = MAX_BODY) -> Any:
    """The decoded JSON body within the size and nesting limits; raises ``BadJson``."""
    return loads_limited(await read_body(request, limit))
