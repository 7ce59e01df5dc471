"""SQL pieces the insight queries share: time shifted by a fixed span, group keys by agent/team."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from scoring.errors import InvalidParameter
from scoring.periods import Window
from storage.models import SQLModel

AGENT = SQLModel.metadata.tables["agent"]
GROUPS = ("all", "agent", "team")


class shifted(FunctionElement[Any]):
    """``column + seconds`` for a timestamp column, on SQLite (text) and PostgreSQL alike.

    SQLite keeps timestamps as ``YYYY-MM-DD HH:MM:SS.ffffff`` text; the shifted value is written
    the same way to the millisecond, so the two compare as text.
    """

    inherit_cache = False

    def __init__(self, column: Any, seconds: int) -> None:
        self.type = column.type
        self.seconds = int(seconds)
        super().__init__(column)


@compiles(shifted, "sqlite")
def _sqlite_shifted(element: shifted, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"strftime('%Y-%m-%d %H:%M:%f', {column}, '{element.seconds:+d} seconds')"


@compiles(shifted, "postgresql")
def _postgres_shifted(element: shifted, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"({column} + interval '{element.seconds} seconds')"


def check_group(by: str, allowed: tuple[str, ...] = GROUPS) -> str:
    if by not in allowed:
        raise InvalidParameter("by", f"{by!r} is not one of {', '.join(allowed)}")
    return by


def group_key(by: str, agent_id: Any) -> tuple[Any, Any | None]:
    """The key expression for ``by`` and the agent table to join on ``agent_id`` (or None)."""
    if by == "agent":
        return AGENT.c.external_id, AGENT
    if by == "team":
        return AGENT.c.team, AGENT
    return sa.literal(None, sa.String), None


def latest_answer(question: str, window: Window) -> sa.Subquery:
    """Each customer's latest answer (a number) to ``question`` in the window: customer_id,
    agent_id, at, value."""
    answer = SQLModel.metadata.tables["answer"].c
    rank = sa.func.row_number().over(
        partition_by=answer.customer_id, order_by=(answer.answered_at.desc(), answer.id.desc())
    )
    ranked = (
        sa.select(
            answer.customer_id,
            answer.agent_id,
            answer.answered_at.label("at"),
            answer.value,
            rank.label("rank"),
        )
        .where(
            answer.question_key == question,
            answer.value.is_not(None),
            window.contains(answer.answered_at),
        )
        .subquery()
    )
    return (
        sa.select(ranked.c.customer_id, ranked.c.agent_id, ranked.c.at, ranked.c.value)
        .where(ranked.c.rank == 1)
        .subquery()
    )


def latest_value_of(question: str, customer_id: Any, window: Window) -> Any:
    """The customer's latest answer (a number) to ``question`` in the window, as a correlated
    scalar subquery: one index lookup per customer. (Joining two row_number() subqueries
    instead makes SQLite compare every row of one with every row of the other.)"""
    answer = SQLModel.metadata.tables["answer"]
    return (
        sa.select(answer.c.value)
        .where(
            answer.c.customer_id == customer_id,
            answer.c.question_key == question,
            answer.c.value.is_not(None),
            window.contains(answer.c.answered_at),
        )
        .order_by(answer.c.answered_at.desc(), answer.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
