"""Issue 12: no value can forge a log line, in either format (LOG_FORMAT=text or json)."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from bot.cli.app import app
from bot.logs import JsonFormatter, KeyValueFormatter, configure_logging
from bot.settings import load_settings
from feedbackbot.errors import ConfigurationError

FORGED = "C1\n2026-03-02T10:00:00Z ERROR   bot.x: forged\r\x00\x1b[2J\u2028\x85"


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.getLogger("bot.test").makeRecord(
        "bot.test", logging.INFO, __file__, 1, message, args, None, extra=extra
    )
    return entry


def test_a_line_break_in_a_field_or_the_message_stays_on_one_escaped_line() -> None:
    line = KeyValueFormatter().format(
        record("case recorded %s", FORGED, case_id=FORGED, n=3, note='a b="c"')
    )
    assert "\n" not in line and "\r" not in line and "\x00" not in line
    assert "\u2028" not in line and "\x85" not in line and "\x1b" not in line
    assert len(line.splitlines()) == 1
    assert "case recorded C1\\n2026-03-02T10:00:00Z ERROR" in line
    assert 'case_id="C1\\n2026-03-02T10:00:00Z ERROR   bot.x: forged\\r\\u0000\\u001b[2J' in line
    assert line.endswith(' n=3 note="a b=\\"c\\""')


def test_a_value_with_spaces_cannot_pose_as_another_field() -> None:
    line = KeyValueFormatter().format(record("sent", case_id="C1 invitation_id=99"))
    assert line.endswith('sent case_id="C1 invitation_id=99"')


def test_plain_values_stay_unquoted_and_the_record_is_left_as_it_was() -> None:
    entry = record("sent\nnext", invitation_id=7, platform="telegram")
    line = KeyValueFormatter().format(entry)
    assert line.endswith("sent\\nnext invitation_id=7 platform=telegram")
    assert entry.getMessage() == "sent\nnext"


def test_json_lines_carry_the_extra_fields_and_parse_back() -> None:
    entry = record("case recorded %s", FORGED, case_id=FORGED, invitation_id=7, level="x")
    line = JsonFormatter().format(entry)
    assert len(line.splitlines()) == 1
    data = json.loads(line)
    assert data["message"] == f"case recorded {FORGED}"
    assert data["case_id"] == FORGED
    assert data["invitation_id"] == 7
    assert (data["level"], data["logger"]) == ("INFO", "bot.test")
    assert data["time"].endswith("+00:00")


def test_json_keeps_a_traceback_inside_its_one_line() -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        entry = logging.getLogger("bot.test").makeRecord(
            "bot.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = JsonFormatter().format(entry)
    assert len(line.splitlines()) == 1
    assert "ValueError: boom\nsecond line" in json.loads(line)["exception"]


def test_log_format_json_configures_the_root_logger(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    settings = load_settings()
    assert settings.log_format == "json"
    configure_logging(settings.log_level, settings.log_format)
    [handler] = root_logger.handlers
    assert isinstance(handler.formatter, JsonFormatter)
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("bot.test").info("one\ntwo", extra={"case_id": FORGED})
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["case_id"] == FORGED


def test_log_format_defaults_to_text_and_refuses_others(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(None).log_format == "text"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigurationError, match="LOG_FORMAT"):
        load_settings()
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 2
    assert "LOG_FORMAT" in result.output
