"""What answering a question reads and writes, as prebuilt Core statements (the hot path).

Every button press reads everything it needs in one round trip (``press_state``: the
invitation, its languages, whether it has a follow-up, who the sender is, and the answers so
far), then writes with ``record_answer``: the answer, the invitation's status once answered and
a low-score follow-up.

On PostgreSQL a press is two statements and two round trips on an autocommit connection
(``press_connection``): the write is one statement (data-changing CTEs) that stores the answer
only if the invitation, locked, is still open, and the rest only if the answer is new. That is
as safe as one transaction around both: an answer can only be given to the question the
answers so far make current, so two presses that read the same answers insert the same
question and the unique (invitation, question) key lets exactly one through, whose answers
are then exactly those read plus its own. SQLite, which has no such CTEs and no network
between us and it, runs a press as one transaction holding the write lock from its BEGIN.

No ORM object is built on this path and no statement is built per call: SQLAlchemy compiles
each of these once per dialect and finds it in its cache afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Executable,
    String,
    Table,
    Update,
    bindparam,
    exists,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.answers import GivenAnswer
from storage.engine import Database, connection_of
from storage.models import (
    Answer,
    Customer,
    FollowUp,
    Identity,
    Invitation,
    InvitationStatus,
    Platform,
    table_of,
)
from storage.results import affected_rows

ANSWERABLE = (InvitationStatus.PENDING, InvitationStatus.SENDING, InvitationStatus.SENT)
"""Statuses that take answers and can become ``answered``: a reminder being sent, or a send
still being recorded, must not lose an answer the customer already gave."""
CLOSED = (
    InvitationStatus.EXPIRED,
    InvitationStatus.CANCELLED,
    InvitationStatus.FAILED,
    InvitationStatus.SKIPPED,
)
"""Statuses that take no more answers (``answered`` still takes the optional ones)."""

_invitation = table_of(Invitation)
_customer = table_of(Customer)
_identity = table_of(Identity)
_follow_up = table_of(FollowUp)
_answer = table_of(Answer)
_sender = _identity.alias("sender")


@dataclass(frozen=True)
class PressState:
    """An invitation as an answer to it needs it."""

    invitation_id: int
    customer_id: int
    agent_id: int | None
    survey_key: str
    survey_version: str
    status: InvitationStatus
    message_ref: str | None
    identity_language: str | None
    customer_language: str | None
    has_follow_up: bool
    sender_customer_id: int | None
    """The customer the given sender address belongs to (None: unknown, or none given)."""
    answers: tuple[GivenAnswer, ...]
    """The answers so far, in the order given."""


_columns = (
    _invitation.c.id,
    _invitation.c.customer_id,
    _invitation.c.agent_id,
    _invitation.c.survey_key,
    _invitation.c.survey_version,
    _invitation.c.status,
    _invitation.c.message_ref,
    _identity.c.language.label("identity_language"),
    _customer.c.language.label("customer_language"),
    _follow_up.c.id.label("follow_up_id"),
    select(_sender.c.customer_id)
    .where(
        _sender.c.platform == bindparam("sender_platform"),
        _sender.c.external_id == bindparam("sender_address"),
    )
    .scalar_subquery()
    .label("sender_customer_id"),
    _answer.c.question_key,
    _answer.c.value,
    _answer.c.choice,
    _answer.c.text,
    _answer.c.skipped,
)
_READ = (
    select(*_columns)
    .select_from(
        _invitation.join(_customer, _customer.c.id == _invitation.c.customer_id)
        .outerjoin(
            _identity,
            (_identity.c.customer_id == _invitation.c.customer_id)
            & (_identity.c.platform == _invitation.c.channel),
        )
        .outerjoin(_follow_up, _follow_up.c.invitation_id == _invitation.c.id)
        .outerjoin(_answer, _answer.c.invitation_id == _invitation.c.id)
    )
    .where(_invitation.c.id == bindparam("invitation_id"))
    .order_by(_answer.c.id)
)


async def press_state(
    database: Database,
    invitation_id: int,
    *,
    sender: tuple[Platform, str] | None = None,
) -> PressState | None:
    """The invitation with what answering it needs, in one statement; None if there is none.

    ``sender`` (platform, address) also finds whose address that is. It locks nothing: on
    PostgreSQL ``record_answer`` re-checks the invitation under its row lock (a locking read
    outside a transaction would be a transaction of its own, with its own WAL flush).
    """
    platform, address = sender if sender is not None else (None, None)
    connection = await connection_of(database)
    rows = (
        await connection.execute(
            _READ,
            {
                "invitation_id": invitation_id,
                "sender_platform": platform,
                "sender_address": address,
            },
        )
    ).all()
    if not rows:
        return None
    first = rows[0]
    return PressState(
        invitation_id=first.id,
        customer_id=first.customer_id,
        agent_id=first.agent_id,
        survey_key=first.survey_key,
        survey_version=first.survey_version,
        status=InvitationStatus(first.status),
        message_ref=first.message_ref,
        identity_language=first.identity_language,
        customer_language=first.customer_language,
        has_follow_up=first.follow_up_id is not None,
        sender_customer_id=first.sender_customer_id,
        answers=tuple(
            GivenAnswer(row.question_key, row.value, row.choice, row.text, bool(row.skipped))
            for row in rows
            if row.question_key is not None
        ),
    )


_ANSWER_COLUMNS = (
    "invitation_id",
    "customer_id",
    "agent_id",
    "survey_key",
    "question_key",
    "value",
    "choice",
    "text",
    "skipped",
    "answered_at",
)
_REASON = bindparam("reason", type_=String)


def _statuses(statuses: tuple[InvitationStatus, ...]) -> list[ColumnElement[Any]]:
    """Statuses written into the SQL: a list parameter would be expanded on every execution."""
    return [literal_column(f"'{status.value}'") for status in statuses]


def _given(name: str) -> BindParameter[Any]:
    """The answer's ``name`` column as a parameter. Prefixed ``answer_``: SQLAlchemy adds an
    execution parameter named like a column to an UPDATE's SET clause, even inside a CTE."""
    return bindparam(f"answer_{name}", type_=_answer.c[name].type)


