"""The channel-neutral conversation: the next question of an invitation, and recording answers.

Channels turn a button press or a message into an ``AnswerCommand`` and render what comes
back (``Prompt``, ``Complete`` or ``Rejected``). Progress lives in the ``answer`` table, so
nothing is held in memory between steps. Functions take the caller's session or connection
(``storage.engine.Database``) and never commit; an answer, the invitation's status and a
low-score follow-up are written as one atomic change.

An invitation reads its survey from the snapshot stored by ``pin_version`` under its
``survey_version``, never from the live catalog, so editing a survey never changes what an open
invitation asks or how its answers are read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from storage import presses
from storage import surveys as survey_store
from storage.answers import GivenAnswer
from storage.engine import Database
from storage.models import Platform
from storage.presses import PressState
from storage.types import utcnow
from surveys.definitions import Question, QuestionType, Survey
from surveys.errors import DefinitionNotPinned, SurveyError
from surveys.messages import say
from surveys.refs import find_question, option_values, resolve_option
from surveys.steps import (
    Complete,
    Given,
    Option,
    Prompt,
    Rejected,
    RejectReason,
    Step,
    choose_language,
    progress,
    rejected,
    step,
)

__all__ = [
    "NOBODY",
    "AlertRule",
    "AnswerCommand",
    "Complete",
    "Option",
    "Outcome",
    "Prompt",
    "RejectReason",
    "Rejected",
    "UnknownInvitation",
    "answer",
    "load_survey",
    "next_step",
    "pin_version",
]

log = logging.getLogger(__name__)
MAX_TEXT = 2000


class UnknownInvitation(SurveyError):
    """No invitation has this id."""


NOBODY: Final = 0
"""``AnswerCommand.customer_id`` of a sender the channel cannot tie to any customer."""


@dataclass(frozen=True)
class AnswerCommand:
    """An answer as a channel received it.

    ``question_key`` and ``choice`` may be the compact forms of ``surveys.refs``. ``customer_id``
    is who answered: when set, it must be the invitation's customer, otherwise the answer is
    refused as ``not_yours`` (someone else's or a forged button); ``NOBODY`` never matches.
    None (an import, a test) checks nothing.
    """

    invitation_id: int
    question_key: str
    value: int | None = None
    choice: str | None = None
    text: str | None = None
    skip: bool = False
    customer_id: int | None = None


@dataclass(frozen=True)
class AlertRule:
    """Scores at or below these raise a follow-up for the case's agent."""

    low_csat: int = 2
    low_nps: int = 6


@dataclass(frozen=True)
class Outcome:
    """What became of an answer, for every channel alike.

    ``step`` is what comes next after a recorded answer, the same open step for a repeat, or
    the refusal. The channel renders it: on ``recorded``, show ``note()`` on the answered
    question (``answered``, sent as message ``asked_in`` when known) and send ``step``; else
    tell the sender ``notice`` if there is one.
    """

    step: Prompt | Complete | Rejected
    recorded: bool
    """True only when this call stored a new answer."""
    answered: Prompt | None = None
    """The question this answer was for (recorded or repeated)."""
    given: Given | None = None
    label: str | None = None
    """The chosen option as its button showed it."""
    asked_in: str | None = None
    """The platform's reference of the invitation's latest question message."""
    alert: bool = False
    """The invitation has a low-score alert to send or to refresh with this answer."""

    @property
    def language(self) -> str:
        return self.step.language

    @property
    def refused(self) -> Rejected | None:
        return self.step if isinstance(self.step, Rejected) else None

    @property
    def next(self) -> Prompt | Complete | None:
        """After a recorded answer, what to send: the next question or the thank-you."""
        return None if isinstance(self.step, Rejected) or not self.recorded else self.step

    @property
    def notice(self) -> str | None:
        """What to tell the sender when nothing was recorded: the refusal, or that a repeated
        answer counted already; None after a recorded answer."""
        if isinstance(self.step, Rejected):
            return self.step.text
        return None if self.recorded else say("counted", self.language)

    def note(self, emphasise: Callable[[str], str] = str) -> str:
        """What the answered question shows now: "Your answer: 4", "Skipped.", a thank-you for
        a comment. ``emphasise`` formats the answer (Slack makes it bold)."""
        given = self.given or Given()
        if given.skipped:
            return say("skipped", self.language)
        if given.text is not None:
            return say("your_comment", self.language)
        return say("your_answer", self.language, answer=emphasise(self.label or ""))


async def pin_version(session: AsyncSession, survey: Survey) -> None:
    """Store ``survey``'s definition under its version, if not stored yet.

    Call it in the transaction that creates an invitation with ``survey.version``.
    """
    await survey_store.save_definition(session, survey.key, survey.version, survey.to_dict())


_PINNED: dict[tuple[str, str], Survey] = {}
"""Decoded pinned surveys by (key, version): a pinned version never changes, so each is read
and decoded once per process (issue 17: decoding on every press was a fifth of its cost)."""
_PINNED_MAX = 1024


def forget_pinned_surveys() -> None:
    """Empty the decoded-survey cache (tests that reuse a key and version on new databases)."""
    _PINNED.clear()


async def load_survey(database: Database, survey_key: str, version: str) -> Survey:
    """The pinned definition of ``survey_key`` at ``version``; raises ``DefinitionNotPinned``."""
    survey = _PINNED.get((survey_key, version))
    if survey is not None:
        return survey
    data = await survey_store.get_definition(database, survey_key, version)
    if data is None:
        raise DefinitionNotPinned(
            f"Survey {survey_key!r} version {version!r} was never pinned: "
            "call surveys.conversation.pin_version when creating the invitation"
        )
    if len(_PINNED) >= _PINNED_MAX:
        _PINNED.clear()
    survey = _PINNED[(survey_key, version)] = Survey.from_dict(data)
    return survey


def _given(answers: tuple[GivenAnswer, ...]) -> dict[str, Given]:
    return {a.question_key: Given(a.value, a.choice, a.text, a.skipped) for a in answers}


def _language(survey: Survey, state: PressState, default_language: str) -> str:
    return choose_language(
        survey, state.identity_language, state.customer_language, default_language
    )


async def next_step(
    database: Database, invitation_id: int, *, default_language: str = "en"
) -> Prompt | Complete:
    """The question to ask next, or ``Complete``; reads only. Raises ``UnknownInvitation``.

    It answers whatever the invitation's status: whether to send is the caller's decision.
    """
    state = await presses.press_state(database, invitation_id)
    if state is None:
        raise UnknownInvitation(f"No invitation with id {invitation_id}")
    survey = await load_survey(database, state.survey_key, state.survey_version)
    language = _language(survey, state, default_language)
    return step(invitation_id, survey, progress(survey, _given(state.answers)), language)


def normalize(question: Question, command: AnswerCommand) -> Given | RejectReason:
    """The answer as it would be stored, or why it cannot be an answer to ``question``."""
    if command.skip:
        return Given(skipped=True) if question.optional else RejectReason.NOT_OPTIONAL
    match question.type:
        case QuestionType.RATING:
            value = command.value
            if value is None and command.choice is not None and command.choice.isdigit():
                value = int(command.choice)
            if not isinstance(value, int) or isinstance(value, bool):
                return RejectReason.INVALID_ANSWER
            if question.scale is None or value not in question.scale:
                return RejectReason.OUT_OF_RANGE
            return Given(value=value)
        case QuestionType.YES_NO:
            word = command.choice.strip().lower() if command.choice is not None else None
            if word is None and command.value in (0, 1) and not isinstance(command.value, bool):
                word = "yes" if command.value == 1 else "no"
            if word not in ("yes", "no"):
                return RejectReason.INVALID_ANSWER if word is None else RejectReason.UNKNOWN_CHOICE
            return Given(value=1 if word == "yes" else 0, choice=word)
        case QuestionType.CHOICE:
            if command.choice is None:
                return RejectReason.INVALID_ANSWER
            if question.choice(command.choice) is None:
                return RejectReason.UNKNOWN_CHOICE
            return Given(choice=command.choice)
        case _:
            if command.text is None:
                return RejectReason.INVALID_ANSWER
            # PostgreSQL text cannot hold NUL characters; nobody types them on purpose.
            text = command.text.replace("\x00", "").strip()[:MAX_TEXT].rstrip()
            return Given(text=text) if text else RejectReason.EMPTY_TEXT


def _resolved(question: Question, command: AnswerCommand) -> AnswerCommand | None:
    """The command with a ``#n`` option reference replaced by its value; None if no such option."""
    if command.choice is None or not command.choice.startswith("#"):
        return command
    value = resolve_option(command.choice, option_values(question))
    return None if value is None else replace(command, choice=value)


def _label(current: Step, given: Given) -> str | None:
    if not isinstance(current, Prompt):
        return None
    chosen = given.choice if given.choice is not None else str(given.value)
    return next((o.label for o in current.options if o.value == chosen), chosen)


async def answer(
    database: Database,
    command: AnswerCommand,
    *,
    alerts: AlertRule,
    default_language: str = "en",
    sender: tuple[Platform, str] | None = None,
    sender_language: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Validate and record one answer; returns the next step, or why the answer was refused.

    Writes, as one change (``storage.presses.record_answer``): the answer row; the
    invitation's ``answered`` status once every required question that applies is answered; a
    ``follow_up`` row when the answer is a low CSAT or NPS. Giving the same answer again records
    nothing and returns the same next step, so a double tap or a re-delivered update is
    harmless. ``database`` may be a transaction or, on PostgreSQL, an autocommit connection
    (``storage.presses.press_connection``): the write re-checks what the read found.

    ``sender`` (platform, address) is who sent the answer: it becomes ``command.customer_id``
    in the same read as the invitation. ``sender_language`` (the client's language) words a
    refusal to someone who is not the invitation's customer.
    """
    now = now or utcnow()
    found = await presses.press_state(database, command.invitation_id, sender=sender)
    if sender is not None:
        sender_customer = found.sender_customer_id if found is not None else None
        command = replace(command, customer_id=sender_customer or NOBODY)
    owner = found.customer_id if found is not None else None
    if found is None or (command.customer_id is not None and command.customer_id != owner):
        reason = RejectReason.UNKNOWN_INVITATION if found is None else RejectReason.NOT_YOURS
        log.info(
            "answer refused",
            extra={"invitation_id": command.invitation_id, "reason": str(reason)},
        )
        language = choose_language(None, sender_language, default_language)
        return Outcome(rejected(command.invitation_id, reason, language), False)
    invitation_id = found.invitation_id
    survey = await load_survey(database, found.survey_key, found.survey_version)
    language = _language(survey, found, default_language)
    given = _given(found.answers)
    state = progress(survey, given)
    current = step(invitation_id, survey, state, language)

    def refuse(reason: RejectReason, shown: Step | None = current) -> Outcome:
        log.info(
            "answer refused",
            extra={
                "invitation_id": invitation_id,
                "question": command.question_key,
                "reason": str(reason),
            },
        )
        return Outcome(rejected(invitation_id, reason, language, shown), False)

    question = find_question(survey, command.question_key)
    resolved = _resolved(question, command) if question is not None else command
    if question is not None and resolved is None:
        return refuse(RejectReason.UNKNOWN_CHOICE)
    command = resolved or command
    if question is not None and question.key in given:
        earlier = given[question.key]
        if normalize(question, command) == earlier:
            return Outcome(current, False, given=earlier, asked_in=found.message_ref)
        return refuse(RejectReason.ALREADY_ANSWERED)
    if found.status in presses.CLOSED or state.current is None:
        return refuse(RejectReason.CLOSED, None)
    if question is None or state.current.key != question.key:
        return refuse(RejectReason.NOT_CURRENT_QUESTION)
    normalized = normalize(question, command)
    if isinstance(normalized, RejectReason):
        return refuse(normalized)

    row = GivenAnswer(
        question.key, normalized.value, normalized.choice, normalized.text, normalized.skipped
    )
    given[question.key] = normalized
    state = progress(survey, given)
    low_score = _alert_reason(question, normalized, alerts)
    recorded = await presses.record_answer(
        database,
        found,
        row,
        now,
        complete=state.required_answered(given) and found.status in presses.ANSWERABLE,
        follow_up=low_score,
    )
    if not recorded.stored:
        # Since our read, another press answered this question or the invitation was closed.
        again = await presses.press_state(database, invitation_id)
        existing = _given(again.answers if again else ()).get(question.key)
        if existing is None:
            return refuse(RejectReason.CLOSED, None)
        now_current = await next_step(database, invitation_id, default_language=default_language)
        if existing == normalized:
            return Outcome(now_current, False, given=normalized)
        return refuse(RejectReason.ALREADY_ANSWERED, now_current)
    extra = {"invitation_id": invitation_id, "question": question.key}
    log.info("answer recorded", extra=extra)
    if recorded.marked_answered:
        log.info("invitation answered", extra={"invitation_id": invitation_id})
    if recorded.followed_up:
        log.info("low score follow-up queued", extra={**extra, "agent_id": found.agent_id})
    return Outcome(
        step(invitation_id, survey, state, language),
        True,
        answered=current if isinstance(current, Prompt) else None,
        given=normalized,
        label=_label(current, normalized),
        asked_in=found.message_ref,
        alert=found.has_follow_up or recorded.followed_up,
    )


def _alert_reason(question: Question, given: Given, alerts: AlertRule) -> str | None:
    """``"CSAT 2"`` or ``"NPS 5"`` for a low score, else None."""
    if question.type is not QuestionType.RATING or given.value is None:
        return None
    if question.key == "csat" and given.value <= alerts.low_csat:
        return f"CSAT {given.value}"
    if question.key == "nps" and given.value <= alerts.low_nps:
        return f"NPS {given.value}"
    return None
