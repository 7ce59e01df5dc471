"""The ids inside our Block Kit messages, and the payloads their buttons carry.

Messages stay in people's DMs for years and a press on an old one still arrives here, so these
strings are a contract: never rename one. Payloads carry ids only (JSON, short keys); the state
they refer to lives in the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from feedbackbot.errors import FeedbackbotError
from storage.types import INT32_MAX

ANSWER = "survey_answer"  # + ".<n>": a button of a rating/choice/yes-no question
ANSWER_PATTERN = re.compile(r"^survey_answer(\.\d+)?$")
COMMENT = "survey_comment"  # opens the free-text modal
SKIP = "survey_skip"  # skips an optional question
COMMENT_MODAL = "survey_comment_modal"  # callback_id of the modal
COMMENT_BLOCK = "comment"
COMMENT_INPUT = "comment_text"
FOLLOW_UP = "alert_follow_up"


class BadPayload(FeedbackbotError):
    """A button or modal carried a payload we did not write."""


def _is_id(value: object) -> bool:
    """A row id as we wrote it: a positive whole number an INTEGER column can hold (a larger
    one made PostgreSQL fail the whole request, issue 12)."""
    return type(value) is int and 0 < value <= INT32_MAX


@dataclass(frozen=True)
class QuestionRef:
    """Which question of which invitation a button belongs to, and the answer it gives.

    A rating button carries ``value``, a choice or yes/no button ``choice``; a comment or skip
    button neither.
    """

    invitation_id: int
    question_key: str
    value: int | None = None
    choice: str | None = None

    def encode(self) -> str:
        data: dict[str, object] = {"i": self.invitation_id, "q": self.question_key}
        if self.value is not None:
            data["v"] = self.value
        if self.choice is not None:
            data["c"] = self.choice
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, raw: str | None) -> QuestionRef:
        try:
            data = json.loads(raw or "")
            ref = cls(data["i"], data["q"], data.get("v"), data.get("c"))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise BadPayload() from None
        valid = (
            _is_id(ref.invitation_id)
            and isinstance(ref.question_key, str)
            and (ref.value is None or type(ref.value) is int)
            and (ref.choice is None or isinstance(ref.choice, str))
        )
        if not valid:
            raise BadPayload()
        return ref


@dataclass(frozen=True)
class CommentModalState:
    """What the comment modal keeps in ``private_metadata``: the question, its message and the
    customer's language (for a validation error, which is answered before any lookup)."""

    question: QuestionRef
    channel: str
    ts: str
    language: str = "en"

    def encode(self) -> str:
        data = {
            "i": self.question.invitation_id,
            "q": self.question.question_key,
            "c": self.channel,
            "t": self.ts,
            "l": self.language,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str | None) -> CommentModalState:
        try:
            data = json.loads(raw or "")
            question = QuestionRef.decode(json.dumps({"i": data["i"], "q": data["q"]}))
            channel, ts = str(data["c"]), str(data["t"])
            language = str(data.get("l") or "en")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise BadPayload() from None
        return cls(question, channel, ts, language)


def follow_up_value(follow_up_id: int) -> str:
    return json.dumps({"f": follow_up_id}, separators=(",", ":"))


def decode_follow_up(raw: str | None) -> int:
    try:
        follow_up_id = json.loads(raw or "")["f"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise BadPayload() from None
    if not _is_id(follow_up_id):
        raise BadPayload()
    return follow_up_id
