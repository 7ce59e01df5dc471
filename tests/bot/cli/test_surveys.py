"""``feedbackbot surveys list|validate`` and ``run`` refusing a bad SURVEYS_FILE."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import common
from bot.cli.app import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are as wide as their content, so a cell's text stays on one line."""
    monkeypatch.setattr(common.console, "width", 200)


CUSTOM = """\
surveys:
  - key: onboarding
    title: Your first week
    questions:
      - key: ready
        type: yes_no
        text: Are you up and running?
      - key: blocker
        type: text
        optional: true
        condition: ready == no
        text: What is in the way?
  - key: nps
    title: Recommend us?
    questions:
      - key: nps
        type: rating
        text: Would you recommend us?
        scale: {min: 0, max: 10}
"""

BROKEN = {
    "syntax": ("surveys:\n  - key: x\n    title: [oops\n", 4, "", "YAML syntax error"),
    "type": (
        CUSTOM.replace("type: yes_no", "type: yesno"),
        6,
        "onboarding.questions.ready.type",
        "unknown question type 'yesno'",
    ),
    "scale": (
        CUSTOM.replace("max: 10", "max: 0"),
        19,
        "nps.questions.nps.scale",
        "min (0) must be below max (0)",
    ),
    "later": (
        CUSTOM.replace(
            "        text: Are you up and running?\n",
            "        condition: blocker == x\n        text: Are you up and running?\n",
        ),
        7,
        "onboarding.questions.ready.condition",
        "which comes later",
    ),
    "unknown": (
        CUSTOM.replace("ready == no", "redy == no"),
        11,
        "onboarding.questions.blocker.condition",
        "names unknown question 'redy'",
    ),
    "english": (
        CUSTOM.replace("title: Your first week", "title: {de: Ihre erste Woche}"),
        3,
        "onboarding.title",
        "missing English text (en)",
    ),
    "duplicate": (
        CUSTOM.replace("key: blocker", "key: ready"),
        8,
        "onboarding.questions.ready.key",
        "duplicate question key 'ready' (first at line 5)",
    ),
    "field": (
        CUSTOM.replace("optional: true", "optionnal: true"),
        10,
        "onboarding.questions.blocker.optionnal",
        "unknown field 'optionnal'; did you mean 'optional'?",
    ),
    "required": (
        CUSTOM.replace("        text: Would you recommend us?\n", ""),
        16,
        "nps.questions.nps",
        "missing required field 'text'",
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_validate_names_the_file_line_and_key_of_each_mistake(tmp_path: Path, kind: str) -> None:
    text, line, path, message = BROKEN[kind]
    file = tmp_path / f"{kind}.yaml"
    file.write_text(text)
    result = runner.invoke(app, ["surveys", "validate", str(file)])
    assert result.exit_code == 1
    where = f"{file}:{line}: surveys.{path}: " if path else f"{file}:{line}: "
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(file))]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(where), lines[0]
    assert message in lines[0]
    assert "1 problem found." in result.stderr
    assert "Traceback" not in result.output


def test_validate_a_good_file_prints_a_summary(tmp_path: Path) -> None:
    file = tmp_path / "surveys.yaml"
    file.write_text(CUSTOM)
    result = runner.invoke(app, ["surveys", "validate", str(file)])
    assert result.exit_code == 0, result.output
    assert f"{file}: OK, 2 surveys with 3 questions." in result.output
    assert "onboarding" in result.output and "custom, line 2" in result.output
    assert "replaces built-in" in result.output


def test_validate_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["surveys", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.yaml'}: file not found" in result.output


def test_list_shows_builtins_and_the_custom_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builtin = runner.invoke(app, ["surveys", "list"])
    assert builtin.exit_code == 0, builtin.output
    for key in ("csat", "nps", "ces", "fcr", "value"):
        assert f" {key} " in builtin.output
    assert "built-in surveys only" in builtin.output
    assert "comment (text, if csat <= 2, optional)" in builtin.output
    file = tmp_path / "surveys.yaml"
    file.write_text(CUSTOM)
    monkeypatch.setenv("SURVEYS_FILE", str(file))
    custom = runner.invoke(app, ["surveys", "list"])
    assert custom.exit_code == 0, custom.output
    assert "6 surveys" in custom.output
    assert "custom (replaces built-in)" in custom.output
    assert "blocker (text, if ready == no, optional)" in custom.output


def test_list_with_a_bad_surveys_file_prints_its_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "surveys.yaml"
    file.write_text(BROKEN["scale"][0])
    monkeypatch.setenv("SURVEYS_FILE", str(file))
    result = runner.invoke(app, ["surveys", "list"])
    assert result.exit_code == 1
    assert f"{file}:19: surveys.nps.questions.nps.scale: min (0) must be below max (0)" in (
        result.output
    )


def test_run_with_a_bad_surveys_file_exits_2_before_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "surveys.yaml"
    file.write_text(BROKEN["type"][0])
    monkeypatch.setenv("SURVEYS_FILE", str(file))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret-token")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'never.db'}")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert f"{file}:6: surveys.onboarding.questions.ready.type: unknown question type" in (
        result.output
    )
    assert "SURVEYS_FILE" in result.output
    assert not (tmp_path / "never.db").exists()


def test_surveys_commands_have_help() -> None:
    for args in (
        ["surveys", "--help"],
        ["surveys", "list", "--help"],
        ["surveys", "validate", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output
