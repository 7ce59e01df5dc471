"""What a data-changing statement did, read the same way on both databases."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result


def affected_rows(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE changed.

    ``AsyncSession.execute`` is typed to return a plain ``Result``; for these statements it is
    always a ``CursorResult``, whose ``rowcount`` is what the database reported (0 when unknown).
    """
    return cast(CursorResult[Any], result).rowcount or 0
