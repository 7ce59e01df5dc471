import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import COMMANDS, app
from bot.cli.run import NO_CHANNEL

runner = CliRunner()


def test_help_lists_the_built_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "db"):
        assert f" {command} " in result.output


def test_every_command_has_help() -> None:
    for args in (["run", "--help"], ["db", "--help"], ["db", "upgrade", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, args
        assert "Usage" in result.output


def test_run_without_a_channel_exits_2_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert result.output.strip() == NO_CHANNEL


def test_a_bad_setting_stops_any_command_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PORT", "abc")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret-token")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert result.output.strip() == "Invalid setting HTTP_PORT: must be a whole number (got 'abc')"
    assert "secret-token" not in result.output


def test_db_upgrade_migrates_and_is_idempotent(
    monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "upgraded from empty to" in first.output
    second = runner.invoke(app, ["db", "upgrade"])
    assert second.exit_code == 0
    assert "is up to date" in second.output


def test_the_console_script_is_installed(tmp_path: Path) -> None:
    executable = Path(sys.executable).with_name("feedbackbot")
    assert executable.exists(), "pip install -e . should install the feedbackbot command"
    done = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0
    assert done.stdout.startswith("feedbackbot ")


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").strip().split("\n\n")[0].split())


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_root_help_summary_is_the_commands_own(name: str) -> None:
    """The root help lists commands without importing them; its summaries must not drift."""
    command = COMMANDS[name].load(name)
    assert command.name == name
    assert COMMANDS[name].summary == _first_paragraph(command.help)


def test_version_and_help_import_no_command_module(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from bot.cli.app import app\n"
        "for args in (['--version'], ['--help']):\n"
        "    try:\n"
        "        app(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted(m for m in ('aiogram', 'slack_bolt', 'sqlalchemy', 'matplotlib',"
        " 'pydantic', 'bot.cli.run', 'bot.cli.report') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "HEAVY []" in done.stdout


def test_an_unknown_survey_in_case_surveys_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASE_SURVEYS", "csat,onbording")
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Invalid setting CASE_SURVEYS: 'onbording' is not a survey of the catalog (known: csat, "
        "nps, ces, fcr, value); add it to SURVEYS_FILE or remove it"
    )
