"""Random answers, duplicates, stale answers and skips thrown at the engine: invariants hold.

The checks work out which questions apply with their own small evaluator, not the engine's,
so a wrong branch in the engine shows up as a disagreement.
"""

from __future__ import annotations

import operator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory
from storage.models import Answer, Invitation, InvitationStatus
from surveys.catalog import Catalog
from surveys.conversation import (
    AlertRule,
    AnswerCommand,
    Complete,
    Prompt,
    Rejected,
    RejectReason,
    answer,
    next_step,
)
from surveys.definitions import Question, QuestionType, Survey
from surveys.loader import load_text
from tests.factories import Factory
from tests.surveys.conftest import Invite

BRANCHING = """\
surveys:
  - key: branching
    title: Branching
    questions:
      - key: plan
        type: choice
        text: Which plan?
        choices: [{key: basic, text: Basic}, {key: pro, text: Pro}]
      - {key: score, type: rating, text: "Score?", scale: {min: 0, max: 4}}
      - {key: why, type: text, optional: true, condition: score <= 1, text: "Why?"}
      - key: trained
        type: yes_no
        condition: {question: plan, operator: in, value: [pro]}
        text: Trained?
      - {key: more, type: text, condition: trained == no, text: Tell us more}
      - {key: extra, type: rating, optional: true, text: "Extra?", scale: {min: 1, max: 3}}
"""
(BRANCHING_SURVEY,) = load_text(BRANCHING, "branching.yaml").surveys
COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}

command_kinds = st.one_of(
    st.tuples(st.just("value"), st.integers(min_value=-1, max_value=11)),
    st.tuples(st.just("choice"), st.sampled_from(["basic", "pro", "yes", "no", "YES", "gold"])),
    st.tuples(st.just("text"), st.sampled_from(["Great", "  fine  ", "", "   ", "x" * 2100])),
    st.tuples(st.just("skip"), st.just(True)),
)


def applicable(survey: Survey, answers: dict[str, Answer]) -> list[Question]:
    found = []
    for question in survey.questions:
        condition = question.condition
        if condition is not None:
            earlier = answers.get(condition.question)
            if earlier is None or earlier.skipped:
                continue
            subject = earlier.value
            values = condition.value if isinstance(condition.value, tuple) else (condition.value,)
            if any(isinstance(v, str) for v in values):
                subject = earlier.choice  # type: ignore[assignment]
            if not COMPARE[str(condition.operator)](subject, condition.value):
                continue
        found.append(question)
    return found


def valid_for(question: Question, kind: str, payload: Any) -> bool:
    if kind == "skip":
        return question.optional
    if question.type is QuestionType.RATING:
        return kind == "value" and question.scale is not None and payload in question.scale
    if question.type is QuestionType.YES_NO:
        return (kind == "choice" and payload.lower() in ("yes", "no")) or (
            kind == "value" and payload in (0, 1)
        )
    if question.type is QuestionType.CHOICE:
        return kind == "choice" and question.choice(payload) is not None
    return kind == "text" and bool(payload.strip())


def check_answer(question: Question | None, row: Answer) -> None:
    assert question is not None, row.question_key
    if row.skipped:
        assert question.optional
        assert (row.value, row.choice, row.text) == (None, None, None)
    elif question.type is QuestionType.RATING:
        assert question.scale is not None and row.value in question.scale
    elif question.type is QuestionType.YES_NO:
        assert (row.value, row.choice) in ((1, "yes"), (0, "no"))
    elif question.type is QuestionType.CHOICE:
        assert row.choice is not None and question.choice(row.choice) is not None
    else:
        assert row.text and row.text == row.text.strip() and len(row.text) <= 2000


@pytest.fixture
def surveys(catalog: Catalog) -> dict[str, Survey]:
    return {"csat": catalog.get("csat"), "nps": catalog.get("nps"), "branching": BRANCHING_SURVEY}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_answer_sequences_keep_the_invariants(
    engine: AsyncEngine,
    factory: Factory,
    invite: Invite,
    surveys: dict[str, Survey],
    data: st.DataObject,
) -> None:
    survey = surveys[data.draw(st.sampled_from(sorted(surveys)), label="survey")]
    keys = [q.key for q in survey.questions] + ["nope"]
    actions = data.draw(
        st.lists(st.tuples(st.sampled_from(keys), command_kinds), min_size=1, max_size=25),
        label="actions",
    )
    sent = await invite(survey)
    sessions = session_factory(engine)
    for key, (kind, payload) in actions:
        command = AnswerCommand(sent.id, key, **{kind: payload})
        async with sessions() as session, session.begin():
            before = await next_step(session, sent.id)
            count_before = len(
                list(
                    await session.scalars(select(Answer.id).where(Answer.invitation_id == sent.id))
                )
            )
            outcome = await answer(session, command, alerts=AlertRule())
        async with sessions() as session, session.begin():
            rows = list(
                await session.scalars(select(Answer).where(Answer.invitation_id == sent.id))
            )
            invitation = await session.get(Invitation, sent.id)
            after = await next_step(session, sent.id)
        answers = {row.question_key: row for row in rows}
        assert len(answers) == len(rows), "at most one answer per question"
        for row in rows:
            check_answer(survey.question(row.question_key), row)
        applying = applicable(survey, answers)
        assert set(answers) <= {q.key for q in applying}, "only questions that apply"
        assert isinstance(after, Complete) == all(q.key in answers for q in applying)
        required_done = all(q.key in answers for q in applying if not q.optional)
        assert invitation is not None
        assert (invitation.status is InvitationStatus.ANSWERED) == required_done
        assert outcome.recorded == (len(rows) == count_before + 1)
        assert len(rows) <= count_before + 1
        question = survey.question(key)
        is_current = isinstance(before, Prompt) and before.question_key == key
        if is_current and question is not None and valid_for(question, kind, payload):
            assert outcome.recorded, (command, outcome)
        if outcome.recorded:
            assert is_current
            assert outcome.step == after
        if isinstance(outcome.step, Rejected):
            if outcome.step.reason is RejectReason.NOT_CURRENT_QUESTION:
                assert not is_current


def test_the_independent_evaluator_follows_the_branches(surveys: dict[str, Survey]) -> None:
    """The property test's own evaluator, checked on known branches."""
    high = Answer(invitation_id=1, customer_id=1, survey_key="csat", question_key="csat", value=5)
    low = Answer(invitation_id=1, customer_id=1, survey_key="csat", question_key="csat", value=2)
    csat = surveys["csat"]
    assert [q.key for q in applicable(csat, {"csat": high})] == ["csat", "fcr"]
    assert [q.key for q in applicable(csat, {"csat": low})] == ["csat", "fcr", "comment"]
    assert [q.key for q in applicable(BRANCHING_SURVEY, {})] == ["plan", "score", "extra"]