def _store_answer(insert: Callable[[Table], Any]) -> Any:
    """The answer, if the invitation (locked on PostgreSQL) is still open and the question
    has none yet."""
    still_open = (
        select(*(_given(name) for name in _ANSWER_COLUMNS))
        .where(
            _invitation.c.id == _given("invitation_id"),
            _invitation.c.status.not_in(_statuses(CLOSED)),
        )
        .with_for_update()
    )
    return (
        insert(_answer)
        .from_select(list(_ANSWER_COLUMNS), still_open)
        .on_conflict_do_nothing(index_elements=["invitation_id", "question_key"])
    )


def _mark_answered(*conditions: ColumnElement[bool]) -> Update:
    return (
        update(_invitation)
        .where(
            _invitation.c.id == _given("invitation_id"),
            _invitation.c.status.in_(_statuses(ANSWERABLE)),
            bindparam("complete", type_=Boolean),
            *conditions,
        )
        .values(
            status=bindparam("answered", InvitationStatus.ANSWERED, _invitation.c.status.type),
            answered_at=_given("answered_at"),
        )
    )


def _add_follow_up(insert: Callable[[Table], Any], *conditions: ColumnElement[bool]) -> Any:
    """The low-score alert for the invitation's agent, once per invitation."""
    values = select(
        _given("invitation_id"),
        _given("agent_id"),
        _REASON,
        _given("answered_at"),
        bindparam("no_attempts", 0, type_=_follow_up.c.attempts.type),
    ).where(_REASON.is_not(None), *conditions)
    return (
        insert(_follow_up)
        .from_select(["invitation_id", "agent_id", "reason", "created_at", "attempts"], values)
        .on_conflict_do_nothing(index_elements=["invitation_id"])
    )


def _in_one_statement() -> Executable:
    """PostgreSQL: answer, status and follow-up written by one statement (data-changing CTEs).

    The status and the follow-up read the answer insert's RETURNING, so they are written only
    when the answer row is new: a press that loses a race writes nothing at all.
    """
    stored = _store_answer(postgresql.insert).returning(_answer.c.id).cte("stored")
    is_stored = exists(select(stored.c.id))
    marked = _mark_answered(is_stored).returning(_invitation.c.id).cte("marked")
    followed_up = (
        _add_follow_up(postgresql.insert, is_stored).returning(_follow_up.c.id).cte("followed_up")
    )
    return select(
        is_stored.label("stored"),
        exists(select(marked.c.id)).label("marked_answered"),
        exists(select(followed_up.c.id)).label("followed_up"),
    )


_RECORD_ON_POSTGRESQL = _in_one_statement()
_STORE_ANSWER_ON_SQLITE = _store_answer(sqlite.insert)
_MARK_ANSWERED_ON_SQLITE = _mark_answered()
_ADD_FOLLOW_UP_ON_SQLITE = _add_follow_up(sqlite.insert)


@dataclass(frozen=True)
class Recorded:
    """What ``record_answer`` wrote."""

    stored: bool
    """The answer is new; when False, nothing at all was written."""
    marked_answered: bool
    """The invitation became ``answered``."""
    followed_up: bool
    """A low-score follow-up was queued (False when the invitation had one already)."""


@asynccontextmanager
async def press_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection to answer one press on: autocommit on PostgreSQL (no BEGIN and COMMIT
    round trips: see the module's docstring), one write-locked transaction on SQLite."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")
        return
    async with engine.begin() as connection:
        yield connection


async def record_answer(
    database: Database,
    state: PressState,
    answer: GivenAnswer,
    answered_at: datetime,
    *,
    complete: bool,
    follow_up: str | None,
) -> Recorded:
    """Store an answer and what it brings about, in the caller's transaction if any.

    ``complete``: the answer completes the survey, so the invitation becomes ``answered`` if it
    is still open. ``follow_up``: the reason of a low-score alert to queue for the agent, once
    per invitation. Customer, agent and survey are copied from the invitation. When the
    question already has an answer (a double tap handled by two workers at once), or the
    invitation was closed since ``state`` was read, nothing is written and nothing raised.
    """
    connection = await connection_of(database)
    given = {
        "invitation_id": state.invitation_id,
        "customer_id": state.customer_id,
        "agent_id": state.agent_id,
        "survey_key": state.survey_key,
        "question_key": answer.question_key,
        "value": answer.value,
        "choice": answer.choice,
        "text": answer.text,
        "skipped": answer.skipped,
        "answered_at": answered_at,
    }
    parameters = {
        **{f"answer_{name}": value for name, value in given.items()},
        "complete": complete,
        "reason": follow_up,
    }
    if connection.dialect.name == "postgresql":
        row = (await connection.execute(_RECORD_ON_POSTGRESQL, parameters)).one()
        return Recorded(row.stored, row.marked_answered, row.followed_up)

    async def changed(statement: Executable) -> bool:
        return bool(affected_rows(await connection.execute(statement, parameters)))

    if not await changed(_STORE_ANSWER_ON_SQLITE):
        return Recorded(False, False, False)
    marked = complete and await changed(_MARK_ANSWERED_ON_SQLITE)
    followed_up = follow_up is not None and await changed(_ADD_FOLLOW_UP_ON_SQLITE)
    return Recorded(True, marked, followed_up)
