"""Database problems a user can cause, each as one line that says what to do (issue 13).

A missing schema, a database or role that does not exist, a refused password, a server that
cannot be reached and an SQLite file that cannot be opened reach the command line as driver
exceptions wrapped by SQLAlchemy; ``database_problem`` recognises them through the chain of
causes and names the database with its password masked. Anything else is left to propagate.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

_NO_SCHEMA = ("no such table", "UndefinedTableError", "UndefinedColumnError", "no such column")


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def database_problem(error: BaseException, where: str) -> str | None:
    """The one line for a database problem behind ``error``, or None if it is not one.

    ``where`` is the database as shown to users (``Settings.database_url_for_display``).
    """
    chain = list(_chain(error))
    names = {type(e).__name__ for e in chain}
    text = " | ".join(f"{type(e).__name__}: {e}" for e in chain)
    if any(marker in text for marker in _NO_SCHEMA) or (
        "relation" in text and "does not exist" in text
    ):
        return (
            f"The database {where} has no feedbackbot tables (or an older schema); "
            "run: feedbackbot db upgrade"
        )
    if "InvalidCatalogNameError" in names:
        return (
            f"Cannot connect to {where}: the database does not exist; create it "
            "(createdb NAME) or fix DATABASE_URL"
        )
    if names & {"InvalidAuthorizationSpecificationError", "InvalidPasswordError"}:
        reason = next(
            _first_line(e)
            for e in chain
            if type(e).__name__
            in ("InvalidAuthorizationSpecificationError", "InvalidPasswordError")
        )
        return f"Cannot connect to {where}: {reason}; fix the user or password in DATABASE_URL"
    if "unable to open database file" in text:
        return (
            f"Cannot open the SQLite database {where}: its folder is missing or not writable; "
            "fix DATABASE_URL"
        )
    unreachable = next(
        (
            e
            for e in chain
            if isinstance(e, (ConnectionError, socket.gaierror, TimeoutError))
            or type(e).__name__ in ("ConnectionDoesNotExistError", "CannotConnectNowError")
        ),
        None,
    )
    if unreachable is not None:
        reason = (
            "host name not found"
            if isinstance(unreachable, socket.gaierror)
            else "connection refused"
            if isinstance(unreachable, ConnectionRefusedError)
            else _first_line(unreachable)
        )
        return (
            f"Cannot connect to the database server of {where} ({reason}); is it running and "
            "reachable? Check DATABASE_URL"
        )
    return None
