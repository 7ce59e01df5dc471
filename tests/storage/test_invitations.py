from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage import invitations
from storage.engine import session_factory
from storage.models import Invitation, InvitationStatus, Platform, SupportCase
from tests.factories import Factory


async def seed(factory: Factory, customers: int, per_customer: int = 1) -> None:
    dana = await factory.agent()
    for n in range(customers):
        person = await factory.customer(f"c{n}")
        await factory.identity(person, external_id=str(2000 + n))
        for k in range(per_customer):
            case = await factory.case(person, dana, external_id=f"CASE-{n}-{k}")
            await factory.invitation(case)


async def claim(engine: AsyncEngine, now: datetime, worker: str, **options: object) -> list[int]:
    async with session_factory(engine)() as session, session.begin():
        rows = await invitations.claim_due(
            session,
            platform=Platform.TELEGRAM,
            worker=worker,
            now=now,
            claim_until=now + timedelta(seconds=15),
            limit=options.pop("limit", 100),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )
    assert all(r.status is InvitationStatus.SENDING and r.claimed_by == worker for r in rows)
    return [r.id for r in rows if r.id is not None]


async def test_a_claim_takes_one_invitation_per_customer_and_skips_busy_ones(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    await seed(factory, customers=3, per_customer=2)
    assert await claim(engine, now, "a", busy_customers=[1]) == [3, 5]
    assert await claim(engine, now, "a") == [1, 4, 6]
    assert await claim(engine, now, "a") == [2]
    assert await claim(engine, now, "a") == []  # every claim is still held


async def test_an_expired_claim_is_taken_over(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    await seed(factory, customers=1)
    assert len(await claim(engine, now, "a")) == 1
    assert await claim(engine, now + timedelta(seconds=14), "b") == []
    assert len(await claim(engine, now + timedelta(seconds=15), "b")) == 1


@pytest.mark.postgres
async def test_concurrent_claims_skip_each_others_locked_rows(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    await seed(factory, customers=6)
    sessions = session_factory(engine)
    async with sessions() as first, first.begin():
        held = await invitations.claim_due(
            first,
            platform=Platform.TELEGRAM,
            worker="a",
            now=now,
            claim_until=now + timedelta(seconds=15),
            limit=4,
        )
        # "a" has not committed: its rows are locked, and "b" neither waits nor takes them.
        other = await claim(engine, now, "b")
    assert len(held) == 4 and len(other) == 2
    assert not {r.id for r in held} & set(other)


async def test_remind_now_moves_only_sent_unreminded_invitations_of_that_customer(
    factory: Factory, session: AsyncSession, now: datetime
) -> None:
    invitation = await factory.pending_invitation()
    case = SupportCase(id=invitation.case_id, customer_id=invitation.customer_id)
    tomorrow = now + timedelta(days=1)
    sent = await factory.invitation(case, "nps", InvitationStatus.SENT, due_at=tomorrow)
    await factory.invitation(case, "value", InvitationStatus.SENT, due_at=tomorrow, reminded_at=now)
    await factory.invitation(case, "ces", InvitationStatus.ANSWERED)
    async with session.begin():
        assert await invitations.remind_now(session, "nobody", now) == 0
        assert await invitations.remind_now(session, "alice", now) == 1
        assert await invitations.answered_by_survey(session) == {"ces": 1}
    refreshed = await session.get(Invitation, sent.id, populate_existing=True)
    assert refreshed is not None and refreshed.due_at == now
