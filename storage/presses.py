"""What answering a question reads and writes, as prebuilt Core statements (the hot path).

Every button press reads everything it needs in one round trip (``press_state``: the
invitation, its languages, whether it has a follow-up, who the sender is, and the answers so
far), then writes in the caller's transaction: the answer (``add_answer``), the invitation's
status once answered (``mark_answered``) and a low-score follow-up (``add_follow_up``). No ORM
object is built on this path and no statement is built per call: SQLAlchemy compiles each of
these once per dialect and finds it in its cache afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.answers import GivenAnswer
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
    session: AsyncSession,
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
    connection = await session.connection()
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


def _insert_ignoring(table: Any, unique: list[str]) -> dict[str, Insert]:
    return {
        name: module.insert(table).on_conflict_do_nothing(index_elements=unique)
        for name, module in (("postgresql", postgresql), ("sqlite", sqlite))
    }


_ADD_ANSWER = _insert_ignoring(_answer, ["invitation_id", "question_key"])
_ADD_FOLLOW_UP = _insert_ignoring(_follow_up, ["invitation_id"])
_MARK_ANSWERED = (
    update(_invitation)
    .where(
        _invitation.c.id == bindparam("invitation_id"),
        _invitation.c.status.in_(ANSWERABLE),
    )
    .values(status=InvitationStatus.ANSWERED, answered_at=bindparam("answered_at"))
)


async def _execute_insert(
    session: AsyncSession, statements: dict[str, Insert], values: dict[str, Any]
) -> bool:
    connection = await session.connection()
    result = await connection.execute(statements[connection.dialect.name], values)
    return bool(affected_rows(result))


async def add_answer(
    session: AsyncSession,
    state: PressState,
    answer: GivenAnswer,
    answered_at: datetime,
) -> bool:
    """Store an answer, copying customer, agent and survey from the invitation.

    Returns False, changing nothing, when the question already has an answer (a double tap
    handled by two workers at once stores one row and raises nothing).
    """
    return await _execute_insert(
        session,
        _ADD_ANSWER,
        {
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
        },
    )


async def mark_answered(session: AsyncSession, invitation_id: int, answered_at: datetime) -> bool:
    """Set the invitation ``answered`` if it is still open; True if this call changed it."""
    connection = await session.connection()
    result = await connection.execute(
        _MARK_ANSWERED, {"invitation_id": invitation_id, "answered_at": answered_at}
    )
    return bool(affected_rows(result))


async def add_follow_up(
    session: AsyncSession, state: PressState, reason: str, created_at: datetime
) -> bool:
    """Queue the low-score alert for the invitation's agent, once per invitation.

    Returns False when the invitation already has one.
    """
    return await _execute_insert(
        session,
        _ADD_FOLLOW_UP,
        {
            "invitation_id": state.invitation_id,
            "agent_id": state.agent_id,
            "reason": reason,
            "created_at": created_at,
            "attempts": 0,
        },
    )
