"""What the engine decides, as plain values a channel renders: a prompt, the end, or a refusal.

Also the pure part of the conversation: which questions apply given the answers so far, which
one is next, and how a customer's language is chosen. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from surveys.definitions import Question, QuestionType, Survey, render
from surveys.messages import LANGUAGES, say


class RejectReason(StrEnum):
    NOT_CURRENT_QUESTION = "not_current_question"
    ALREADY_ANSWERED = "already_answered"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CHOICE = "unknown_choice"
    INVALID_ANSWER = "invalid_answer"
    """The answer is of the wrong kind (no number for a rating, no text for a text question)."""
    EMPTY_TEXT = "empty_text"
    NOT_OPTIONAL = "not_optional"
    CLOSED = "closed"
    """The invitation is expired, cancelled, failed or skipped, or its survey is finished."""
    UNKNOWN_INVITATION = "unknown_invitation"
    NOT_YOURS = "not_yours"
    """The sender is not the invitation's customer (someone else's button, or a forged one)."""
    NO_OPEN_QUESTION = "no_open_question"
    USE_BUTTONS = "use_buttons"
    """A typed message while the open question wants a button."""
    TEXT_ONLY = "text_only"
    """A sticker, photo... while the open question wants typed text."""


@dataclass(frozen=True)
class Option:
    value: str
    """What the answer carries back: the scale point, ``yes``/``no`` or the choice key."""
    label: str


@dataclass(frozen=True)
class Prompt:
    """The next question, rendered in the customer's language."""

    invitation_id: int
    survey_key: str
    question_key: str
    type: QuestionType
    text: str
    language: str
    options: tuple[Option, ...]
    optional: bool
    skip_label: str | None
    min_label: str | None
    max_label: str | None
    number: int
    """This question's position among the questions that apply so far, from 1."""
    total: int
    """How many questions apply given the answers so far (a low score can add one)."""


@dataclass(frozen=True)
class Complete:
    """Every applicable question is answered or skipped; ``text`` is the thank-you."""

    invitation_id: int
    text: str
    language: str = "en"


@dataclass(frozen=True)
class Rejected:
    """The answer was not taken; ``text`` tells the customer why, ``current`` what is open.

    ``invitation_id`` is None when no invitation was concerned (a message with nothing open).
    """

    invitation_id: int | None
    reason: RejectReason
    text: str
    language: str = "en"
    current: Prompt | Complete | None = None


Step = Prompt | Complete


@dataclass(frozen=True)
class Given:
    """An answer as the engine compares it: the same answer twice is equal."""

    value: int | None = None
    choice: str | None = None
    text: str | None = None
    skipped: bool = False


@dataclass(frozen=True)
class Progress:
    applicable: tuple[Question, ...]
    current: Question | None
    """The first applicable question without an answer; None when the survey is finished."""

    def required_answered(self, answers: Mapping[str, Given]) -> bool:
        """True when every required question that applies has an answer."""
        return all(q.key in answers for q in self.applicable if not q.optional)


def progress(survey: Survey, answers: Mapping[str, Given]) -> Progress:
    """Walk the questions in order; a condition on a skipped or unasked question is false.

    Conditions only name earlier questions, so by the time a conditional question is reached
    every answer it depends on is either given or will never be.
    """
    applicable: list[Question] = []
    current: Question | None = None
    for question in survey.questions:
        condition = question.condition
        if condition is not None:
            earlier = answers.get(condition.question)
            if earlier is None or earlier.skipped:
                continue
            if not condition.holds(earlier.value, earlier.choice):
                continue
        applicable.append(question)
        if current is None and question.key not in answers:
            current = question
    return Progress(tuple(applicable), current)


def choose_language(survey: Survey | None, *candidates: str | None) -> str:
    """The first known candidate (identity, customer, default), reduced to its base language.

    A language the survey is not written in falls back to English.
    """
    available = survey.languages if survey is not None else frozenset(LANGUAGES)
    for candidate in candidates:
        if candidate and candidate.strip():
            base = candidate.strip().lower().replace("_", "-").split("-")[0]
            return base if base in available else "en"
    return "en"


def options(question: Question, language: str) -> tuple[Option, ...]:
    if question.type is QuestionType.RATING and question.scale is not None:
        return tuple(Option(str(point), str(point)) for point in question.scale.points)
    if question.type is QuestionType.YES_NO:
        return (Option("yes", say("yes", language)), Option("no", say("no", language)))
    if question.type is QuestionType.CHOICE:
        return tuple(Option(c.key, render(c.texts, language)) for c in question.choices)
    return ()


def step(invitation_id: int, survey: Survey, state: Progress, language: str) -> Step:
    """The prompt for ``state.current``, or the thank-you when nothing is left."""
    question = state.current
    if question is None:
        thanks = render(survey.thank_you, language) if survey.thank_you else None
        return Complete(invitation_id, thanks or say("thank_you", language), language)
    scale = question.scale
    return Prompt(
        invitation_id=invitation_id,
        survey_key=survey.key,
        question_key=question.key,
        type=question.type,
        text=render(question.texts, language),
        language=language,
        options=options(question, language),
        optional=question.optional,
        skip_label=say("skip", language) if question.optional else None,
        min_label=render(scale.min_label, language) if scale and scale.min_label else None,
        max_label=render(scale.max_label, language) if scale and scale.max_label else None,
        number=state.applicable.index(question) + 1,
        total=len(state.applicable),
    )


def rejected(
    invitation_id: int | None, reason: RejectReason, language: str, current: Step | None = None
) -> Rejected:
    return Rejected(invitation_id, reason, say(str(reason), language), language, current)
