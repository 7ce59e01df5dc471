"""The case-closed event, as the helpdesk sends it (HTTP body or one line of a JSONL file).

Validation reports every problem with a dotted field path (``customer.timezone``), so the
HTTP API and ``feedbackbot case close --file`` can name what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from feedbackbot.errors import FeedbackbotError
from storage.privacy import is_pseudonym
from storage.types import EARLIEST, INT32_MAX, LATEST

LANGUAGES = ("en", "es", "de", "ru")
"""Languages every built-in survey speaks; ``parse_event`` may be given another list."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


NOT_SINGLE_LINE = "must not contain control characters (such as NUL or a line break)"


def is_single_line(value: str) -> bool:
    """Ids and names are one line of printable text: a NUL is refused by PostgreSQL, and a
    line break or other control character could forge log lines or garble a table (issue 12)."""
    return _CONTROL.search(value) is None


def _single_line(value: str) -> str:
    if not is_single_line(value):
        raise ValueError(NOT_SINGLE_LINE)
    return value


MAX_ID_LENGTH = 200
Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH), AfterValidator(_single_line)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_single_line)]
Short = Annotated[str, Field(max_length=64), AfterValidator(_single_line)]
Key = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_single_line)]
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{1,30}[0-9]$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a known time zone (e.g. Europe/Berlin)") from None
    return value


class CustomerIn(_Strict):
    id: Id
    name: Name | None = None
    email: Annotated[str, Field(max_length=320), AfterValidator(_single_line)] | None = None
    phone: str | None = None
    telegram_chat_id: int | str | None = None
    slack_user_id: str | None = None
    language: Short | None = None
    timezone: Short | None = None

    @field_validator("id")
    @classmethod
    def _not_erased(cls, value: str) -> str:
        if is_pseudonym(value):
            raise ValueError(
                "is the pseudonym of an erased customer: nothing new is recorded about them"
            )
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("is not an e-mail address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value):
            raise ValueError("must be a phone number such as +49 30 1234567")
        return value

    @field_validator("telegram_chat_id")
    @classmethod
    def _chat_id(cls, value: int | str | None) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]{1,20}", text) or int(text) == 0:
            raise ValueError("must be a Telegram chat id (a non-zero whole number)")
        return text

    @field_validator("slack_user_id")
    @classmethod
    def _slack_user(cls, value: str | None) -> str | None:
        if value is not None and not _SLACK_USER.match(value):
            raise ValueError("must be a Slack user id such as U024BE7LH")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        languages = (info.context or {}).get("languages", LANGUAGES)
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary not in languages:
            raise ValueError(f"{value!r} is not one of {', '.join(languages)}")
        return primary

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return _check_timezone(value)


class AgentIn(_Strict):
    id: Id
    name: Name | None = None
    email: Annotated[str, Field(max_length=320), AfterValidator(_single_line)] | None = None
    slack_user_id: str | None = None
    team: Name | None = None

    @field_validator("slack_user_id")
    @classmethod
    def _slack_user(cls, value: str | None) -> str | None:
        return CustomerIn._slack_user(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return CustomerIn._email(value)


class CaseClosed(_Strict):
    """One closed case. Times must carry a UTC offset (``2026-03-02T10:00:00Z``)."""

    case_id: Id
    customer: CustomerIn
    agent: AgentIn | None = None
    opened_at: datetime | None = None
    closed_at: datetime
    contacts: Annotated[int, Field(ge=0, le=10_000)] = 1
    resolved: bool = True
    handle_seconds: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    channel: Annotated[Short, Field(min_length=1)] | None = None
    surveys: Annotated[tuple[Key, ...], Field(min_length=1, max_length=20)] | None = None
    """The surveys this case may lead to, highest priority first (default ``CASE_SURVEYS``)."""

    @field_validator("opened_at", "closed_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("needs a UTC offset, e.g. 2026-03-02T10:00:00Z")
        if not EARLIEST <= value < LATEST:
            raise ValueError(
                f"must be between {EARLIEST.year} and {LATEST.year - 1} (it is year {value.year})"
            )
        return value

    @model_validator(mode="after")
    def _order(self) -> CaseClosed:
        if self.opened_at is not None and self.opened_at > self.closed_at:
            raise ValueError("opened_at is after closed_at")
        return self

    def fingerprint(self) -> str:
        """A hash of the event's content: the same case_id with another body is a conflict."""
        data = self.model_dump(mode="json")
        if data["surveys"] is None:
            del data["surveys"]  # events from before per-case surveys keep their hash
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class InvalidEvent(FeedbackbotError):
    """A case event with problems; ``problems`` lists ``(field, problem)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in problems))


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_type": "must be a string",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "datetime_type": "must be an ISO 8601 time such as 2026-03-02T10:00:00Z",
    "datetime_parsing": "must be an ISO 8601 time such as 2026-03-02T10:00:00Z",
    "datetime_from_date_parsing": "must be an ISO 8601 time such as 2026-03-02T10:00:00Z",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "string_too_short": "must not be empty",
    "string_too_long": "is longer than {max_length} characters",
    "too_short": "must not be empty",
    "too_long": "has more than {max_length} items",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
}


def describe(error: ValidationError) -> list[tuple[str, str]]:
    """``(field, problem)`` per problem; union branches of one field are reported once."""
    problems: dict[str, str] = {}
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"] if not _is_branch(part)]
        name = ".".join(location) or "body"
        template = _MESSAGES.get(item["type"])
        message = template.format(**item.get("ctx", {})) if template else item["msg"]
        problems.setdefault(name, message.removeprefix("Value error, "))
    return list(problems.items())


def _is_branch(part: Any) -> bool:
    """pydantic names union branches in locations (``int``, ``str``, ``function-after[...]``)."""
    return isinstance(part, str) and (
        part in {"int", "str", "none", "AgentIn", "CustomerIn"} or "[" in part
    )


def parse_event(data: Any, languages: tuple[str, ...] = LANGUAGES) -> CaseClosed:
    """Validate a decoded JSON body; raises ``InvalidEvent`` naming each field and problem."""
    if not isinstance(data, dict):
        raise InvalidEvent([("body", "must be a JSON object")])
    try:
        return CaseClosed.model_validate(data, context={"languages": languages})
    except ValidationError as error:
        raise InvalidEvent(describe(error)) from None
