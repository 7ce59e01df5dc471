"""The answers file of ``import answers`` and ``export answers``: reading, checking, writing.

Columns (DESIGN section 6): customer_id, agent_id, case_id, survey, question, value, text,
answered_at; optional survey_version, channel, team and response (what an export adds). CSV or
JSON lines (one object a line with the same keys). Every problem with a row names its line, the
column and what is wrong, so a user can fix the file. Rows are checked against the survey
catalog: the survey and question must exist and the value fit the question.

CSV cells a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage
return) are written with a leading ``'`` (issue 12), and reading takes exactly that ``'`` off
again, so an export imports unchanged. Numbers in ``value`` are written as they are.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.cli.importing import Parsed
from feedbackbot.errors import FeedbackbotError
from storage.transfer import EXPORT_COLUMNS, AnswerRecord
from surveys.catalog import Catalog
from surveys.definitions import Question, QuestionType

REQUIRED_COLUMNS = EXPORT_COLUMNS[:8]
OPTIONAL_COLUMNS = EXPORT_COLUMNS[8:]
OPTIONAL_ON_IMPORT = ("agent_id", "case_id", "text")
_LIMITS = {
    "customer_id": 200,
    "agent_id": 200,
    "case_id": 200,
    "text": 2000,
    "survey_version": 64,
    "channel": 64,
    "team": 200,
    "response": 200,
}
_YES_NO = {"yes": 1, "no": 0, "1": 1, "0": 0}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_INTEGER = re.compile(r"^-?\d{1,18}$")


class BadFile(FeedbackbotError):
    """The file cannot be imported."""


class BadRow(ValueError):
    """One row cannot be imported; the message names the column."""


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: a leading ``'`` before a formula start.

    A cell that already starts with apostrophes before a formula start gets one more, so that
    ``restore`` (which takes one off) gives every cell back exactly.
    """
    if cell.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The inverse of ``neutralise``."""
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _check_header(path: Path, header: Sequence[str] | None) -> None:
    if not header:
        raise BadFile(f"{path}: the file is empty; the first line must name the columns")
    names = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names and c not in OPTIONAL_ON_IMPORT]
    unknown = [c for c in names if c not in EXPORT_COLUMNS]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if problems:
        raise BadFile(
            f"{path}, line 1: {'; '.join(problems)}. "
            f"Expected {', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})"
        )


def _text(raw: Mapping[str, str], column: str, required: bool = False) -> str | None:
    """The cell, stripped of surrounding spaces except in ``text`` (a comment is kept as typed)."""
    given = raw.get(column) or ""
    text = given if column == "text" and given.strip() else given.strip()
    if not text:
        if required:
            raise BadRow(f"{column} is required")
        return None
    limit = _LIMITS.get(column)
    if limit and len(text) > limit:
        raise BadRow(f"{column} is longer than {limit} characters")
    return text


def _question(catalog: Catalog, raw: Mapping[str, str]) -> tuple[str, Question]:
    survey_key = _text(raw, "survey", required=True) or ""
    if survey_key not in catalog:
        raise BadRow(
            f"survey {survey_key!r} is not in the survey catalog (known: "
            f"{', '.join(catalog.keys())})"
        )
    survey = catalog.get(survey_key)
    question_key = _text(raw, "question", required=True) or ""
    question = survey.question(question_key)
    if question is None:
        raise BadRow(
            f"question {question_key!r} is not a question of survey {survey_key} (its "
            f"questions: {', '.join(q.key for q in survey.questions)})"
        )
    return survey_key, question


def _value(question: Question, text: str | None) -> tuple[int | None, str | None]:
    """The stored value and choice: a scale point, yes/no (1/0 with the word), or a choice key."""
    if text is None:
        return None, None
    kind = question.type
    if kind is QuestionType.RATING and question.scale is not None:
        low, high = question.scale.min, question.scale.max
        if not _INTEGER.match(text):
            raise BadRow(
                f"value {text!r} is not a whole number ({question.key} is rated {low}-{high})"
            )
        number = int(text)
        if not low <= number <= high:
            raise BadRow(f"value {number} is outside {low}-{high} for question {question.key}")
        return number, None
    if kind is QuestionType.YES_NO:
        if text.lower() not in _YES_NO:
            raise BadRow(f"value {text!r} must be yes or no for question {question.key}")
        number = _YES_NO[text.lower()]
        return number, "yes" if number else "no"
    if kind is QuestionType.CHOICE:
        if question.choice(text) is None:
            keys = ", ".join(c.key for c in question.choices)
            raise BadRow(f"value {text!r} is not a choice of question {question.key} ({keys})")
        return None, text
    raise BadRow(f"question {question.key} takes free text: put it in the text column, not value")


def _moment(text: str | None) -> datetime:
    if text is None:
        raise BadRow("answered_at is required")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(
            f"answered_at {text!r} is not an ISO 8601 timestamp (e.g. 2026-03-01T14:30:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_row(raw: Mapping[str, str], catalog: Catalog) -> AnswerRecord:
    """Check one row against the catalog; raises BadRow naming the column and the problem."""
    survey, question = _question(catalog, raw)
    value, choice = _value(question, _text(raw, "value"))
    text = _text(raw, "text")
    if text is not None and question.type is not QuestionType.TEXT:
        raise BadRow(f"question {question.key} is not a text question: leave text empty")
    return AnswerRecord(
        customer=_text(raw, "customer_id", required=True) or "",
        agent=_text(raw, "agent_id"),
        case=_text(raw, "case_id"),
        survey=survey,
        question=question.key,
        value=value,
        choice=choice,
        text=text,
        answered_at=_moment(_text(raw, "answered_at")),
        survey_version=_text(raw, "survey_version"),
        channel=_text(raw, "channel"),
        team=_text(raw, "team"),
        response=_text(raw, "response"),
    )


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson", ".json")


def check_readable(path: Path) -> int:
    """Read the whole file once before anything is stored; returns how many rows it has.

    Raises BadFile for a file that cannot be read, is not UTF-8 or is not CSV/JSON lines, so
    those problems stop the import before it writes anything.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            if is_jsonl(path):
                return sum(1 for line in handle if line.strip())
            return max(0, sum(1 for _ in csv.reader(handle)) - 1)
    except OSError as error:
        raise BadFile(f"{path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise BadFile(
            f"{path}: is not UTF-8 text (byte {error.start} cannot be read); save it as UTF-8"
        ) from None
    except csv.Error as error:
        raise BadFile(f"{path}: is not a readable CSV file ({error})") from None


