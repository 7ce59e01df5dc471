"""Library loggers never print message bodies, at any level (issue 12).

At DEBUG, slack_sdk logs every Web API request and response (``chat.postMessage`` with a
customer's comment and name), its Socket Mode client every envelope, SQLAlchemy every
statement's parameters; at INFO and WARNING, slack-bolt quotes request bodies ("Unhandled
request ({...})", "request body: ..."), and exceptions from the database quote their
parameters. Two guards, whatever ``LOG_LEVEL`` says:

- a level floor: the libraries log at INFO at most, SQLAlchemy's engine at WARNING;
- ``LibraryBodyFilter`` on our handler: a library record below INFO is dropped, and what
  a library record quotes (``{...}``, ``[...]``, ``body: ...``, an exception's message) is
  withheld. Our own loggers pass untouched: they log ids only.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Final

LIBRARY_LOGGERS: Final = (
    "slack_sdk",
    "slack_bolt",
    "bot.slack.bolt",
    "aiogram",
    "aiohttp",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "websockets",
    "apscheduler",
    "alembic",
    "urllib3",
)
"""Loggers of code we do not control (``bot.slack.bolt`` is the bolt app's own logger)."""

LEVEL_FLOOR: Final = {name: logging.INFO for name in LIBRARY_LOGGERS} | {
    "sqlalchemy.engine": logging.WARNING,
    "sqlalchemy.pool": logging.WARNING,
}
WITHHELD: Final = "<withheld>"

_QUOTED = (
    re.compile(r"\{.*\}", re.DOTALL),
    re.compile(r"\[.*\]", re.DOTALL),
    re.compile(
        r"(?i)\b(body|payload|params|parameters|text|blocks|message|data|json_body)\b"
        r"(\s*[:=]\s*).*",
        re.DOTALL,
    ),
)


def is_library(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in LIBRARY_LOGGERS)


def withhold_quotes(text: str) -> str:
    """``text`` with every quoted structure and everything after a ``body:``-like label
    replaced by ``<withheld>``."""
    text = _QUOTED[0].sub("{" + WITHHELD + "}", text)
    text = _QUOTED[1].sub("[" + WITHHELD + "]", text)
    return _QUOTED[2].sub(lambda m: m.group(1) + m.group(2) + WITHHELD, text)


def _frames_only(exc_info: tuple[type[BaseException], BaseException, object]) -> str:
    """The traceback's frames and the exception's type, without its message."""
    kind, error, _ = exc_info
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"Traceback (most recent call last):\n{frames}{kind.__qualname__}: {WITHHELD}"


class LibraryBodyFilter(logging.Filter):
    """Drops library records below INFO; withholds what the others quote."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not is_library(record.name):
            return True
        if record.levelno < logging.INFO:
            return False
        record.msg = withhold_quotes(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _frames_only(record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = withhold_quotes(record.exc_text)
        if record.stack_info:
            record.stack_info = None
        return True


def quiet_libraries() -> None:
    """Raise each library logger to its floor (a stricter level already set is kept)."""
    for name, floor in LEVEL_FLOOR.items():
        logger = logging.getLogger(name)
        if logger.level < floor:
            logger.setLevel(floor)
