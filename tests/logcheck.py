"""Checks on the captured log: hostile input must never end in a traceback (issue 12)."""

from __future__ import annotations

import logging

import pytest


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """No captured record carries an exception, and none is an ERROR or worse."""
    failures = [
        f"{record.name} {record.levelname}: {record.getMessage()}"
        for record in caplog.records
        if record.exc_info is not None or record.exc_text or record.levelno >= logging.ERROR
    ]
    assert failures == [], failures
