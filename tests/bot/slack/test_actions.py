from __future__ import annotations

import pytest

from bot.slack import actions
from bot.slack.actions import BadPayload, CommentModalState, QuestionRef


def test_question_ref_round_trips_and_stays_short() -> None:
    ref = QuestionRef(81, "csat", value=1)
    assert QuestionRef.decode(ref.encode()) == ref
    assert ref.encode() == '{"i":81,"q":"csat","v":1}'
    choice = QuestionRef(7, "fcr", choice="yes")
    assert QuestionRef.decode(choice.encode()) == choice


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "not json",
        "[]",
        '{"i":"81","q":"csat"}',
        '{"q":"csat"}',
        '{"i":true,"q":"x"}',
        '{"i":1,"q":"x","v":"1"}',
        '{"i":1,"q":2}',
    ],
)
def test_forged_or_broken_payloads_are_refused(raw: str | None) -> None:
    with pytest.raises(BadPayload):
        QuestionRef.decode(raw)


def test_modal_state_round_trips() -> None:
    state = CommentModalState(QuestionRef(5, "comment"), "D123", "1700000000.000100", "ru")
    assert CommentModalState.decode(state.encode()) == state
    with pytest.raises(BadPayload):
        CommentModalState.decode('{"i":5}')


def test_follow_up_value_round_trips() -> None:
    assert actions.decode_follow_up(actions.follow_up_value(12)) == 12
    with pytest.raises(BadPayload):
        actions.decode_follow_up('{"f":"12"}')


def test_answer_pattern_matches_every_button_and_nothing_else() -> None:
    assert actions.ANSWER_PATTERN.match("survey_answer.10")
    assert actions.ANSWER_PATTERN.match("survey_answer")
    assert not actions.ANSWER_PATTERN.match("survey_answer_x")
    assert not actions.ANSWER_PATTERN.match(actions.SKIP)
