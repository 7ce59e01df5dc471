"""Button payloads. Old messages keep these strings forever: never rename a prefix or field.

Telegram allows 64 bytes of callback data. Survey buttons carry the invitation id, the
question and the option; a question key or option value too long (or containing the ``:``
separator) travels as a short hash or an option index, resolved against the question the
invitation is on when the button is pressed.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Final

from aiogram.filters.callback_data import CallbackData

MAX_QUESTION_REF: Final = 24
MAX_OPTION_REF: Final = 16


class AnswerData(CallbackData, prefix="a"):
    """An answer button: invitation ``i``, question ``q``, option ``v``."""

    i: int
    q: str
    v: str


class SkipData(CallbackData, prefix="s"):
    """The Skip button of an optional question."""

    i: int
    q: str


class StopData(CallbackData, prefix="stop"):
    confirmed: bool


class ForgetData(CallbackData, prefix="fg"):
    confirmed: bool


class LinkMoveData(CallbackData, prefix="lm"):
    """The answer to "move this chat to the account of link ``t``?" (``t`` is the link id)."""

    t: str
    move: bool


class LanguageData(CallbackData, prefix="lang"):
    code: str


def _fits(text: str, limit: int) -> bool:
    return bool(text) and ":" not in text and len(text.encode()) <= limit and text[0] not in "~#"


def question_ref(key: str) -> str:
    """The key itself when short, else ``~`` and 10 characters of its SHA-256."""
    if _fits(key, MAX_QUESTION_REF):
        return key
    digest = hashlib.sha256(key.encode()).digest()
    return "~" + base64.urlsafe_b64encode(digest).decode()[:10]


def is_question(ref: str, key: str) -> bool:
    return ref == question_ref(key)


def option_ref(value: str, index: int) -> str:
    """The option value itself when short, else ``#`` and its position in the question."""
    return value if _fits(value, MAX_OPTION_REF) else f"#{index}"


def resolve_option(ref: str, values: list[str]) -> str | None:
    """The option value a button meant, or None if the question has no such option."""
    if ref.startswith("#"):
        position = ref[1:]
        if position.isdigit() and int(position) < len(values):
            return values[int(position)]
        return None
    return ref if ref in values else None
