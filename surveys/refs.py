"""Compact references to a question and an option, for buttons whose payload is small.

Telegram allows 64 bytes of callback data, so a question key or option value that is long (or
holds the ``:`` separator) travels as ``~`` and a short hash, or as ``#`` and the option's
position. The engine resolves them against the invitation's pinned survey, so every channel
hands it whatever its button carried. A plain key never starts with ``~`` or ``#`` (those are
always written as references), so the two forms cannot be confused.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Final

from surveys.definitions import Question, QuestionType, Survey

MAX_QUESTION_REF: Final = 24
MAX_OPTION_REF: Final = 16


def _fits(text: str, limit: int) -> bool:
    return bool(text) and ":" not in text and len(text.encode()) <= limit and text[0] not in "~#"


def question_ref(key: str) -> str:
    """The key itself when short, else ``~`` and 10 characters of its SHA-256."""
    if _fits(key, MAX_QUESTION_REF):
        return key
    digest = hashlib.sha256(key.encode()).digest()
    return "~" + base64.urlsafe_b64encode(digest).decode()[:10]


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


def find_question(survey: Survey, ref: str) -> Question | None:
    """The question named by a key or by its ``question_ref``."""
    question = survey.question(ref)
    if question is not None or not ref.startswith("~"):
        return question
    return next((q for q in survey.questions if question_ref(q.key) == ref), None)


def option_values(question: Question) -> list[str]:
    """The values a button of ``question`` can carry, in the order the buttons are shown."""
    if question.type is QuestionType.RATING and question.scale is not None:
        return [str(point) for point in question.scale.points]
    if question.type is QuestionType.YES_NO:
        return ["yes", "no"]
    return [choice.key for choice in question.choices]
