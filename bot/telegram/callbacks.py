"""Button payloads. Old messages keep these strings forever: never rename a prefix or field.

Telegram allows 64 bytes of callback data. Survey buttons carry the invitation id, the
question and the option, as ``surveys.refs`` writes them (a long key or value travels as a
short hash or an option index, which the engine resolves).
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from storage.types import INT32_MAX

InvitationId = Annotated[int, Field(gt=0, le=INT32_MAX)]
"""Out of range, the button does not match (unpacking fails) and the customer is told it is
stale; a larger number once reached PostgreSQL and failed the update (issue 12)."""


class AnswerData(CallbackData, prefix="a"):
    """An answer button: invitation ``i``, question ``q``, option ``v``."""

    i: InvitationId
    q: str
    v: str


class SkipData(CallbackData, prefix="s"):
    """The Skip button of an optional question."""

    i: InvitationId
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