def _csv_rows(path: Path, handle: TextIO) -> Iterator[tuple[int, dict[str, str], str | None]]:
    reader = csv.DictReader(handle)
    _check_header(path, reader.fieldnames)
    line = reader.line_num + 1
    for raw in reader:
        cleaned = {(k or "").strip(): restore(v or "") for k, v in raw.items() if k is not None}
        yield line, cleaned, "more cells than columns" if None in raw else None
        line = reader.line_num + 1


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _jsonl_rows(path: Path, handle: TextIO) -> Iterator[tuple[int, dict[str, str], str | None]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, {}, f"not valid JSON: {error.msg} at column {error.colno}"
            continue
        if not isinstance(data, dict):
            yield number, {}, "must be a JSON object"
            continue
        unknown = sorted(set(data) - set(EXPORT_COLUMNS))
        cells = {str(k): _json_cell(v) for k, v in data.items()}
        yield number, cells, f"unknown key(s) {', '.join(unknown)}" if unknown else None


def read_rows(path: Path, catalog: Catalog) -> Iterator[Parsed[AnswerRecord]]:
    """Every data row of the file with its first line number, parsed or with its error."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise BadFile(f"{path}: cannot read it ({error.strerror})") from None
    with handle:
        rows = _jsonl_rows(path, handle) if is_jsonl(path) else _csv_rows(path, handle)
        try:
            for line, raw, unreadable in rows:
                if unreadable is not None:
                    yield Parsed(line, None, unreadable, raw)
                    continue
                try:
                    yield Parsed(line, parse_row(raw, catalog), None, raw)
                except BadRow as problem:
                    yield Parsed(line, None, str(problem), raw)
        except UnicodeDecodeError:
            raise BadFile(f"{path}: is not UTF-8 text; save it as UTF-8") from None
        except csv.Error as error:
            raise BadFile(f"{path}: is not a readable CSV file ({error})") from None


def export_cells(row: Mapping[Any, Any]) -> dict[str, Any]:
    """An exported answer in the columns ``read_rows`` accepts: ``value`` an int when it is a
    number (rating), else text; missing cells empty strings."""
    value, choice = row["value"], row["choice"]
    shown: Any
    if value is not None and choice in ("yes", "no"):
        shown = choice
    elif value is not None:
        shown = value
    else:
        shown = choice or ""
    cells = {name: row[name] for name in EXPORT_COLUMNS if name in row}
    cells["value"] = shown
    cells["answered_at"] = row["answered_at"].isoformat()
    return {
        name: shown if name == "value" else "" if cells.get(name) is None else str(cells[name])
        for name in EXPORT_COLUMNS
    }


def csv_cells(cells: Mapping[str, Any]) -> dict[str, str]:
    """Export cells for a CSV file: text neutralised, numbers as they are."""
    return {k: str(v) if isinstance(v, int) else neutralise(str(v)) for k, v in cells.items()}


def write_csv_header(out: TextIO) -> csv.DictWriter[str]:
    """A CSV writer with RFC 4180 line ends: the csv module quotes a cell only for characters of
    its line terminator, so with a bare newline a carriage return in a comment split the row."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    return writer
