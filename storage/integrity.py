"""Which constraint an ``IntegrityError`` broke, on PostgreSQL and SQLite alike.

Storage functions turn the violation of one named constraint into our own exception and let
every other integrity error through, as procrastinate's ``manager.py`` checks the constraint
name before calling a job "already enqueued": a NOT NULL or foreign-key violation is a bug to
see, never "already exists".

PostgreSQL names the constraint. SQLite only names the columns of a UNIQUE violation
(``UNIQUE constraint failed: invitation.case_id, invitation.survey_key``); since every unique
constraint is named by the metadata's naming convention (``uq_<table>_<columns>``), the name
is rebuilt from them.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint ``error`` reports, or None when the database names none."""
    cause = getattr(error.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None) or getattr(error.orig, "constraint_name", None)
    if name:
        return str(name)
    found = _SQLITE_UNIQUE.search(str(error.orig))
    if found is None:
        return None
    qualified = [column.split(".", 1) for column in found["columns"].split(", ")]
    tables = {table for table, _ in qualified}
    if len(tables) != 1:
        return None
    return "uq_" + "_".join([tables.pop(), *(column for _, column in qualified)])
