"""The built-in catalog (the question-key contract scoring relies on) and custom files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surveys.catalog import Catalog, Origin, load_catalog
from surveys.definitions import Condition, Dimension, Operator, QuestionType, Survey
from surveys.errors import SurveyFileError, UnknownSurvey
from surveys.messages import LANGUAGES, MESSAGES

BENEFITS = ["quality", "accessibility", "proactivity", "personal", "reputation"]
COSTS = ["price", "installation", "maintenance", "research", "learning", "stress", "poor_service"]

CUSTOM = """\
surveys:
  - key: csat
    title: Quick check
    questions:
      - key: csat
        type: rating
        text: Happy with us?
        scale: {min: 1, max: 5}
  - key: onboarding
    title: Your first week
    questions:
      - key: ready
        type: yes_no
        text: Are you up and running?
"""


def test_builtins_come_in_a_fixed_order(catalog: Catalog) -> None:
    assert catalog.keys() == ["csat", "nps", "ces", "fcr", "value"]
    assert all(entry.origin is Origin.BUILTIN for entry in catalog.entries)


def test_builtin_question_keys_follow_the_scoring_contract(catalog: Catalog) -> None:
    def shape(key: str) -> list[tuple[str, str, bool]]:
        return [(q.key, str(q.type), q.optional) for q in catalog.get(key).questions]

    assert shape("csat") == [
        ("csat", "rating", False),
        ("fcr", "yes_no", False),
        ("comment", "text", True),
    ]
    assert catalog.get("csat").question("comment").condition == Condition(  # type: ignore[union-attr]
        "csat", Operator.LE, 2
    )
    assert shape("nps") == [("nps", "rating", False), ("reason", "text", True)]
    assert shape("ces") == [("ces", "rating", False)]
    assert shape("fcr") == [("fcr", "yes_no", False)]
    assert shape("value") == [(k, "rating", False) for k in BENEFITS + COSTS] + [
        ("comment", "text", True)
    ]
    scales = {
        key: (q.scale.min, q.scale.max)
        for key in ("csat", "nps", "ces")
        for q in catalog.get(key).questions
        if q.scale
    }
    assert scales == {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}


def test_value_questions_say_whether_they_are_a_benefit_or_a_cost(catalog: Catalog) -> None:
    value = catalog.get("value")
    dimensions = {q.key: q.dimension for q in value.questions}
    assert {k for k, d in dimensions.items() if d is Dimension.BENEFIT} == set(BENEFITS)
    assert {k for k, d in dimensions.items() if d is Dimension.COST} == set(COSTS)
    price = value.question("price")
    assert price is not None and price.scale is not None
    assert price.texts["en"] == "How heavy was the price you paid?"
    assert (price.scale.min_label["en"], price.scale.max_label["en"]) == (
        "Very light",
        "Very heavy",
    )
    assert all(q.scale and (q.scale.min, q.scale.max) == (1, 5) for q in value.questions[:-1])


def test_builtin_texts_are_complete_in_every_language(catalog: Catalog) -> None:
    missing = []
    for survey in catalog.surveys:
        texts = {"title": survey.title}
        for q in survey.questions:
            texts[f"{q.key}.text"] = q.texts
            if q.scale:
                texts[f"{q.key}.min_label"] = q.scale.min_label
                texts[f"{q.key}.max_label"] = q.scale.max_label
            for choice in q.choices:
                texts[f"{q.key}.{choice.key}"] = choice.texts
        missing += [
            f"{survey.key}.{name}.{language}"
            for name, by_language in texts.items()
            for language in LANGUAGES
            if not by_language.get(language)
        ]
    missing += [
        f"messages.{k}.{lang}" for k, t in MESSAGES.items() for lang in LANGUAGES if not t.get(lang)
    ]
    assert missing == []


def test_every_survey_round_trips_through_its_json_snapshot(catalog: Catalog) -> None:
    for survey in catalog.surveys:
        snapshot = json.loads(json.dumps(survey.to_dict()))
        assert Survey.from_dict(snapshot) == survey


def test_unknown_survey_names_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(UnknownSurvey) as raised:
        catalog.get("csta")
    assert str(raised.value) == "Unknown survey 'csta'; known surveys: csat, nps, ces, fcr, value"


def test_a_custom_file_adds_and_overrides_surveys(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "surveys.yaml"
    path.write_text(CUSTOM)
    custom = load_catalog(path)
    assert custom.keys() == ["csat", "nps", "ces", "fcr", "value", "onboarding"]
    assert custom.entry("csat").origin is Origin.OVERRIDE
    assert custom.entry("onboarding").origin is Origin.CUSTOM
    assert custom.entry("onboarding").source == str(path)
    assert [q.key for q in custom.get("csat").questions] == ["csat"]
    assert custom.get("csat").version != catalog.get("csat").version
    assert custom.get("onboarding").questions[0].type is QuestionType.YES_NO


def test_a_bad_custom_file_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "surveys.yaml"
    path.write_text(CUSTOM.replace("type: yes_no", "type: yesno").replace("max: 5", "max: 1"))
    with pytest.raises(SurveyFileError) as raised:
        load_catalog(path)
    assert [(p.line, p.path) for p in raised.value.problems] == [
        (8, "surveys.csat.questions.csat.scale"),
        (13, "surveys.onboarding.questions.ready.type"),
    ]
    assert str(raised.value).splitlines()[0].startswith(f"{path}:8: surveys.csat.questions")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "file not found"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b"surveys: \xff\xfe"), "is not UTF-8 text"),
    ],
)
def test_an_unreadable_file_is_one_clear_problem(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "surveys.yaml"
    setup(path)
    with pytest.raises(SurveyFileError) as raised:
        load_catalog(path)
    assert str(raised.value).startswith(f"{path}: {message}")
