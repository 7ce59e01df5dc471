"""Survey fixtures: the built-in catalog and invitations pinned to a survey's version."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory
from storage.models import Invitation, InvitationStatus, Platform
from surveys.catalog import Catalog, load_catalog
from surveys.conversation import pin_version
from surveys.definitions import Survey
from tests.factories import Factory

Invite = Callable[..., Awaitable[Invitation]]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(None)


@pytest.fixture
def invite(engine: AsyncEngine, factory: Factory) -> Invite:
    """``await invite(survey, language="de")``: a sent invitation to ``survey``, pinned.

    Each call makes a new customer (with a Telegram identity speaking ``language``) and case.
    """
    counter = iter(range(1, 10_000))

    async def make(
        survey: Survey,
        *,
        language: str | None = "en",
        customer_language: str | None = None,
        status: InvitationStatus = InvitationStatus.SENT,
        **fields: Any,
    ) -> Invitation:
        number = next(counter)
        customer = await factory.customer(f"customer-{number}", language=customer_language)
        await factory.identity(customer, Platform.TELEGRAM, str(5000 + number), language=language)
        agent = await factory.agent(f"agent-{number}")
        case = await factory.case(customer, agent, f"CASE-{number}")
        async with session_factory(engine)() as session, session.begin():
            await pin_version(session, survey)
        fields.setdefault("survey_version", survey.version)
        return await factory.invitation(case, survey.key, status, **fields)

    return make
