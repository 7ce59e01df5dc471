import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import app

runner = CliRunner()


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, empty_database_url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("COLUMNS", "200")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return empty_database_url


def event(case_id: str, customer: str, **customer_fields: object) -> str:
    body = {
        "case_id": case_id,
        "customer": {"id": customer, **customer_fields},
        "closed_at": "2026-11-23T09:00:00Z",
    }
    return json.dumps(body)


def test_case_close_records_a_case_and_shows_its_invitation(database: str) -> None:
    args = ["case", "close", "--case-id", "C1", "--customer-id", "alice"]
    result = runner.invoke(app, [*args, "--telegram-chat-id", "1001", "--agent-id", "dana"])
    assert result.exit_code == 0, result.output
    assert "Case C1" in result.output and "csat" in result.output
    assert "telegram" in result.output
    again = runner.invoke(app, [*args, "--telegram-chat-id", "1001", "--agent-id", "dana"])
    assert again.exit_code == 0, again.output
    assert "Case C1 (already recorded)" in again.output


def test_case_close_with_a_later_time_updates_the_case(database: str) -> None:
    args = ["case", "close", "--case-id", "C1", "--customer-id", "alice"]
    runner.invoke(app, [*args, "--closed-at", "2026-11-29T10:00:00"])
    result = runner.invoke(app, [*args, "--closed-at", "2026-11-30T10:00:00", "--contacts", "3"])
    assert result.exit_code == 0, result.output
    assert "Case C1 (updated)" in result.output


def test_case_close_names_each_bad_field(database: str) -> None:
    result = runner.invoke(
        app,
        ["case", "close", "--case-id", "C2", "--customer-id", "bob", "--timezone", "Mars/X"],
    )
    assert result.exit_code == 1
    assert "customer.timezone: 'Mars/X' is not a known time zone" in result.output


def test_case_close_needs_the_ids_or_a_file(database: str) -> None:
    result = runner.invoke(app, ["case", "close", "--customer-id", "bob"])
    assert result.exit_code == 2
    assert "Give --case-id and --customer-id" in result.output


def test_an_import_keeps_good_lines_and_names_each_bad_one(database: str, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                event("F1", "c1", telegram_chat_id=5001),
                event("F2", "c2", timezone="Nowhere/X"),
                "not json",
                "",
                event("F3", "c3", slack_user_id="U123ABC"),
                event("F1", "c1", telegram_chat_id=5001),
                event("F4", "c4", telegram_chat_id=5001),
            ]
        )
    )
    result = runner.invoke(app, ["case", "close", "--file", str(events)])
    assert result.exit_code == 1
    output = result.output
    assert f"{events}:2: customer.timezone: 'Nowhere/X' is not a known time zone" in output
    assert f"{events}:3: not valid JSON" in output
    assert f"{events}:7: customer.telegram_chat_id: belongs to another customer" in output
    compact = output.replace(" ", "")
    assert "│casesrecorded│3│" in compact
    assert "│alreadyrecorded(unchanged)│1│" in compact
    assert "│lineswithproblems(skipped)│2│" in compact


def test_the_database_must_be_upgraded_first(
    monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    result = runner.invoke(app, ["case", "close", "--case-id", "C1", "--customer-id", "a"])
    assert result.exit_code == 2
    assert "run: feedbackbot db upgrade" in result.output


def test_hostile_lines_are_named_and_skipped_without_a_traceback(
    database: str, tmp_path: Path
) -> None:
    """Issue 12: a 30,000-deep line, a NUL or a line break in an id, an oversized number and a
    year-9999 time each name their line and field; the good line is still recorded."""
    events = tmp_path / "events.jsonl"
    year_9999 = json.loads(event("H5", "c5"))
    year_9999["closed_at"] = "9999-12-31T23:59:59Z"
    big = json.loads(event("H4", "c4"))
    big["handle_seconds"] = 2**31
    events.write_text(
        "\n".join(
            [
                "[" * 30_000 + "]" * 30_000,
                event("H\u0000", "c2"),
                event("H3", "c\n3"),
                json.dumps(big),
                json.dumps(year_9999),
                event("H6", "c6"),
            ]
        )
    )
    result = runner.invoke(app, ["case", "close", "--file", str(events)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    output = result.output
    assert f"{events}:1: nests deeper than 32 levels" in output
    assert f"{events}:2: case_id: must not contain control characters" in output
    assert f"{events}:3: customer.id: must not contain control characters" in output
    assert f"{events}:4: handle_seconds: must be at most 2147483647" in output
    assert f"{events}:5: closed_at: must be between 1970 and 2099" in output
    compact = output.replace(" ", "")
    assert "│casesrecorded│1│" in compact
    assert "│lineswithproblems(skipped)│5│" in compact
