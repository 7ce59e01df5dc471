"""Button payloads. Old messages keep these strings forever: never rename a prefix or field.

Telegram allows 64 bytes of callback data. Survey buttons carry the invitation id, the
question and the option, as ``surveys.refs`` writes them (a long key or value travels as a
short hash or an option index, which the engine resolves).
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


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


class LanguageData(CallbackData, prefix="lang"):
    code: str
