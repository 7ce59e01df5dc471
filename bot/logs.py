"""Logs that say what happened: one line per event, with the ids in key=value fields.

Handlers pass ids through ``extra`` (``log.info("sent", extra={"invitation_id": 7})``); the
formatter appends them. Never pass request bodies, tokens or customer text.
"""

from __future__ import annotations

import logging
import sys
import time

from bot.log_privacy import LibraryBodyFilter, quiet_libraries

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class KeyValueFormatter(logging.Formatter):
    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__("%(asctime)sZ %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return line


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(LibraryBodyFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()
    for noisy in ("aiohttp.access", "alembic", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A dispatch tick skipped because the previous drain still runs is normal, not a warning.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
