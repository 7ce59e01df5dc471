"""The tables. Statuses are str enums stored as text; every timestamp is aware UTC.

Answers repeat the customer, agent and survey of their invitation so the scoring queries
group one table (DESIGN section 5) instead of joining a million rows on every report.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, text_enum, utcnow


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table behind a model, for queries written in SQLAlchemy Core."""
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table)
    return table


SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _time(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime(), nullable=nullable, index=index)


def _created() -> datetime:
    return Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


class Platform(StrEnum):
    TELEGRAM = "telegram"
    SLACK = "slack"


class IdentityState(StrEnum):
    LINKED = "linked"
    UNREACHABLE = "unreachable"
    OPTED_OUT = "opted_out"


class InvitationStatus(StrEnum):
    """pending -> sending -> sent -> answered; or expired, failed, cancelled.

    A retryable send error puts a sending invitation back to pending with a later due time.
    ``skipped`` records a survey the policy decided not to send (``status_reason`` says why:
    opted out, throttled, no reachable channel), so a repeated case event gets the same answer.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    ANSWERED = "answered"
    EXPIRED = "expired"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class Customer(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=200, unique=True)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    erased_at: datetime | None = _time()
    """When the customer erased their data; ``external_id`` is then a random pseudonym."""


class Identity(SQLModel, table=True):
    """A customer's address on one chat platform (a Telegram chat, a Slack user)."""

    __table_args__ = (
        sa.UniqueConstraint("platform", "external_id"),
        sa.UniqueConstraint("customer_id", "platform"),
    )

    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    platform: Platform = Field(sa_type=text_enum(Platform))
    external_id: str = Field(max_length=64)
    state: IdentityState = Field(default=IdentityState.LINKED, sa_type=text_enum(IdentityState))
    language: str | None = Field(default=None, max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    linked_at: datetime = _created()
    updated_at: datetime = _created()


class Agent(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=200, unique=True)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    slack_user_id: str | None = Field(default=None, max_length=32, index=True)
    team: str | None = Field(default=None, max_length=200, index=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class SupportCase(SQLModel, table=True):
    """A closed helpdesk case; ``external_id`` is the event's ``case_id``."""

    __tablename__ = "support_case"
    __table_args__ = (sa.Index(None, "agent_id", "closed_at"),)

    id: int = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=200, unique=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    opened_at: datetime | None = _time()
    closed_at: datetime = _time(nullable=False, index=True)
    contacts: int = Field(default=1, ge=0)
    resolved: bool = True
    handle_seconds: int | None = Field(default=None, ge=0)
    channel: str | None = Field(default=None, max_length=64)
    event_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = _created()


class SurveyDefinition(SQLModel, table=True):
    """The definition of one survey version, as it was when an invitation was first made with it.

    Invitations name ``(survey_key, survey_version)``; keeping the definition here means a later
    change to a survey never changes what an open invitation asks or how its answers are read.
    """

    __tablename__ = "survey_definition"

    survey_key: str = Field(primary_key=True, max_length=64)
    version: str = Field(primary_key=True, max_length=64)
    definition: dict = Field(sa_type=sa.JSON, nullable=False)
    created_at: datetime = _created()


class Invitation(SQLModel, table=True):
    """One survey offered to one customer: a row of the durable outbox.

    ``agent_id`` is the case's agent when the invitation is created, so a later reassignment
    does not move the feedback to someone else.
    """

    __table_args__ = (
        sa.UniqueConstraint("case_id", "survey_key"),
        sa.Index(None, "status", "due_at"),
        sa.Index(None, "customer_id", "created_at"),
    )

    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    case_id: int | None = Field(default=None, foreign_key="support_case.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    survey_key: str = Field(max_length=64)
    survey_version: str = Field(max_length=64)
    channel: Platform | None = Field(default=None, sa_type=text_enum(Platform))
    status: InvitationStatus = Field(
        default=InvitationStatus.PENDING, sa_type=text_enum(InvitationStatus)
    )
    status_reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = _created()
    due_at: datetime = _time(nullable=False)
    sent_at: datetime | None = _time()
    reminded_at: datetime | None = _time()
    expires_at: datetime | None = _time()
    answered_at: datetime | None = _time()
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    claimed_by: str | None = Field(default=None, max_length=100)
    claim_expires_at: datetime | None = _time()
    message_ref: str | None = Field(default=None, max_length=200)
    import_case: str | None = Field(default=None, max_length=200)
    """An imported answer's case_id when that case is not in this database (no case is made)."""
    import_ref: str | None = Field(default=None, max_length=200)
    """The ``response`` an imported answer came with: which answers were given together."""


class Answer(SQLModel, table=True):
    """One answer to one question of an invitation; a skipped optional question has no value."""

    __table_args__ = (
        sa.UniqueConstraint("invitation_id", "question_key"),
        sa.Index(None, "agent_id", "answered_at"),
        sa.Index(None, "customer_id", "survey_key", "answered_at"),
        sa.Index(None, "survey_key", "question_key", "answered_at"),
    )

    id: int = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customer.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    survey_key: str = Field(max_length=64)
    question_key: str = Field(max_length=64)
    value: int | None = None
    choice: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, max_length=2000)
    skipped: bool = False
    answered_at: datetime = _created()


class FollowUp(SQLModel, table=True):
    """A low-score alert to the case's agent, and who closed the loop with the customer."""

    __tablename__ = "follow_up"

    id: int = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", unique=True, ondelete="CASCADE")
    agent_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    reason: str = Field(max_length=200)
    created_at: datetime = _created()
    alerted_at: datetime | None = _time()
    alert_ref: str | None = Field(default=None, max_length=200)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    followed_up_by: str | None = Field(default=None, max_length=64)
    followed_up_at: datetime | None = _time()
    alert_outdated_at: datetime | None = _time()
    """Set when what the posted alert shows changed (the customer erased their data): the
    Slack side edits the message and clears it."""


class LinkToken(SQLModel, table=True):
    """A deep link issued to one customer: it links one chat, once, until it expires.

    ``id`` is the token's random part; the token itself also carries an HMAC of it, so a guessed
    id is refused before the database is asked. ``pending_address`` is the chat asked to confirm
    that it moves from the customer it belongs to over to this token's customer.
    """

    __tablename__ = "link_token"

    id: str = Field(primary_key=True, max_length=32)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    created_at: datetime = _created()
    expires_at: datetime = _time(nullable=False)
    used_at: datetime | None = _time()
    pending_address: str | None = Field(default=None, max_length=64)


class DigestLog(SQLModel, table=True):
    """Once-per-period work (a digest, a campaign): the unique key lets one worker do it."""

    __tablename__ = "digest_log"
    __table_args__ = (sa.UniqueConstraint("kind", "period", "target"),)

    id: int = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    period: str = Field(max_length=32)
    target: str = Field(default="", max_length=200)
    claimed_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = _created()
    done_at: datetime | None = _time()
    result_ref: str | None = Field(default=None, max_length=200)


class Lease(SQLModel, table=True):
    """A named lease one worker holds at a time (e.g. the Telegram long-poller)."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=100)
    expires_at: datetime = _time(nullable=False)


class OutcomeType(StrEnum):
    """What a customer did afterwards: the repeat business that scores stand for (DESIGN 12)."""

    RENEWAL = "renewal"
    PURCHASE = "purchase"
    CHURN = "churn"
    REFUND = "refund"


class CustomerEvent(SQLModel, table=True):
    """A business outcome for a customer, reported by billing or a CRM.

    ``event_key`` is the caller's id for the event, or a digest of its type, time and amount, so
    the same event sent or imported twice is stored once.
    """

    __tablename__ = "customer_event"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "event_key"),
        sa.Index(None, "customer_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    event_key: str = Field(max_length=200)
    type: OutcomeType = Field(sa_type=text_enum(OutcomeType))
    at: datetime = _time(nullable=False)
    amount: float | None = Field(default=None, sa_type=sa.Numeric(14, 2, asdecimal=False))
    created_at: datetime = _created()


class DashboardLink(SQLModel, table=True):
    """A one-time dashboard sign-in link (DESIGN section 11): whom it signs in, until when, and
    when it was used. The link carries a random nonce; only its SHA-256 is stored, so the table
    cannot be read back into working links."""

    __tablename__ = "dashboard_link"

    nonce_hash: str = Field(primary_key=True, max_length=64)
    admin: bool = False
    agent_external_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = _created()
    expires_at: datetime = _time(nullable=False, index=True)
    used_at: datetime | None = _time()


class HookDelivery(SQLModel, table=True):
    """A helpdesk webhook that was recorded: its key makes a redelivery change nothing.

    ``delivery_key`` is the helpdesk's event id where it sends one, else the ticket with its
    closed time (see ``bot/hooks``). Old rows are purged once no helpdesk would retry them.
    """

    __tablename__ = "hook_delivery"
    __table_args__ = (sa.UniqueConstraint("helpdesk", "delivery_key"),)

    id: int | None = Field(default=None, primary_key=True)
    helpdesk: str = Field(max_length=32)
    delivery_key: str = Field(max_length=200)
    case_external_id: str = Field(max_length=200)
    received_at: datetime = _time(nullable=False, index=True)
