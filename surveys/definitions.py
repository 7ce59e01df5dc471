"""Survey definitions: typed, immutable values built from YAML and stored as JSON snapshots.

A survey's ``version`` is derived from its content (``content_version``), so editing a survey
makes a new version by itself; invitations name the version they were made with and the engine
reads that snapshot, never the live catalog.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Texts = Mapping[str, str]
"""One text in several languages, keyed by language code; ``en`` is always present."""

ConditionValue = int | str | tuple[int | str, ...]


class QuestionType(StrEnum):
    RATING = "rating"
    CHOICE = "choice"
    YES_NO = "yes_no"
    TEXT = "text"


class Dimension(StrEnum):
    """Which side of the customer-value formula (CV = benefits / costs) a rating feeds."""

    BENEFIT = "benefit"
    COST = "cost"


class Operator(StrEnum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"


ORDERING_OPERATORS = frozenset({Operator.LT, Operator.LE, Operator.GT, Operator.GE})
LIST_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})
YES_NO_VALUES = {"yes": 1, "no": 0}


def render(texts: Texts, language: str) -> str:
    """The text in ``language``, or in English when that language is missing."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Scale:
    min: int
    max: int
    min_label: Texts = field(default_factory=dict)
    max_label: Texts = field(default_factory=dict)

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int) and not isinstance(value, bool) and self.min <= value <= self.max
        )

    @property
    def points(self) -> range:
        return range(self.min, self.max + 1)


@dataclass(frozen=True)
class Choice:
    key: str
    texts: Texts


@dataclass(frozen=True)
class Condition:
    """Ask a question only when an earlier answer compares true with ``value``.

    Ratings compare their number; yes/no compares ``yes``/``no`` (or 1/0); choices compare the
    choice key. A question that was skipped or not asked makes every condition on it false.
    """

    question: str
    operator: Operator
    value: ConditionValue

    def holds(self, number: int | None, choice: str | None) -> bool:
        subject: int | str | None = choice if isinstance(self.value, str) else number
        if isinstance(self.value, tuple):
            subject = choice if any(isinstance(v, str) for v in self.value) else number
        if subject is None:
            return False
        match self.operator:
            case Operator.EQ:
                return subject == self.value
            case Operator.NE:
                return subject != self.value
            case Operator.IN:
                return subject in self.value  # type: ignore[operator]
            case Operator.NOT_IN:
                return subject not in self.value  # type: ignore[operator]
        if not isinstance(subject, int) or not isinstance(self.value, int):
            return False
        match self.operator:
            case Operator.LT:
                return subject < self.value
            case Operator.LE:
                return subject <= self.value
            case Operator.GT:
                return subject > self.value
            case _:
                return subject >= self.value

    def __str__(self) -> str:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.question} {self.operator} {value}"


@dataclass(frozen=True)
class Question:
    key: str
    type: QuestionType
    texts: Texts
    optional: bool = False
    scale: Scale | None = None
    choices: tuple[Choice, ...] = ()
    condition: Condition | None = None
    dimension: Dimension | None = None

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key), None)


@dataclass(frozen=True)
class Survey:
    key: str
    version: str
    title: Texts
    questions: tuple[Question, ...]
    thank_you: Texts = field(default_factory=dict)
    """The closing message; empty means the standard one from ``surveys.messages``."""

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.title)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``Survey.from_dict`` reads it back into an equal survey."""
        data = _content(self)
        return {"key": self.key, "version": self.version, **data}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Survey:
        return cls(
            key=data["key"],
            version=data["version"],
            title=dict(data["title"]),
            questions=tuple(_question_from_dict(q) for q in data["questions"]),
            thank_you=dict(data.get("thank_you") or {}),
        )


def _content(survey: Survey) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": dict(survey.title),
        "questions": [_question_to_dict(q) for q in survey.questions],
    }
    if survey.thank_you:
        data["thank_you"] = dict(survey.thank_you)
    return data


def _question_to_dict(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": question.key,
        "type": str(question.type),
        "text": dict(question.texts),
        "optional": question.optional,
    }
    if question.scale is not None:
        data["scale"] = {
            "min": question.scale.min,
            "max": question.scale.max,
            "min_label": dict(question.scale.min_label),
            "max_label": dict(question.scale.max_label),
        }
    if question.choices:
        data["choices"] = [{"key": c.key, "text": dict(c.texts)} for c in question.choices]
    if question.condition is not None:
        value = question.condition.value
        data["condition"] = {
            "question": question.condition.question,
            "operator": str(question.condition.operator),
            "value": list(value) if isinstance(value, tuple) else value,
        }
    if question.dimension is not None:
        data["dimension"] = str(question.dimension)
    return data


def _condition_from_dict(data: Mapping[str, Any]) -> Condition:
    value = data["value"]
    return Condition(
        data["question"],
        Operator(data["operator"]),
        tuple(value) if isinstance(value, list) else value,
    )


def _question_from_dict(data: Mapping[str, Any]) -> Question:
    scale = data.get("scale")
    condition = data.get("condition")
    return Question(
        key=data["key"],
        type=QuestionType(data["type"]),
        texts=dict(data["text"]),
        optional=bool(data.get("optional", False)),
        scale=Scale(scale["min"], scale["max"], dict(scale["min_label"]), dict(scale["max_label"]))
        if scale
        else None,
        choices=tuple(Choice(c["key"], dict(c["text"])) for c in data.get("choices", ())),
        condition=_condition_from_dict(condition) if condition else None,
        dimension=Dimension(data["dimension"]) if data.get("dimension") else None,
    )


def content_version(survey: Survey, declared: str | None = None) -> str:
    """A short hash of everything the customer sees, prefixed by the author's ``declared`` one.

    The key and the current version are left out, so the same content always hashes the same.
    """
    canonical = json.dumps(_content(survey), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:10]
    return f"{declared}-{digest}" if declared else digest
