"""Survey files: a good file loads; each kind of mistake is reported with its line and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from surveys.definitions import Condition, Operator, QuestionType
from surveys.loader import load_text

GOOD = """\
surveys:
  - key: onboarding
    version: 2
    title:
      en: Your first week
      de: Ihre erste Woche
    thank_you: Thanks, see you soon!
    questions:
      - key: plan
        type: choice
        text: Which plan did you pick?
        choices:
          - {key: basic, text: Basic}
          - {key: pro, text: {en: Pro, de: Profi}}
      - key: setup
        type: rating
        text: How easy was the setup?
        scale: {min: 0, max: 4, min_label: Hard, max_label: Easy}
      - key: trained
        type: yes_no
        text: Did you get a training session?
        condition: {question: plan, operator: in, value: [pro]}
      - key: why
        type: text
        optional: true
        condition: setup < 2
        text: What made it hard?
      - key: more
        type: text
        optional: true
        condition: trained == no
        text: Would you like one?
"""


def one(question: str) -> str:
    """A file with one survey ``s`` whose only question is ``question`` (YAML flow style)."""
    return f"surveys:\n  - key: s\n    title: t\n    questions: [{question}]\n"


def problems(text: str) -> list[str]:
    return [str(p) for p in load_text(textwrap.dedent(text), "custom.yaml").problems]


def only_problem(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_a_good_file_loads_into_typed_surveys() -> None:
    result = load_text(GOOD, "custom.yaml")
    assert result.problems == []
    (survey,) = result.surveys
    assert survey.key == "onboarding"
    assert survey.version.startswith("2-")
    assert survey.title == {"en": "Your first week", "de": "Ihre erste Woche"}
    assert survey.thank_you == {"en": "Thanks, see you soon!"}
    plan, setup, trained, why, more = survey.questions
    assert plan.type is QuestionType.CHOICE and [c.key for c in plan.choices] == ["basic", "pro"]
    assert plan.choices[1].texts == {"en": "Pro", "de": "Profi"}
    assert setup.scale is not None and (setup.scale.min, setup.scale.max) == (0, 4)
    assert setup.scale.min_label == {"en": "Hard"}
    assert trained.condition == Condition("plan", Operator.IN, ("pro",))
    assert why.condition == Condition("setup", Operator.LT, 2) and why.optional
    assert more.condition == Condition("trained", Operator.EQ, "no")
    assert result.lines == {"onboarding": 2}


def test_yes_and_no_stay_text_not_booleans() -> None:
    text = GOOD.replace("text: Basic}", "text: Yes}").replace("value: [pro]", "value: [basic]")
    (survey,) = load_text(text, "custom.yaml").surveys
    assert survey.questions[0].choices[0].texts == {"en": "Yes"}


def test_yaml_syntax_error_names_the_line() -> None:
    message = only_problem(
        """\
        surveys:
          - key: broken
            title: [unclosed
            questions: []
        """
    )
    assert message.startswith("custom.yaml:4: YAML syntax error:")


def test_unknown_question_type_is_named_with_a_suggestion() -> None:
    message = only_problem(GOOD.replace("type: rating", "type: ratin"))
    assert message == (
        "custom.yaml:16: surveys.onboarding.questions.setup.type: unknown question type "
        "'ratin'; use one of rating, choice, yes_no, text (did you mean 'rating'?)"
    )


def test_a_scale_whose_minimum_is_not_below_its_maximum() -> None:
    message = only_problem(GOOD.replace("{min: 0, max: 4,", "{min: 4, max: 4,"))
    assert message == (
        "custom.yaml:18: surveys.onboarding.questions.setup.scale: min (4) must be below max (4)"
    )


def test_a_condition_naming_a_later_question() -> None:
    text = GOOD.replace("condition: setup < 2", "condition: more == yes")
    message = only_problem(text)
    assert message.startswith("custom.yaml:26: surveys.onboarding.questions.why.condition: ")
    assert "names question 'more', which comes later" in message


def test_a_condition_naming_an_unknown_question() -> None:
    message = only_problem(GOOD.replace("condition: setup < 2", "condition: setpu < 2"))
    assert message == (
        "custom.yaml:26: surveys.onboarding.questions.why.condition: names unknown question "
        "'setpu'; did you mean 'setup'?"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "path"),
    [
        ("text: How easy was the setup?", "text: {de: Wie einfach}", 17, "setup.text"),
        ("title:\n      en: Your first week\n", "title:\n", 4, "title"),
        ("min_label: Hard", "min_label: {de: Schwer}", 18, "setup.scale.min_label"),
        (
            "{key: basic, text: Basic}",
            "{key: basic, text: {es: Básico}}",
            13,
            "plan.choices.basic.text",
        ),
    ],
)
def test_missing_english_text(old: str, new: str, line: int, path: str) -> None:
    message = only_problem(GOOD.replace(old, new))
    prefix = "surveys.onboarding" if path == "title" else "surveys.onboarding.questions"
    assert message.startswith(f"custom.yaml:{line}: {prefix}.{path}: missing English text (en)")


def test_duplicate_survey_and_question_keys() -> None:
    twice = GOOD + GOOD.removeprefix("surveys:\n")
    assert problems(twice) == [
        "custom.yaml:33: surveys.onboarding.key: duplicate survey key 'onboarding' "
        "(first at line 2)"
    ]
    message = only_problem(GOOD.replace("key: more", "key: why"))
    assert message.startswith("custom.yaml:28: surveys.onboarding.questions.why.key: duplicate")


def test_a_key_given_twice_in_one_mapping() -> None:
    message = only_problem(GOOD.replace("    thank_you:", "    title: Again\n    thank_you:"))
    assert message == (
        "custom.yaml:7: surveys.onboarding.title: duplicate key 'title' (first given at line 4)"
    )


def test_an_unknown_field_suggests_the_right_one() -> None:
    message = only_problem(
        GOOD.replace(
            "optional: true\n        condition: setup", "optinal: true\n        condition: setup"
        )
    )
    assert message == (
        "custom.yaml:25: surveys.onboarding.questions.why.optinal: unknown field 'optinal'; "
        "did you mean 'optional'?"
    )


def test_a_missing_required_field_names_its_parent() -> None:
    message = only_problem(GOOD.replace("        text: Did you get a training session?\n", ""))
    assert message == (
        "custom.yaml:19: surveys.onboarding.questions.trained: missing required field 'text'"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("value: [pro]", "value: [gold]", "'gold' is not a choice of 'plan'"),
        ("condition: setup < 2", "condition: setup == 9", "9 is outside the scale of 'setup'"),
        ("condition: trained == no", "condition: trained > 0", "'>' compares numbers"),
        ("condition: trained == no", "condition: why == x", "'why' is a text question"),
        ("condition: setup < 2", "condition: setup ~ 2", "must look like 'csat <= 2'"),
    ],
)
def test_conditions_are_checked_against_their_question(old: str, new: str, expected: str) -> None:
    assert expected in only_problem(GOOD.replace(old, new))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "custom.yaml: the file is empty"),
        ("- a\n- b\n", "custom.yaml:1: the file must be a mapping of fields (surveys)"),
        ("surveys: []\n", "custom.yaml:1: surveys: must be a list of surveys"),
        (
            one("{key: q, type: text, text: t}").replace("key: s", "key: Bad Key"),
            "custom.yaml:2: surveys[0].key: survey key 'Bad Key' must be lower-case letters",
        ),
        (
            one("{key: q, type: text, text: t, optional: true}"),
            "custom.yaml:4: surveys.s.questions: every question is optional",
        ),
        (
            one("{key: q, type: rating, text: t, scale: {min: 0, max: 20}}"),
            "custom.yaml:4: surveys.s.questions.q.scale: has 21 points; at most 11",
        ),
        (
            one("{key: q, type: text, text: t, dimension: cost}"),
            "custom.yaml:4: surveys.s.questions.q.dimension: only rating questions have a",
        ),
        (
            one("{key: q, type: choice, text: t, choices: [{key: a, text: A}]}"),
            "custom.yaml:4: surveys.s.questions.q.choices: a choice question needs a",
        ),
    ],
)
def test_file_shape_mistakes(text: str, expected: str) -> None:
    assert only_problem(text).startswith(expected)


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = GOOD.replace("type: rating", "type: ratin").replace("optional: true", "optinal: true", 1)
    lines = [int(p.split(":")[1]) for p in problems(text)]
    assert lines == sorted(lines) and len(lines) == 2


def test_the_readme_example_is_a_valid_survey_file() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("## Surveys", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    result = load_text(block, "README.md")
    assert result.problems == []
    assert [s.key for s in result.surveys] == ["onboarding"]
