"""Conditions in survey files: the short form (``csat <= 2``) and checks of the compared value.

A rating compares whole numbers on its scale, a yes/no question ``yes`` or ``no``, a choice
question one of its choice keys; ``in``/``not in`` take a list. Text answers cannot be tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from surveys.definitions import (
    LIST_OPERATORS,
    ORDERING_OPERATORS,
    YES_NO_VALUES,
    ConditionValue,
    Operator,
    Question,
    QuestionType,
)
from surveys.yamlnodes import parse_scalar

CONDITION_TEXT = re.compile(r"^\s*(\w+)\s*(==|!=|<=|>=|<|>|=|not\s+in|in)\s+?(.+?)\s*$")


def parse_text(text: str) -> dict[str, Any] | None:
    """``"csat <= 2"`` as ``{"question": "csat", "operator": "<=", "value": 2}``; None if not."""
    match = CONDITION_TEXT.match(text)
    if not match:
        return None
    name, operator, raw = match.groups()
    return {"question": name, "operator": operator, "value": parse_scalar(raw)}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def condition_value(
    value: Any, target: Question, operator: Operator, fail: Callable[[str], None]
) -> ConditionValue | None:
    """The condition's value checked against the question it tests; None after ``fail``."""
    if operator in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            fail(f"'{operator}' needs a list of values, e.g. [1, 2]")
            return None
        items = [_one_value(v, target, operator, fail) for v in value]
        if any(i is None for i in items):
            return None
        return tuple(i for i in items if i is not None)
    return _one_value(value, target, operator, fail)


def _one_value(
    value: Any, target: Question, operator: Operator, fail: Callable[[str], None]
) -> int | str | None:
    name = target.key
    if target.type is QuestionType.TEXT:
        fail(f"{name!r} is a text question; a condition can only test a rating, yes_no or choice")
        return None
    if target.type is not QuestionType.RATING and operator in ORDERING_OPERATORS:
        fail(f"'{operator}' compares numbers, but {name!r} is a {target.type} question")
        return None
    if target.type is QuestionType.RATING:
        scale = target.scale
        if not _is_int(value):
            fail(f"{name!r} is a rating; compare it with a whole number (got {value!r})")
            return None
        if scale and operator not in ORDERING_OPERATORS and value not in scale:
            fail(f"{value} is outside the scale of {name!r} ({scale.min}-{scale.max})")
            return None
        return int(value)
    if target.type is QuestionType.YES_NO:
        word = {True: "yes", False: "no"}.get(value, value) if _is_scalar(value) else None
        if word not in YES_NO_VALUES:
            fail(f"{name!r} is a yes_no question; compare it with yes or no (got {value!r})")
            return None
        return str(word)
    if not isinstance(value, str) or target.choice(value) is None:
        keys = ", ".join(c.key for c in target.choices)
        fail(f"{value!r} is not a choice of {name!r} (choices: {keys})")
        return None
    return value
