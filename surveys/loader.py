"""Survey files: YAML in, validated ``Survey`` objects out, or every problem with its line.

A file is a mapping with a ``surveys:`` list. Each survey has a ``key``, a ``title`` and
``questions``; see ``surveys/builtin/*.yaml`` for complete examples and the README for the
format. All problems are collected (not just the first), each naming the file, the line, the
key path and what is wrong, so an author fixes a file in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveys.conditions import condition_value, parse_text
from surveys.definitions import (
    Choice,
    Condition,
    Dimension,
    Operator,
    Question,
    QuestionType,
    Scale,
    Survey,
    Texts,
    content_version,
)
from surveys.errors import Problem
from surveys.yamlnodes import Document, KeyPath, YamlSyntaxError, parse

KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CHOICE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
DECLARED_VERSION = re.compile(r"^[A-Za-z0-9._]{1,20}$")
MAX_SCALE_POINTS = 11
MAX_CHOICES = 10
MAX_QUESTION_TEXT = 500
MAX_LABEL = 60
"""Button and label texts stay short: Slack cuts button text at 75 characters."""

TOP_FIELDS = {"surveys": True}
SURVEY_FIELDS = {
    "key": True,
    "title": True,
    "questions": True,
    "version": False,
    "thank_you": False,
}
QUESTION_FIELDS = {
    "key": True,
    "type": True,
    "text": True,
    "optional": False,
    "scale": False,
    "choices": False,
    "condition": False,
    "dimension": False,
}
SCALE_FIELDS = {"min": True, "max": True, "min_label": False, "max_label": False}
CHOICE_FIELDS = {"key": True, "text": True}
CONDITION_FIELDS = {"question": True, "operator": False, "value": True}


@dataclass
class LoadResult:
    surveys: list[Survey]
    problems: list[Problem]
    lines: dict[str, int]
    """The line where each survey starts, by key."""


def load_text(text: str, file: str) -> LoadResult:
    """Parse and validate the survey file ``file`` whose content is ``text``."""
    try:
        document = parse(text)
    except YamlSyntaxError as error:
        return LoadResult([], [Problem(file, error.line, "", error.message)], {})
    return _Validator(file, document).run()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _hint(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(options)})"


class _Validator:
    def __init__(self, file: str, document: Document) -> None:
        self.file = file
        self.document = document
        self.problems: list[Problem] = []

    def run(self) -> LoadResult:
        for duplicate, line, first in self.document.duplicates:
            self.problems.append(
                Problem(
                    self.file,
                    line,
                    self.show(duplicate),
                    f"duplicate key {duplicate[-1]!r} (first given at line {first})",
                )
            )
        data = self.document.data
        if data is None:
            self.problem((), "the file is empty; it needs a 'surveys:' list")
            return self.result([], {})
        if not self.fields(data, (), TOP_FIELDS, "the file"):
            return self.result([], {})
        items = data.get("surveys")
        if not isinstance(items, list) or not items:
            self.problem(("surveys",), "must be a list of surveys (each starting with '- key:')")
            return self.result([], {})
        surveys: list[Survey] = []
        lines: dict[str, int] = {}
        for index, item in enumerate(items):
            path: KeyPath = ("surveys", index)
            key = item.get("key") if isinstance(item, dict) else None
            if isinstance(key, str) and key in lines:
                self.problem(
                    (*path, "key"), f"duplicate survey key {key!r} (first at line {lines[key]})"
                )
                continue
            before = len(self.problems)
            survey = self.survey(item, path)
            if isinstance(key, str) and KEY.match(key):
                lines[key] = self.document.line(path) or 0
            if survey is not None and len(self.problems) == before:
                surveys.append(survey)
        return self.result(surveys, lines)

    def result(self, surveys: list[Survey], lines: dict[str, int]) -> LoadResult:
        problems = sorted(self.problems, key=lambda p: p.line or 0)
        return LoadResult(surveys if not problems else [], problems, lines)

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.file, self.document.line(path), self.show(path), message))

    def show(self, path: KeyPath) -> str:
        """``surveys.csat.questions.comment.condition``: list items named by their key."""
        parts: list[str] = []
        node: Any = self.document.data
        for element in path:
            if isinstance(element, int):
                item = node[element] if isinstance(node, list) and element < len(node) else None
                key = item.get("key") if isinstance(item, dict) else None
                if isinstance(key, str) and CHOICE_KEY.match(key):
                    parts.append(f".{key}")
                else:
                    parts.append(f"[{element}]")
                node = item
            else:
                parts.append(f".{element}")
                node = node.get(element) if isinstance(node, dict) else None
        return "".join(parts).lstrip(".")

    def fields(self, value: Any, path: KeyPath, allowed: Mapping[str, bool], what: str) -> bool:
        """Check ``value`` is a mapping with every required field and no unknown one."""
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping of fields ({', '.join(allowed)})")
            return False
        for name in value:
            if name not in allowed:
                self.problem(
                    (*path, name), f"unknown field {name!r}{_suggest(name, list(allowed))}"
                )
        ok = True
        for name, required in allowed.items():
            if required and name not in value:
                self.problem(path, f"missing required field {name!r}")
                ok = False
        return ok

    def texts(self, value: Any, path: KeyPath, limit: int) -> Texts | None:
        """A text per language; a plain string is English. English is required."""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            value = {"en": value}
        if not isinstance(value, dict):
            self.problem(path, "must be a text, or a mapping of language code to text (en: ...)")
            return None
        texts: dict[str, str] = {}
        for language, text in value.items():
            if not LANGUAGE.match(language):
                self.problem((*path, language), f"{language!r} is not a language code (en, es)")
                continue
            if isinstance(text, bool) or not isinstance(text, str | int | float):
                self.problem((*path, language), "must be a text")
                continue
            text = str(text).strip()
            if not text:
                self.problem((*path, language), "must not be empty")
            elif len(text) > limit:
                self.problem((*path, language), f"is {len(text)} characters; at most {limit}")
            else:
                texts[language] = text
        if "en" not in value:
            self.problem(path, "missing English text (en); English is the fallback language")
            return None
        return texts if len(texts) == len(value) else None

    def survey(self, item: Any, path: KeyPath) -> Survey | None:
        if not self.fields(item, path, SURVEY_FIELDS, "a survey"):
            if isinstance(item, dict) and isinstance(item.get("questions"), list):
                self.questions(item["questions"], (*path, "questions"))
            return None
        key = self.key(item["key"], (*path, "key"), KEY, "survey key")
        title = self.texts(item["title"], (*path, "title"), MAX_LABEL * 2)
        thank_you = (
            self.texts(item["thank_you"], (*path, "thank_you"), MAX_QUESTION_TEXT)
            if "thank_you" in item
            else {}
        )
        declared = item.get("version")
        if declared is not None and (
            isinstance(declared, bool) or not DECLARED_VERSION.match(str(declared))
        ):
            self.problem((*path, "version"), "must be up to 20 letters, digits, dots or _")
            declared = None
        questions = self.questions(item["questions"], (*path, "questions"))
        if None in (key, title, thank_you, questions):
            return None
        draft = Survey(key, "", title, questions, thank_you)  # type: ignore[arg-type]
        version = content_version(draft, str(declared) if declared is not None else None)
        return Survey(key, version, title, questions, thank_you)  # type: ignore[arg-type]

    def key(self, value: Any, path: KeyPath, pattern: re.Pattern[str], what: str) -> str | None:
        if isinstance(value, str) and pattern.match(value):
            return value
        rule = "lower-case letters, digits and _, starting with a letter, at most 32"
        if pattern is CHOICE_KEY:
            rule = "letters, digits, _ and -, at most 32"
        self.problem(path, f"{what} {value!r} must be {rule}")
        return None

    def questions(self, items: Any, path: KeyPath) -> tuple[Question, ...] | None:
        if not isinstance(items, list) or not items:
            self.problem(path, "must be a list of questions (each starting with '- key:')")
            return None
        questions: list[Question] = []
        seen: dict[str, int] = {}
        keys = [i.get("key") if isinstance(i, dict) else None for i in items]
        ok = True
        for index, item in enumerate(items):
            qpath = (*path, index)
            key = item.get("key") if isinstance(item, dict) else None
            if isinstance(key, str) and key in seen:
                self.problem(
                    (*qpath, "key"), f"duplicate question key {key!r} (first at line {seen[key]})"
                )
                ok = False
                continue
            if isinstance(key, str):
                seen[key] = self.document.line(qpath) or 0
            question = self.question(item, qpath, questions, keys[:index], keys[index + 1 :])
            if question is None:
                ok = False
            else:
                questions.append(question)
        if ok and all(q.optional for q in questions):
            self.problem(path, "every question is optional; make at least one required")
            ok = False
        return tuple(questions) if ok else None

    def question(
        self,
        item: Any,
        path: KeyPath,
        earlier: list[Question],
        keys_before: list[Any],
        keys_after: list[Any],
    ) -> Question | None:
        if not self.fields(item, path, QUESTION_FIELDS, "a question"):
            return None
        before = len(self.problems)
        key = self.key(item["key"], (*path, "key"), KEY, "question key")
        texts = self.texts(item["text"], (*path, "text"), MAX_QUESTION_TEXT)
        types = [str(t) for t in QuestionType]
        kind = item["type"]
        if kind not in types:
            self.problem(
                (*path, "type"),
                f"unknown question type {kind!r}; use one of {', '.join(types)}"
                + _hint(str(kind), types),
            )
            return None
        qtype = QuestionType(kind)
        optional = item.get("optional", False)
        if not isinstance(optional, bool):
            self.problem((*path, "optional"), "must be true or false")
        scale = self.scale(item, path, qtype)
        choices = self.choices(item, path, qtype)
        dimension = self.dimension(item, path, qtype)
        condition = None
        if "condition" in item:
            condition = self.condition(
                item["condition"], (*path, "condition"), key, earlier, keys_before, keys_after
            )
        if "condition" in item and condition is None:
            return None
        if len(self.problems) > before or key is None or texts is None:
            return None
        return Question(key, qtype, texts, optional, scale, choices, condition, dimension)

    def scale(self, item: dict[str, Any], path: KeyPath, qtype: QuestionType) -> Scale | None:
        if qtype is not QuestionType.RATING:
            if "scale" in item:
                self.problem((*path, "scale"), "only rating questions have a scale")
            return None
        spath = (*path, "scale")
        if "scale" not in item:
            self.problem(path, "missing required field 'scale' (a rating needs min and max)")
            return None
        value = item["scale"]
        if not self.fields(value, spath, SCALE_FIELDS, "a scale"):
            return None
        low, high = value["min"], value["max"]
        for name, number in (("min", low), ("max", high)):
            if not _is_int(number):
                self.problem((*spath, name), f"must be a whole number (got {number!r})")
        if not (_is_int(low) and _is_int(high)):
            return None
        if low >= high:
            self.problem(spath, f"min ({low}) must be below max ({high})")
            return None
        if high - low + 1 > MAX_SCALE_POINTS:
            self.problem(
                spath, f"has {high - low + 1} points; at most {MAX_SCALE_POINTS} (e.g. 0-10)"
            )
            return None
        labels = [
            self.texts(value[name], (*spath, name), MAX_LABEL) if name in value else {}
            for name in ("min_label", "max_label")
        ]
        if labels[0] is None or labels[1] is None:
            return None
        return Scale(low, high, labels[0], labels[1])

    def choices(
        self, item: dict[str, Any], path: KeyPath, qtype: QuestionType
    ) -> tuple[Choice, ...]:
        cpath = (*path, "choices")
        if qtype is not QuestionType.CHOICE:
            if "choices" in item:
                self.problem(cpath, "only choice questions have choices")
            return ()
        values = item.get("choices")
        if not isinstance(values, list) or not 2 <= len(values) <= MAX_CHOICES:
            where = cpath if "choices" in item else path
            self.problem(where, f"a choice question needs a 'choices' list of 2-{MAX_CHOICES}")
            return ()
        choices: list[Choice] = []
        seen: set[str] = set()
        for index, value in enumerate(values):
            if not self.fields(value, (*cpath, index), CHOICE_FIELDS, "a choice"):
                continue
            key = self.key(value["key"], (*cpath, index, "key"), CHOICE_KEY, "choice key")
            texts = self.texts(value["text"], (*cpath, index, "text"), MAX_LABEL)
            if key in seen:
                self.problem((*cpath, index, "key"), f"duplicate choice key {key!r}")
            elif key is not None and texts is not None:
                seen.add(key)
                choices.append(Choice(key, texts))
        return tuple(choices)

    def dimension(
        self, item: dict[str, Any], path: KeyPath, qtype: QuestionType
    ) -> Dimension | None:
        if "dimension" not in item:
            return None
        value = item["dimension"]
        names = [str(d) for d in Dimension]
        if qtype is not QuestionType.RATING:
            self.problem((*path, "dimension"), "only rating questions have a dimension")
        elif value not in names:
            self.problem((*path, "dimension"), f"must be {' or '.join(names)} (got {value!r})")
        else:
            return Dimension(value)
        return None

    def condition(
        self,
        value: Any,
        path: KeyPath,
        own_key: str | None,
        earlier: list[Question],
        keys_before: list[Any],
        keys_after: list[Any],
    ) -> Condition | None:
        if isinstance(value, str):
            value = parse_text(value)
            if value is None:
                self.problem(path, "must look like 'csat <= 2' (question, operator, value)")
                return None
        elif not self.fields(value, path, CONDITION_FIELDS, "a condition"):
            return None
        name = value["question"]
        operator = " ".join(str(value.get("operator", "==")).split())
        operator = "==" if operator == "=" else operator
        operators = [str(o) for o in Operator]
        if operator not in operators:
            self.problem(path, f"unknown operator {operator!r}; use one of {', '.join(operators)}")
            return None
        target = next((q for q in earlier if q.key == name), None)
        if target is None:
            if name == own_key:
                self.problem(path, f"a question cannot depend on itself ({name!r})")
            elif name in keys_before:
                pass  # that question has its own problem, reported already
            elif name in keys_after:
                self.problem(
                    path,
                    f"names question {name!r}, which comes later; "
                    "a condition can only test an earlier answer",
                )
            else:
                known = [q.key for q in earlier]
                self.problem(
                    path,
                    f"names unknown question {name!r}"
                    + (f"{_suggest(str(name), known)}" if known else ""),
                )
            return None
        checked = condition_value(
            value["value"], target, Operator(operator), lambda message: self.problem(path, message)
        )
        if checked is None:
            return None
        return Condition(name, Operator(operator), checked)
