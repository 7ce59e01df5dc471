"""The durable outbox: invitations, claimed by a dispatcher, sent, reminded, expired.

An invitation goes ``pending -> sending -> sent``. A claim stamps ``claimed_by`` and
``claim_expires_at``; every outcome below is conditional on the claim still being the
caller's, so a dispatcher that lost its claim (it was reclaimed after expiring) cannot
overwrite what the new owner recorded. A reminder is claimed the same way but stays ``sent``:
a sent invitation whose ``due_at`` has come (and is before ``expires_at``) and that has no
``reminded_at`` is due for its reminder.

Functions take the caller's session and never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from feedbackbot.errors import AlreadyExists
from storage.engine import Database
from storage.integrity import violated_constraint
from storage.models import Customer, Invitation, InvitationStatus, Platform
from storage.results import affected_rows

ERROR_LENGTH = 500
UNIQUE_CASE_SURVEY = "uq_invitation_case_id_survey_key"
S = InvitationStatus


async def add_invitation(session: AsyncSession, invitation: Invitation) -> Invitation:
    """Insert ``invitation`` (flushed, with its id) in a savepoint.

    Raises ``AlreadyExists`` if the case already has an invitation to that survey; any other
    integrity error (a missing case or customer, a NULL) is raised as it is.
    """
    try:
        async with session.begin_nested():
            session.add(invitation)
    except IntegrityError as error:
        if violated_constraint(error) != UNIQUE_CASE_SURVEY:
            raise
        raise AlreadyExists(
            f"case {invitation.case_id} already has a {invitation.survey_key} invitation"
        ) from None
    return invitation


async def case_invitations(session: AsyncSession, case_id: int) -> list[Invitation]:
    """The case's invitations (scheduled and skipped), oldest first."""
    rows = await session.scalars(
        select(Invitation).where(col(Invitation.case_id) == case_id).order_by(col(Invitation.id))
    )
    return list(rows)


async def schedule_skipped(
    session: AsyncSession,
    invitation: Invitation,
    *,
    due_at: datetime,
    channel: Platform,
    reason: str,
    survey_version: str,
    agent_id: int | None,
) -> bool:
    """Turn a ``skipped`` invitation into a ``pending`` one due at ``due_at``.

    Used when a reopened case is resolved again and the policy now sends the survey it skipped
    the first time. Returns False (and changes nothing) if the invitation is no longer skipped.
    """
    changed: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.status) == S.SKIPPED)
        .values(
            status=S.PENDING,
            status_reason=reason,
            due_at=due_at,
            channel=channel,
            survey_version=survey_version,
            agent_id=agent_id,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount:
        await session.refresh(invitation)
    return bool(changed.rowcount)


def _due(now: datetime, reminders: bool) -> ColumnElement[bool]:
    claim_free = or_(
        col(Invitation.claim_expires_at).is_(None), col(Invitation.claim_expires_at) <= now
    )
    ready = [
        and_(col(Invitation.status) == S.PENDING, col(Invitation.due_at) <= now),
        and_(col(Invitation.status) == S.SENDING, claim_free),
    ]
    if reminders:
        ready.append(
            and_(
                col(Invitation.status) == S.SENT,
                col(Invitation.reminded_at).is_(None),
                col(Invitation.due_at) <= now,
                or_(
                    col(Invitation.expires_at).is_(None),
                    col(Invitation.due_at) < col(Invitation.expires_at),
                ),
                claim_free,
            )
        )
    return or_(*ready)


async def claim_due(
    session: AsyncSession,
    *,
    platform: Platform,
    worker: str,
    now: datetime,
    claim_until: datetime,
    limit: int,
    reminders: bool = True,
    busy_customers: Collection[int] = (),
) -> list[Invitation]:
    """Claim up to ``limit`` invitations due on ``platform`` for ``worker`` until ``claim_until``.

    Due means: pending with ``due_at`` reached, a claim that expired (its worker died), or (with
    ``reminders``) a sent invitation whose reminder is due. At most one invitation per customer
    is claimed, none of ``busy_customers`` (those the caller is still sending to), so a batch
    never waits on one chat's rate limit. Earliest due first. On PostgreSQL the rows are locked
    with ``FOR UPDATE SKIP LOCKED``, so concurrent claimers never block on or share a row; on
    SQLite the write lock taken at ``BEGIN IMMEDIATE`` serialises claimers. Either way the
    UPDATE re-checks that each row is still due, and only the rows it changed are returned.
    """
    due = _due(now, reminders)
    conditions = [due, col(Invitation.channel) == platform]
    if busy_customers:
        conditions.append(col(Invitation.customer_id).not_in(list(busy_customers)))
    first_per_customer = (
        select(func.min(col(Invitation.id)))
        .where(*conditions)
        .group_by(col(Invitation.customer_id))
        .order_by(func.min(col(Invitation.due_at)))
        .limit(limit)
    )
    locked = list(
        await session.scalars(
            select(col(Invitation.id))
            .where(col(Invitation.id).in_(first_per_customer), due)
            .with_for_update(skip_locked=True)
        )
    )
    if not locked:
        return []
    claimed = list(
        await session.scalars(
            update(Invitation)
            .where(col(Invitation.id).in_(locked), due)
            .values(
                status=case((col(Invitation.status) == S.SENT, S.SENT), else_=S.SENDING),
                claimed_by=worker,
                claim_expires_at=claim_until,
            )
            .returning(col(Invitation.id))
            .execution_options(synchronize_session=False)
        )
    )
    rows = await session.scalars(
        select(Invitation)
        .where(col(Invitation.id).in_(claimed))
        .order_by(col(Invitation.due_at), col(Invitation.id))
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def renew_claims(
    session: AsyncSession, worker: str, until: datetime, invitation_ids: Collection[int]
) -> int:
    """Extend ``worker``'s claims on ``invitation_ids`` to ``until``; returns how many.

    Only the invitations the worker is still working on: a claim it abandoned (its batch
    failed half-way, issue 12) must lapse so that another claim sends it, not be renewed for
    as long as the worker lives.
    """
    if not invitation_ids:
        return 0
    result = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.id).in_(list(invitation_ids)),
            col(Invitation.claimed_by) == worker,
            col(Invitation.status).in_((S.SENDING, S.SENT)),
        )
        .values(claim_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result)


