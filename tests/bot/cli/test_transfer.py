import asyncio
import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli.app import app
from storage.engine import create_engine
from tests.conftest import empty_tables
from tests.factories import Factory
from tests.scoring.helpers import answered

runner = CliRunner()
HEADER = "customer_id,agent_id,case_id,survey,question,value,text,answered_at\n"


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


@pytest.fixture
async def history(factory: Factory, now: datetime, database: str) -> None:
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    dana, eli = await factory.agent("dana"), await factory.agent("eli", team="tier2")
    for day in range(4):
        at = now - timedelta(days=day, minutes=day)
        invitation = await answered(factory, alice, dana, "csat", {"csat": 2 + day}, at=at)
        await factory.answer(
            invitation, "fcr", day % 2, choice="yes" if day % 2 else "no", answered_at=at
        )
        await factory.answer(
            invitation, "comment", text='Slow, "very" slow\nsecond line', answered_at=at
        )
        await answered(factory, boris, eli, "nps", {"nps": 10 - 3 * day, "reason": None}, at=at)
        await answered(factory, boris, None, "ces", {"ces": 1 + day}, at=at)
    await answered(factory, alice, dana, "value", {"quality": 4, "personal": 5, "price": 2})
    await answered(factory, boris, eli, "value", {"quality": 2, "price": 4, "stress": None})


def _report(by: str) -> list[dict]:
    result = runner.invoke(app, ["report", "--by", by, "--since", "all", "--format", "json"])
    assert result.exit_code == 0, result.output
    return [
        {name: row[name] for name in ("key", "csat", "nps", "ces", "fcr", "value")}
        for row in json.loads(result.stdout)["rows"]
    ]


