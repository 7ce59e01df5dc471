"""Inline keyboards: a question's buttons, and the confirmations of /stop, /forget, /language."""

from __future__ import annotations

import math
from typing import Final

from aiogram.types import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.callbacks import (
    AnswerData,
    ForgetData,
    LanguageData,
    LinkMoveData,
    SkipData,
    StopData,
)
from bot.telegram.texts import LANGUAGE_NAMES
from surveys.conversation import Prompt
from surveys.messages import say
from surveys.refs import option_ref, question_ref

MAX_ROW: Final = 7
"""Up to seven buttons share a row (CSAT 1-5, CES 1-7); NPS 0-10 splits into 0-5 and 6-10."""

Markup = InlineKeyboardMarkup | ForceReply


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    if len(buttons) <= MAX_ROW:
        return [buttons]
    width = math.ceil(len(buttons) / math.ceil(len(buttons) / MAX_ROW))
    return [buttons[start : start + width] for start in range(0, len(buttons), width)]


def question_text(prompt: Prompt) -> str:
    """The question and the scale's end labels.

    No "question 2 of 3": the count changes when a low score adds a follow-up question.
    """
    lines = [prompt.text]
    if prompt.type == "rating" and prompt.options and (prompt.min_label or prompt.max_label):
        low, high = prompt.options[0].value, prompt.options[-1].value
        ends = []
        if prompt.min_label:
            ends.append(f"{low} = {prompt.min_label}")
        if prompt.max_label:
            ends.append(f"{high} = {prompt.max_label}")
        lines.append(" · ".join(ends))
    return "\n\n".join(lines)


def question_markup(prompt: Prompt) -> Markup | None:
    """Buttons for a closed question; a reply prompt (or a Skip button) for a text question."""
    ref = question_ref(prompt.question_key)
    skip = InlineKeyboardButton(
        text=prompt.skip_label or "Skip",
        callback_data=SkipData(i=prompt.invitation_id, q=ref).pack(),
    )
    if prompt.type == "text":
        if prompt.optional:
            return InlineKeyboardMarkup(inline_keyboard=[[skip]])
        return ForceReply(force_reply=True)
    buttons = [
        InlineKeyboardButton(
            text=option.label,
            callback_data=AnswerData(
                i=prompt.invitation_id, q=ref, v=option_ref(option.value, index)
            ).pack(),
        )
        for index, option in enumerate(prompt.options)
    ]
    if prompt.type == "choice":
        rows = [[button] for button in buttons]
    else:
        rows = _rows(buttons)
    if prompt.optional:
        rows.append([skip])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _yes_no(language: str, yes: str, no: str) -> InlineKeyboardMarkup:
    """One row: the engine's Yes and No (every channel words them alike), with their payloads."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=say("yes", language), callback_data=yes),
                InlineKeyboardButton(text=say("no", language), callback_data=no),
            ]
        ]
    )


def confirm(language: str, kind: type[StopData] | type[ForgetData]) -> InlineKeyboardMarkup:
    return _yes_no(language, kind(confirmed=True).pack(), kind(confirmed=False).pack())


def confirm_move(language: str, link_id: str) -> InlineKeyboardMarkup:
    return _yes_no(
        language,
        LinkMoveData(t=link_id, move=True).pack(),
        LinkMoveData(t=link_id, move=False).pack(),
    )


def languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=name, callback_data=LanguageData(code=code).pack())
                for code, name in LANGUAGE_NAMES.items()
            ]
        ]
    )
