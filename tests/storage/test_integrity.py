"""Integrity errors are read by constraint name: a duplicate is "already exists", the rest is
raised as it is (issue 17: every IntegrityError used to become "already exists")."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from feedbackbot.errors import AlreadyExists
from storage.cases import UNIQUE_CASE, add_case
from storage.integrity import violated_constraint
from storage.invitations import UNIQUE_CASE_SURVEY, add_invitation
from storage.models import Invitation, SupportCase
from tests.factories import Factory


async def test_a_duplicate_case_id_is_already_recorded_and_the_transaction_goes_on(
    session: AsyncSession, factory: Factory
) -> None:
    customer = await factory.customer()
    async with session.begin():
        await add_case(
            session, SupportCase(external_id="C-1", customer_id=customer.id, closed_at=factory.now)
        )
        with pytest.raises(AlreadyExists, match="case C-1 is already recorded"):
            await add_case(
                session,
                SupportCase(external_id="C-1", customer_id=customer.id, closed_at=factory.now),
            )
        await add_case(
            session, SupportCase(external_id="C-2", customer_id=customer.id, closed_at=factory.now)
        )


async def test_a_case_of_an_unknown_customer_is_not_called_a_duplicate(
    session: AsyncSession, factory: Factory
) -> None:
    async with session.begin():
        with pytest.raises(IntegrityError) as raised:
            await add_case(
                session, SupportCase(external_id="C-9", customer_id=999, closed_at=factory.now)
            )
    assert violated_constraint(raised.value) != UNIQUE_CASE


async def test_a_second_invitation_to_a_survey_exists_already_but_a_null_is_a_bug_to_see(
    session: AsyncSession, factory: Factory
) -> None:
    customer = await factory.customer()
    case = await factory.case(customer, await factory.agent())

    def invitation(**fields: object) -> Invitation:
        values = {
            "customer_id": customer.id,
            "case_id": case.id,
            "survey_key": "csat",
            "survey_version": "1",
            "due_at": factory.now,
        }
        return Invitation(**{**values, **fields})

    async with session.begin():
        await add_invitation(session, invitation())
        with pytest.raises(AlreadyExists) as duplicate:
            await add_invitation(session, invitation())
        assert "already has a csat invitation" in str(duplicate.value)
        with pytest.raises(IntegrityError) as raised:
            await add_invitation(session, invitation(survey_key="nps", survey_version=None))
    assert violated_constraint(raised.value) != UNIQUE_CASE_SURVEY


async def test_the_unique_constraint_is_named_on_both_databases(
    session: AsyncSession, factory: Factory
) -> None:
    customer = await factory.customer()
    await factory.case(customer, None, "C-1")
    with pytest.raises(IntegrityError) as raised:
        async with session.begin():
            session.add(
                SupportCase(external_id="C-1", customer_id=customer.id, closed_at=factory.now)
            )
    assert violated_constraint(raised.value) == UNIQUE_CASE
