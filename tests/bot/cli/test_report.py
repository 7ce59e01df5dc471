import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from scoring.formats import read_report_csv
from tests.factories import Factory
from tests.scoring.helpers import answered

runner = CliRunner()


@pytest.fixture
async def feedback(
    factory: Factory, now: datetime, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    dana, eli = await factory.agent("dana"), await factory.agent("eli", team="tier2")
    for day in range(6):
        at = now - timedelta(days=day)
        await answered(factory, alice, dana, "csat", {"csat": 5 - day % 3, "fcr": 1}, at=at)
        await answered(factory, boris, eli, "nps", {"nps": 10 - day}, at=at)
    await answered(factory, alice, dana, "value", {"quality": 4, "price": 2})


def test_json_is_the_report_of_the_window(feedback: None) -> None:
    result = runner.invoke(app, ["report", "--since", "all", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by"] == "agent" and data["since"] is None
    rows = {row["key"]: row for row in data["rows"]}
    assert rows["dana"]["csat"]["n"] == 6 and rows["dana"]["csat"]["value"] == 66.67
    assert rows["eli"]["nps"]["n"] == 6 and rows["eli"]["nps"]["se"] is not None
    assert rows["dana"]["value"]["value"] == 2.0
    assert set(rows["dana"]) == {
        "key",
        "csat",
        "nps",
        "ces",
        "fcr",
        "fcr_operational",
        "aht",
        "deflection",
        "response_rate",
        "value",
    }


def test_csv_reads_back_to_the_json_rows(feedback: None) -> None:
    as_json = runner.invoke(app, ["report", "--by", "team", "--since", "all", "--format", "json"])
    as_csv = runner.invoke(app, ["report", "--by", "team", "--since", "all", "--format", "csv"])
    assert as_json.exit_code == 0 and as_csv.exit_code == 0
    rows = json.loads(as_json.stdout)["rows"]
    assert read_report_csv(as_csv.stdout) == rows
    assert [r["key"] for r in rows] == ["tier1", "tier2"]


def test_table_shows_intervals_n_and_marks_low_samples(feedback: None) -> None:
    result = runner.invoke(
        app, ["report", "--by", "customer", "--since", "all"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert "alice" in result.output and "boris" in result.output
    assert "n=6" in result.output
    assert "n=1*" in result.output
    assert "fewer than 5 answers" in result.output


def test_a_window_with_nothing_in_it_has_no_rows(feedback: None) -> None:
    result = runner.invoke(
        app, ["report", "--since", "2020-01-01", "--until", "2020-12-31", "--format", "json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rows"] == []


def test_chart_writes_a_png(feedback: None, tmp_path: Path) -> None:
    target = tmp_path / "feedback.png"
    result = runner.invoke(app, ["report", "--since", "30d", "--chart", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "last week"], "Invalid --since: 'last week' is not a duration"),
        (["--until", "tomorrow"], "Invalid --until: 'tomorrow' is not a date"),
        (["--chart", "chart.jpg"], "Invalid --chart: chart.jpg must end in .png"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    feedback: None, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["report", *arguments])
    assert result.exit_code == 2
    assert message in result.output


def test_an_unknown_weight_exits_2_naming_the_setting(
    feedback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALUE_WEIGHTS", "qualty=2")
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2
    assert "VALUE_WEIGHTS" in result.output and "quality" in result.output


def test_report_import_and_export_have_help() -> None:
    for arguments in (["report"], ["import", "answers"], ["export", "answers"]):
        result = runner.invoke(app, [*arguments, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--until", "9999-12-31"], "--until"),
        (["--until", "0001-01-01"], "--until"),
        (["--since", "0001-01-01"], "--since"),
    ],
)
def test_a_window_beyond_the_years_a_report_covers_names_the_option(
    options: list[str], named: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = runner.invoke(app, ["report", *options])
    assert result.exit_code == 2
    assert f"Invalid {named}: must lie between 1970-01-01 and 2100-01-01" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
