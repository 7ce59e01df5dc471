"""Library records are floored at INFO and keep no quoted bodies (issue 12)."""

from __future__ import annotations

import io
import logging

import pytest

from bot.log_privacy import WITHHELD, LibraryBodyFilter, withhold_quotes

COMMENT = "Nobody-called-me-back-7731"


def test_library_debug_records_are_dropped_and_ours_kept(debug_log: io.StringIO) -> None:
    logging.getLogger("slack_sdk.web.async_base_client").debug(
        "Sending a request - body_params: %s", {"text": COMMENT}
    )
    logging.getLogger("bot.telegram.answer").debug("answer recorded")
    assert COMMENT not in debug_log.getvalue()
    assert "answer recorded" in debug_log.getvalue()
    assert logging.getLogger("sqlalchemy.engine.Engine").getEffectiveLevel() == logging.WARNING


@pytest.mark.parametrize(
    "message",
    [
        "request body: {'event': {'text': '%s'}}",
        "Unhandled request ({'type': 'block_actions', 'value': '%s'})",
        "Unsuccessful Bolt execution result (status: 404, body: %s)",
        "(sqlite3.IntegrityError) UNIQUE failed [SQL: INSERT ...] [parameters: ('%s',)]",
    ],
)
def test_what_a_library_quotes_is_withheld_at_any_level(
    debug_log: io.StringIO, message: str
) -> None:
    logging.getLogger("slack_bolt.App").warning(message % COMMENT)
    assert COMMENT not in debug_log.getvalue()
    assert WITHHELD in debug_log.getvalue()


def test_a_library_exception_keeps_its_frames_but_not_its_message(
    debug_log: io.StringIO,
) -> None:
    try:
        raise ValueError(f"parameters: ({COMMENT!r},)")
    except ValueError:
        logging.getLogger("bot.slack.bolt").exception("Failed to run listener function")
    text = debug_log.getvalue()
    assert COMMENT not in text
    assert "Failed to run listener function" in text
    assert "test_log_privacy.py" in text and "ValueError: <withheld>" in text


def test_our_own_records_pass_unchanged() -> None:
    record = logging.makeLogRecord({"name": "bot.app", "msg": "x {a} [b]", "levelno": 10})
    assert LibraryBodyFilter().filter(record)
    assert record.getMessage() == "x {a} [b]"


def test_withhold_quotes_leaves_plain_text() -> None:
    assert withhold_quotes("Update id=5 is handled. Duration 3 ms") == (
        "Update id=5 is handled. Duration 3 ms"
    )
