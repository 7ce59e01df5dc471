"""The answers CSV of ``import answers`` and ``export answers``: reading, checking, writing.

Columns (DESIGN section 6): customer_id, agent_id, case_id, survey, question, value, text,
answered_at; optional survey_version, channel, team (what an export adds). Every problem with a
row names its line, the column and what is wrong, so a user can fix the file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from feedbackbot.errors import FeedbackbotError
from scoring.questions import SCALES
from storage.transfer import EXPORT_COLUMNS, AnswerRecord

REQUIRED_COLUMNS = EXPORT_COLUMNS[:8]
OPTIONAL_COLUMNS = EXPORT_COLUMNS[8:]
_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_LIMITS = {
    "customer_id": 200,
    "agent_id": 200,
    "case_id": 200,
    "text": 2000,
    "survey_version": 64,
    "channel": 64,
    "team": 200,
}
_YES_NO = {"yes": 1, "no": 0}


class BadFile(FeedbackbotError):
    """The file cannot be imported."""


class BadRow(ValueError):
    """One row cannot be imported; the message names the column."""


@dataclass(frozen=True)
class ParsedLine:
    line: int
    raw: dict[str, str]
    record: AnswerRecord | None
    error: str | None


def _check_header(path: Path, header: list[str] | None) -> None:
    if not header:
        raise BadFile(f"{path}: the file is empty; the first line must name the columns")
    names = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
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
    text = (raw.get(column) or "").strip()
    if not text:
        if required:
            raise BadRow(f"{column} is required")
        return None
    limit = _LIMITS.get(column)
    if limit and len(text) > limit:
        raise BadRow(f"{column} is longer than {limit} characters")
    return text


def _key(raw: Mapping[str, str], column: str) -> str:
    text = _text(raw, column, required=True) or ""
    if not _KEY.match(text):
        raise BadRow(f"{column} {text!r} must be 1-64 letters, digits, '_', '-' or '.'")
    return text


def _value(question: str, text: str | None) -> tuple[int | None, str | None]:
    """The stored value and choice: a whole number, yes/no (1/0), or a choice's text."""
    if text is None:
        return None, None
    if text.lower() in _YES_NO and SCALES.get(question, (0, 1)) == (0, 1):
        return _YES_NO[text.lower()], text.lower()
    try:
        number = int(text)
    except ValueError:
        if question in SCALES:
            low, high = SCALES[question]
            raise BadRow(
                f"value {text!r} is not a whole number ({question} is rated {low}-{high})"
            ) from None
        if len(text) > 100:
            raise BadRow("value is longer than 100 characters") from None
        return None, text
    if question in SCALES:
        low, high = SCALES[question]
        if not low <= number <= high:
            raise BadRow(f"value {number} is outside {low}-{high} for question {question}")
    return number, None


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


def parse_row(raw: Mapping[str, str]) -> AnswerRecord:
    """Check one CSV row; raises BadRow naming the column and the problem."""
    question = _key(raw, "question")
    value, choice = _value(question, _text(raw, "value"))
    return AnswerRecord(
        customer=_text(raw, "customer_id", required=True) or "",
        agent=_text(raw, "agent_id"),
        case=_text(raw, "case_id", required=True) or "",
        survey=_key(raw, "survey"),
        question=question,
        value=value,
        choice=choice,
        text=_text(raw, "text"),
        answered_at=_moment(_text(raw, "answered_at")),
        survey_version=_text(raw, "survey_version"),
        channel=_text(raw, "channel"),
        team=_text(raw, "team"),
    )


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def read_rows(path: Path) -> Iterator[ParsedLine]:
    """Every data row of the file with its first line number, parsed or with its error."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise BadFile(f"{path}: cannot read it ({error.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            _check_header(path, reader.fieldnames)
            line = reader.line_num + 1
            for raw in reader:
                cleaned = {(k or "").strip(): v for k, v in raw.items() if k is not None}
                if None in raw:
                    error: str | None = "more cells than columns"
                    yield ParsedLine(line, cleaned, None, error)
                else:
                    try:
                        yield ParsedLine(line, cleaned, parse_row(cleaned), None)
                    except BadRow as problem:
                        yield ParsedLine(line, cleaned, None, str(problem))
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise BadFile(f"{path}: is not UTF-8 text; save it as UTF-8 CSV") from None
        except csv.Error as error:
            raise BadFile(f"{path}, line {reader.line_num}: {error}") from None


def export_cells(row: Mapping[str, Any]) -> dict[str, str]:
    """An exported answer as CSV/JSON cells, in the columns ``read_rows`` accepts."""
    value, choice = row["value"], row["choice"]
    if value is not None and choice in _YES_NO:
        shown = choice
    elif value is not None:
        shown = str(value)
    else:
        shown = choice or ""
    cells = {name: row[name] for name in EXPORT_COLUMNS if name in row}
    cells["value"] = shown
    cells["answered_at"] = row["answered_at"].isoformat()
    return {name: "" if cells[name] is None else str(cells[name]) for name in EXPORT_COLUMNS}


def write_csv_header(out: TextIO) -> csv.DictWriter[str]:
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    return writer
