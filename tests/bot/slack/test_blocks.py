from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.slack import actions
from bot.slack.blocks import alert_message, comment_modal, question_message
from storage.answers import GivenAnswer
from storage.follow_ups import AlertDetails
from storage.models import FollowUp
from surveys.definitions import QuestionType
from surveys.steps import Option, Prompt


def _prompt(kind: QuestionType = QuestionType.RATING, **fields: object) -> Prompt:
    values = {
        "invitation_id": 81,
        "survey_key": "nps",
        "question_key": "nps",
        "type": kind,
        "text": "How likely are you to recommend us? <!channel>",
        "language": "en",
        "options": tuple(Option(str(n), str(n)) for n in range(11)),
        "optional": False,
        "skip_label": None,
        "min_label": "Not at all likely",
        "max_label": "Extremely likely",
        "number": 1,
        "total": 2,
    }
    values.update(fields)
    return Prompt(**values)  # type: ignore[arg-type]


def _buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_a_zero_to_ten_scale_is_two_rows_of_buttons_carrying_ids() -> None:
    text, blocks = question_message(_prompt())
    rows = [b for b in blocks if b["type"] == "actions"]
    assert [len(r["elements"]) for r in rows] == [6, 5]
    first = rows[0]["elements"][0]
    assert first["action_id"] == "survey_answer.0"
    assert actions.QuestionRef.decode(first["value"]) == actions.QuestionRef(81, "nps", value=0)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in json.dumps(blocks)
    assert "0 = Not at all likely" in json.dumps(blocks)


def test_yes_no_buttons_answer_with_a_choice_and_optional_ones_can_be_skipped() -> None:
    prompt = _prompt(
        QuestionType.YES_NO,
        question_key="fcr",
        options=(Option("yes", "Yes"), Option("no", "No")),
        optional=True,
        skip_label="Skip",
        min_label=None,
        max_label=None,
    )
    buttons = _buttons(question_message(prompt)[1])
    assert [b["text"]["text"] for b in buttons] == ["Yes", "No", "Skip"]
    assert actions.QuestionRef.decode(buttons[0]["value"]).choice == "yes"
    assert buttons[-1]["action_id"] == actions.SKIP


def test_a_text_question_offers_the_comment_modal() -> None:
    prompt = _prompt(
        QuestionType.TEXT,
        question_key="comment",
        options=(),
        language="de",
        optional=True,
        skip_label="Überspringen",
        min_label=None,
        max_label=None,
    )
    buttons = _buttons(question_message(prompt)[1])
    assert [b["action_id"] for b in buttons] == [actions.COMMENT, actions.SKIP]
    assert buttons[0]["text"]["text"] == "Kommentar schreiben"
    state = actions.CommentModalState(actions.QuestionRef(81, "comment"), "D1", "1.2")
    modal = comment_modal(prompt, state)
    assert modal["callback_id"] == actions.COMMENT_MODAL
    assert actions.CommentModalState.decode(modal["private_metadata"]) == state
    assert modal["blocks"][0]["element"]["max_length"] == 2000
    assert len(modal["title"]["text"]) <= 24


def _details(**fields: object) -> AlertDetails:
    follow_up = FollowUp(id=5, invitation_id=81, agent_id=1, reason="CSAT 1", **fields)
    return AlertDetails(
        follow_up=follow_up,
        agent_slack_user_id="U0DANA",
        agent_name="Dana",
        customer_external_id="boris",
        customer_name="Boris <@U999>",
        case_external_id="CASE-9",
        survey_key="csat",
        answers=(
            GivenAnswer("csat", 1, None, None, False),
            GivenAnswer("fcr", 0, "no", None, False),
            GivenAnswer("comment", None, None, "<!channel> <http://evil|click> & co", False),
        ),
    )


def test_an_alert_shows_scores_and_the_escaped_comment_with_a_follow_up_button() -> None:
    _, blocks = alert_message(_details())
    body = json.dumps(blocks)
    assert "CSAT *1*/5" in body and "fcr: *no*" in body
    assert "&lt;!channel&gt; &lt;http://evil|click&gt; &amp; co" in body
    assert "<!channel>" not in body and "<@U999>" not in body
    [button] = _buttons(blocks)
    assert button["action_id"] == actions.FOLLOW_UP
    assert actions.decode_follow_up(button["value"]) == 5


def test_a_followed_up_alert_names_who_and_has_no_button() -> None:
    at = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
    _, blocks = alert_message(_details(followed_up_by="U0DANA", followed_up_at=at))
    assert _buttons(blocks) == []
    assert "Followed up by <@U0DANA>" in json.dumps(blocks)
