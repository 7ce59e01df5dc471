"""Logs that say what happened: one line per event, with the ids in structured fields.

Handlers pass ids through ``extra`` (``log.info("sent", extra={"invitation_id": 7})``); the
formatter appends them. Never pass request bodies, tokens or customer text.

Whatever a value holds, it stays inside its own line and its own field: a ``case_id`` with a
line break once forged a whole log line (issue 12). The text format (``LOG_FORMAT=text``) is
logfmt-like (``key=value``, the value quoted and escaped when it has spaces, quotes, ``=`` or
control characters); ``LOG_FORMAT=json`` writes one JSON object a line for log shippers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bot.log_privacy import LibraryBodyFilter, quiet_libraries

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NEEDS_QUOTES = re.compile(r'[\s="\\]')
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
LOG_FORMATS = ("text", "json")


def escape_controls(text: str) -> str:
    """``text`` with every control or line-separator character written as an escape."""
    return _CONTROL.sub(
        lambda found: _SHORT_ESCAPES.get(found.group(), f"\\u{ord(found.group()):04x}"), text
    )


def _field_value(value: object) -> str:
    text = str(value)
    if text and not _NEEDS_QUOTES.search(text) and not _CONTROL.search(text):
        return text
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escape_controls(quoted)}"'


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra`` a call passed, in the order given."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class KeyValueFormatter(logging.Formatter):
    """``2026-03-02T10:00:00Z INFO    bot.x: message key=value ...`` with values escaped."""

    converter = staticmethod(time.gmtime)

    def __init__(self) -> None:
        super().__init__("%(asctime)sZ %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        original = record.message
        record.message = escape_controls(original)
        try:
            line = super().formatMessage(record)
        finally:
            record.message = original
        fields = extra_fields(record)
        if fields:
            line += " " + " ".join(
                f"{escape_controls(str(k))}={_field_value(v)}" for k, v in fields.items()
            )
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time``, ``level``, ``logger``, ``message``, then the extras
    (``exception`` holds a traceback when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            entry.setdefault(str(key), value)
        if record.exc_info:
            entry.setdefault("exception", self.formatException(record.exc_info))
        elif record.exc_text:
            entry.setdefault("exception", record.exc_text)
        if record.stack_info:
            entry.setdefault("stack", self.formatStack(record.stack_info))
        line = json.dumps(entry, ensure_ascii=False, default=str)
        # json leaves these raw inside strings, and many readers split lines on them.
        return _CONTROL.sub(lambda found: f"\\u{ord(found.group()):04x}", line)


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else KeyValueFormatter())
    handler.addFilter(LibraryBodyFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()
    for noisy in ("aiohttp.access", "alembic", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A dispatch tick skipped because the previous drain still runs is normal, not a warning.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
