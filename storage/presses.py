"""What answering a question reads and writes, as prebuilt Core statements (the hot path).

Every button press reads everything it needs in one round trip (``press_state``: the
invitation, its languages, whether it has a follow-up, who the sender is, and the answers so
far), then writes in the caller's transaction with ``record_answer``: the answer, the
invitation's status once answered and a low-score follow-up. On PostgreSQL that is one
statement (data-changing CTEs), so a press costs BEGIN, the locked read, the write and COMMIT;
SQLite, which has no such CTEs and no network between us and it, runs them one by one. No ORM
object is built on this path and no statement is built per call: SQLAlchemy compiles each of
these once per dialect and finds it in its cache afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    Executable,
    String,
    bindparam,
    exists,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

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
_READ_LOCKED = _READ.with_for_update(of=_invitation)


async def press_state(
    database: Database,
    invitation_id: int,
    *,
    sender: tuple[Platform, str] | None = None,
    lock: bool = False,
) -> PressState | None:
    """The invitation with what answering it needs, in one statement; None if there is none.

    ``sender`` (platform, address) also finds whose address that is. ``lock`` takes the
    invitation's row lock (PostgreSQL), so answers to one invitation are recorded one at a
    time; SQLite's single writer gives the same.
    """
    platform, address = sender if sender is not None else (None, None)
    connection = await connection_of(database)
    rows = (
        await connection.execute(
            _READ_LOCKED if lock else _READ,
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
_MARK_ANSWERED = (
    update(_invitation)
    .where(
        _invitation.c.id == bindparam("invitation_id"),
        _invitation.c.status.in_(ANSWERABLE),
    )
    .values(status=InvitationStatus.ANSWERED, answered_at=bindparam("answered_at"))
)


def _one_statement() -> Executable:
    """PostgreSQL: answer, status and follow-up written by one statement (data-changing CTEs).

    The status and the follow-up read the answer insert's RETURNING, so they are written only
    when the answer row is new: a double tap that loses the race writes nothing at all. Its
    parameters are the answer's columns prefixed ``answer_`` plus
    ``complete`` and ``reason``: SQLAlchemy adds a parameter named like a column to the SET
    clause of an UPDATE, even one inside a CTE.
    """

    def given(name: str) -> BindParameter[Any]:
        return bindparam(f"answer_{name}", type_=_answer.c[name].type)

    stored = (
        postgresql.insert(_answer)
        .values({name: given(name) for name in _ANSWER_COLUMNS})
        .on_conflict_do_nothing(index_elements=["invitation_id", "question_key"])
        .returning(_answer.c.id)
        .cte("stored")
    )
    is_stored = exists(select(stored.c.id))
    marked = (
        update(_invitation)
        .where(
            _invitation.c.id == given("invitation_id"),
            # Named: an anonymous IN list loses its value inside a CTE.
            _invitation.c.status.in_(bindparam("answerable", list(ANSWERABLE), expanding=True)),
            bindparam("complete", type_=Boolean),
            is_stored,
        )
        .values(
            status=bindparam(
                "answered", InvitationStatus.ANSWERED, type_=_invitation.c.status.type
            ),
            answered_at=given("answered_at"),
        )
        .returning(_invitation.c.id)
        .cte("marked")
    )
    reason = bindparam("reason", type_=String)
    followed_up = (
        postgresql.insert(_follow_up)
        .from_select(
            ["invitation_id", "agent_id", "reason", "created_at", "attempts"],
            select(
                given("invitation_id"),
                given("agent_id"),
                reason,
                given("answered_at"),
                bindparam("no_attempts", 0, type_=_follow_up.c.attempts.type),
            ).where(reason.is_not(None), is_stored),
        )
        .on_conflict_do_nothing(index_elements=["invitation_id"])
        .returning(_follow_up.c.id)
        .cte("followed_up")
    )
    return select(
        is_stored.label("stored"),
        exists(select(marked.c.id)).label("marked_answered"),
        exists(select(followed_up.c.id)).label("followed_up"),
    )


_RECORD_ON_POSTGRESQL = _one_statement()
_ADD_ANSWER_ON_SQLITE = sqlite.insert(_answer).on_conflict_do_nothing(
    index_elements=["invitation_id", "question_key"]
)
_ADD_FOLLOW_UP_ON_SQLITE = sqlite.insert(_follow_up).on_conflict_do_nothing(
    index_elements=["invitation_id"]
)


@dataclass(frozen=True)
class Recorded:
    """What ``record_answer`` wrote."""

    stored: bool
    """The answer is new; when False, nothing at all was written."""
    marked_answered: bool
    """The invitation became ``answered``."""
    followed_up: bool
    """A low-score follow-up was queued (False when the invitation had one already)."""


async def record_answer(
    database: Database,
    state: PressState,
    answer: GivenAnswer,
    answered_at: datetime,
    *,
    complete: bool,
    follow_up: str | None,
) -> Recorded:
    """Store an answer and what it brings about, in the caller's transaction.

    ``complete``: the answer completes the survey, so the invitation becomes ``answered`` if it
    is still open. ``follow_up``: the reason of a low-score alert to queue for the agent, once
    per invitation. Customer, agent and survey are copied from the invitation. When the
    question already has an answer (a double tap handled by two workers at once), nothing is
    written and nothing raised.
    """
    connection = await connection_of(database)
    values = {
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
    if connection.dialect.name == "postgresql":
        written = await connection.execute(
            _RECORD_ON_POSTGRESQL,
            {
                **{f"answer_{name}": value for name, value in values.items()},
                "complete": complete,
                "reason": follow_up,
            },
        )
        row = written.one()
        return Recorded(row.stored, row.marked_answered, row.followed_up)
    if not affected_rows(await connection.execute(_ADD_ANSWER_ON_SQLITE, values)):
        return Recorded(False, False, False)
    marked = complete and bool(
        affected_rows(
            await connection.execute(
                _MARK_ANSWERED,
                {"invitation_id": state.invitation_id, "answered_at": answered_at},
            )
        )
    )
    followed_up = follow_up is not None and bool(
        affected_rows(
            await connection.execute(
                _ADD_FOLLOW_UP_ON_SQLITE,
                {
                    "invitation_id": state.invitation_id,
                    "agent_id": state.agent_id,
                    "reason": follow_up,
                    "created_at": answered_at,
                    "attempts": 0,
                },
            )
        )
    )
    return Recorded(True, marked, followed_up)
