"""An answer as it was given, read back from the ``answer`` table as a plain value.

Both the press path (``storage.presses``) and the alerts (``storage.follow_ups``) read answers
without keeping ORM objects; they share this one type.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GivenAnswer:
    """One stored answer: a scale ``value``, an option's ``choice``, typed ``text``, or
    ``skipped`` (an optional question passed over)."""

    question_key: str
    value: int | None
    choice: str | None
    text: str | None
    skipped: bool