async def _settle(session: AsyncSession, invitation_id: int, worker: str, **values: Any) -> bool:
    """Apply an outcome if ``worker`` still holds the claim; clears the claim. True if applied."""
    result = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.claimed_by) == worker,
            col(Invitation.status).in_((S.SENDING, S.SENT)),
        )
        .values(claimed_by=None, claim_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(affected_rows(result))


def _unsent_status() -> Any:
    return case((col(Invitation.status) == S.SENDING, S.PENDING), else_=col(Invitation.status))


async def release(
    session: AsyncSession, invitation_id: int, worker: str, due_at: datetime | None = None
) -> bool:
    """Give a claimed invitation back unsent, not counting an attempt (e.g. a rate limit)."""
    values: dict[str, Any] = {"status": _unsent_status()}
    if due_at is not None:
        values["due_at"] = due_at
    return await _settle(session, invitation_id, worker, **values)


async def release_all(session: AsyncSession, worker: str) -> int:
    """Give back every claim ``worker`` holds (a clean shutdown); returns how many."""
    result = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.claimed_by) == worker, col(Invitation.status).in_((S.SENDING, S.SENT))
        )
        .values(status=_unsent_status(), claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result)


async def mark_sent(
    session: AsyncSession,
    invitation_id: int,
    worker: str,
    *,
    now: datetime,
    message_ref: str | None,
    remind_at: datetime | None,
    expires_at: datetime,
) -> bool:
    """Record the first delivery; the reminder becomes due at ``remind_at`` (None: never).

    ``attempts`` counts the tries so far, this one included.
    """
    return await _settle(
        session,
        invitation_id,
        worker,
        status=S.SENT,
        sent_at=now,
        message_ref=message_ref,
        due_at=remind_at or expires_at,
        expires_at=expires_at,
        attempts=col(Invitation.attempts) + 1,
        last_error=None,
    )


async def mark_reminded(
    session: AsyncSession,
    invitation_id: int,
    worker: str,
    *,
    now: datetime,
    message_ref: str | None,
) -> bool:
    """Record the reminder's delivery; ``message_ref`` becomes the reminder's message."""
    return await _settle(
        session,
        invitation_id,
        worker,
        reminded_at=now,
        message_ref=message_ref,
        attempts=col(Invitation.attempts) + 1,
        last_error=None,
    )


async def retry_later(
    session: AsyncSession, invitation_id: int, worker: str, *, due_at: datetime, error: str
) -> bool:
    """A failed try that may succeed later: counted, and due again at ``due_at``."""
    return await _settle(
        session,
        invitation_id,
        worker,
        status=_unsent_status(),
        due_at=due_at,
        attempts=col(Invitation.attempts) + 1,
        last_error=error[:ERROR_LENGTH],
    )


