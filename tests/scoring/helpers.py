"""Building answered surveys in a few lines for the scoring tests."""

from __future__ import annotations

from datetime import datetime
from itertools import count

from storage.models import Agent, Customer, Invitation, InvitationStatus
from tests.factories import Factory

_cases = count(1)


async def answered(
    factory: Factory,
    customer: Customer,
    agent: Agent | None,
    survey: str,
    answers: dict[str, int | None],
    at: datetime | None = None,
    **case_fields: object,
) -> Invitation:
    """A closed case with one answered invitation; a None value is a skipped question."""
    at = at or factory.now
    case = await factory.case(
        customer, agent, external_id=f"CASE-{next(_cases)}", closed_at=at, **case_fields
    )
    invitation = await factory.invitation(
        case, survey, status=InvitationStatus.ANSWERED, sent_at=at, answered_at=at
    )
    for question, value in answers.items():
        await factory.answer(invitation, question, value, skipped=value is None, answered_at=at)
    return invitation