def test_export_wipe_import_gives_the_same_report(
    history: None, database: str, tmp_path: Path
) -> None:
    before = {by: _report(by) for by in ("agent", "customer", "team")}
    exported = tmp_path / "answers.csv"
    result = runner.invoke(app, ["export", "answers", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    lines = list(csv.DictReader(exported.open(newline="")))
    assert len(lines) == 4 * 6 + 3 + 3
    assert {line["survey_version"] for line in lines} == {"1"}
    assert {line["team"] for line in lines} == {"tier1", "tier2", ""}
    assert {line["value"] for line in lines if line["question"] == "fcr"} == {"yes", "no"}

    engine = create_engine(database)
    asyncio.run(empty_tables(engine))
    asyncio.run(engine.dispose())
    assert _report("agent") == []

    imported = runner.invoke(app, ["import", "answers", str(exported)])
    assert imported.exit_code == 0, imported.output
    assert "imported" in imported.output and "30" in imported.output
    assert {by: _report(by) for by in before} == before

    again = tmp_path / "again.csv"
    runner.invoke(app, ["export", "answers", "--output", str(again)])
    assert again.read_text() == exported.read_text()


def test_a_second_import_adds_nothing(history: None, tmp_path: Path) -> None:
    exported = tmp_path / "answers.csv"
    runner.invoke(app, ["export", "answers", "--output", str(exported)])
    result = runner.invoke(app, ["import", "answers", str(exported)])
    assert result.exit_code == 0, result.output
    assert "│ imported        │ 0  │" in result.output
    assert "│ already present │ 30 │" in result.output


def test_jsonl_export_to_standard_output(history: None, now: datetime) -> None:
    result = runner.invoke(
        app, ["export", "answers", "--format", "jsonl", "--since", "2026-03-01T12:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(
        datetime.fromisoformat(r["answered_at"]) >= now - timedelta(days=1) for r in rows
    )
    assert set(rows[0]) == {
        "customer_id",
        "agent_id",
        "case_id",
        "survey",
        "question",
        "value",
        "text",
        "answered_at",
        "survey_version",
        "channel",
        "team",
        "response",
    }
    assert {type(r["value"]) for r in rows if r["question"] in ("nps", "ces", "csat")} == {int}


def test_rejected_rows_are_listed_with_line_numbers_and_why(database: str, tmp_path: Path) -> None:
    source = tmp_path / "history.csv"
    source.write_text(
        HEADER
        + "alice,dana,T-1,csat,csat,5,,2026-01-05T10:00:00Z\n"
        + 'alice,dana,T-1,csat,comment,,"Great,\nreally",2026-01-05T10:00:00Z\n'
        + "alice,dana,T-2,csat,csat,9,,2026-01-05T10:00:00Z\n"
        + ",dana,T-3,csat,csat,4,,2026-01-05T10:00:00Z\n"
        + "alice,dana,T-4,nps,nps,ten,,2026-01-05T10:00:00Z\n"
        + "alice,dana,T-5,csat,csat,4,,last tuesday\n"
        + "alice,dana,T-1,bogus,csat,4,,2026-01-05T10:00:00Z\n"
        + "alice,,T-6,csat,csat,3,,2026-01-06\n"
        + "alice,,T-6,csat,mood,3,,2026-01-06\n"
        + "alice,,T-6,csat,fcr,maybe,,2026-01-06\n"
    )
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(
        app, ["import", "answers", str(source), "--rejects", str(rejects)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 1
    output = result.output
    assert "│ imported        │ 3 │" in output
    assert "│ rejected        │ 7 │" in output
    assert "│    5 │ value 9 is outside 1-5 for question csat" in output
    assert "│    6 │ customer_id is required" in output
    assert "│    7 │ value 'ten' is not a whole number (nps is rated 0-10)" in output
    assert "│    8 │ answered_at 'last tuesday' is not an ISO 8601 timestamp" in output
    assert "│    9 │ survey 'bogus' is not in the survey catalog" in output
    written = list(csv.DictReader(rejects.open(newline="")))
    assert [row["line"] for row in written] == ["5", "6", "7", "8", "9", "11", "12"]
    why = {row["line"]: row["error"] for row in written}
    assert (
        why["9"]
        == "survey 'bogus' is not in the survey catalog (known: csat, nps, ces, fcr, value)"
    )
    assert why["11"] == (
        "question 'mood' is not a question of survey csat (its questions: csat, fcr, comment)"
    )
    assert why["12"] == "value 'maybe' must be yes or no for question fcr"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("customer_id,case_id,survey\n", "missing column(s) question, value, answered_at"),
        (HEADER.strip() + ",mood\n", "unknown column(s) mood"),
    ],
)
def test_a_file_that_cannot_be_imported_exits_2_naming_the_problem(
    database: str, tmp_path: Path, content: str, message: str
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content)
    result = runner.invoke(app, ["import", "answers", str(source)])
    assert result.exit_code == 2
    assert str(source) in result.output.replace("\n", "") and message in result.output


def test_a_missing_file_exits_2(database: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "answers", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_a_latin_1_file_exits_2_in_one_line_before_anything_is_imported(
    engine: AsyncEngine, database: str, tmp_path: Path
) -> None:
    source = tmp_path / "latin.csv"
    source.write_bytes(
        (HEADER + "alice,,,csat,csat,5,,2026-01-05T10:00:00Z\n" * 3).encode()
        + "alice,,,csat,comment,,Très lent,2026-01-05T10:00:00Z\n".encode("latin-1")
    )
    result = runner.invoke(app, ["import", "answers", str(source)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0, result.output
    assert "is not UTF-8 text" in result.output
    assert _report("survey") == []


def test_an_unwritable_rejects_path_exits_2_before_the_import(
    engine: AsyncEngine, database: str, tmp_path: Path
) -> None:
    source = tmp_path / "history.csv"
    source.write_text(HEADER + "alice,,,csat,csat,5,,2026-01-05T10:00:00Z\n")
    rejects = tmp_path / "no-such-folder" / "rejects.csv"
    result = runner.invoke(app, ["import", "answers", str(source), "--rejects", str(rejects)])
    assert result.exit_code == 2
    assert "--rejects" in result.output and "cannot write it" in result.output
    assert _report("survey") == []


def test_a_jsonl_export_imports_again_with_equal_reports(
    history: None, database: str, tmp_path: Path
) -> None:
    before = {by: _report(by) for by in ("agent", "customer", "survey")}
    exported = tmp_path / "answers.jsonl"
    result = runner.invoke(app, ["export", "answers", "--format", "jsonl", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    engine = create_engine(database)
    asyncio.run(empty_tables(engine))
    asyncio.run(engine.dispose())
    imported = runner.invoke(app, ["import", "answers", str(exported)])
    assert imported.exit_code == 0, imported.output
    assert {by: _report(by) for by in before} == before


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1",
        "-sad",
        "@cmd",
        "\tindent",
        "\rcr",
        "'=already quoted",
        "'plain",
        "- 5",
    ],
)
async def test_formulas_are_neutralised_in_csv_and_come_back_unchanged(
    factory: Factory, database: str, tmp_path: Path, text: str
) -> None:
    alice = await factory.customer(text if text.strip() == text else "alice")
    invitation = await answered(factory, alice, None, "csat", {"csat": 1})
    await factory.answer(invitation, "comment", text=text)
    exported = tmp_path / "answers.csv"
    result = await asyncio.to_thread(
        runner.invoke, app, ["export", "answers", "--output", str(exported)]
    )
    assert result.exit_code == 0, result.output
    cells = list(csv.DictReader(exported.open(newline="")))
    for cell in (cells[0]["customer_id"], cells[1]["text"]):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cells[1]["text"] == ("'" + text if text.lstrip("'")[0] in "=+-@\t\r" else text)
    assert cells[0]["value"] == "1"
    engine = create_engine(database)
    await empty_tables(engine)
    await engine.dispose()
    imported = await asyncio.to_thread(runner.invoke, app, ["import", "answers", str(exported)])
    assert imported.exit_code == 0, imported.output
    again = tmp_path / "again.jsonl"
    await asyncio.to_thread(
        runner.invoke, app, ["export", "answers", "--format", "jsonl", "-o", str(again)]
    )
    rows = [json.loads(line) for line in again.read_text().splitlines()]
    assert rows[0]["customer_id"] == alice.external_id and rows[1]["text"] == text