async def mark_failed(
    session: AsyncSession, invitation_id: int, worker: str, *, reason: str, error: str | None
) -> bool:
    """Stop trying: the invitation ends ``failed`` (a reminder just stops, the invitation stays
    ``sent`` until it is answered or expires)."""
    return await _settle(
        session,
        invitation_id,
        worker,
        status=case((col(Invitation.status) == S.SENT, S.SENT), else_=S.FAILED),
        status_reason=reason[:200],
        due_at=case(
            (
                col(Invitation.status) == S.SENT,
                func.coalesce(col(Invitation.expires_at), col(Invitation.due_at)),
            ),
            else_=col(Invitation.due_at),
        ),
        attempts=col(Invitation.attempts) + 1,
        last_error=error[:ERROR_LENGTH] if error else None,
    )


async def mark_closed(
    session: AsyncSession,
    invitation_id: int,
    worker: str,
    status: InvitationStatus,
    reason: str,
) -> bool:
    """End a claimed invitation without sending: ``cancelled`` (opted out), ``failed`` (no
    channel left) or ``answered`` (nothing left to ask)."""
    return await _settle(session, invitation_id, worker, status=status, status_reason=reason[:200])


async def switch_channel(
    session: AsyncSession, invitation_id: int, worker: str, platform: Platform
) -> bool:
    """Move a claimed invitation to the customer's other platform, unsent and due as before."""
    return await _settle(session, invitation_id, worker, status=_unsent_status(), channel=platform)


async def expire_due(session: AsyncSession, *, now: datetime, unsent_before: datetime) -> int:
    """Expire what is too late to matter; returns how many invitations changed.

    Sent and unanswered past ``expires_at``: "not answered in time". Still pending (never
    delivered) with ``due_at`` before ``unsent_before``: "not sent in time". A claimed row is
    left to its dispatcher.
    """
    not_claimed = or_(
        col(Invitation.claim_expires_at).is_(None), col(Invitation.claim_expires_at) <= now
    )
    expired = 0
    for condition, reason in (
        (
            and_(col(Invitation.status) == S.SENT, col(Invitation.expires_at) <= now),
            "not answered in time",
        ),
        (
            and_(col(Invitation.status) == S.PENDING, col(Invitation.due_at) < unsent_before),
            "not sent in time",
        ),
    ):
        result = await session.execute(
            update(Invitation)
            .where(condition, not_claimed)
            .values(status=S.EXPIRED, status_reason=reason, claimed_by=None, claim_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        expired += affected_rows(result)
    return expired


async def record_message(database: Database, invitation_id: int, message_ref: str) -> bool:
    """The invitation's latest question is now ``message_ref`` (a follow-up question sent by
    the chat handler); True if the invitation exists."""
    result = await database.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation_id)
        .values(message_ref=message_ref)
        .execution_options(synchronize_session=False)
    )
    return bool(affected_rows(result))


async def remind_now(session: AsyncSession, customer_external_id: str, now: datetime) -> int:
    """Make the reminders of a customer's sent, not yet reminded invitations due at ``now``.

    Returns how many were moved (0 while the first send is not recorded yet). Used by the demo
    to fast-forward an hour without waiting for it.
    """
    customer_id = select(col(Customer.id)).where(col(Customer.external_id) == customer_external_id)
    moved = await session.execute(
        update(Invitation)
        .where(
            col(Invitation.customer_id) == customer_id.scalar_subquery(),
            col(Invitation.status) == InvitationStatus.SENT,
            col(Invitation.reminded_at).is_(None),
        )
        .values(due_at=now)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(moved)


async def answered_by_survey(
    session: AsyncSession, since: datetime | None = None
) -> dict[str, int]:
    """How many invitations of each survey are answered (answered at ``since`` or later)."""
    query = select(col(Invitation.survey_key), func.count()).where(
        col(Invitation.status) == InvitationStatus.ANSWERED
    )
    if since is not None:
        query = query.where(col(Invitation.answered_at) >= since)
    rows = await session.execute(query.group_by(col(Invitation.survey_key)))
    return {key: count for key, count in rows.all()}


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """How many invitations there are in each status (statuses with none left out)."""
    rows = await session.execute(
        select(col(Invitation.status), func.count()).group_by(col(Invitation.status))
    )
    return {InvitationStatus(status).value: count for status, count in rows.all()}
