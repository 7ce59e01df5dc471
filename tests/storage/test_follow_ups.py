from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import follow_ups
from storage.models import FollowUp, Platform
from tests.factories import Factory


async def _low_csat(factory: Factory, *, slack_user: str | None = "U0DANA") -> FollowUp:
    boris = await factory.customer("boris", name="Boris")
    await factory.identity(boris, Platform.SLACK)
    dana = await factory.agent(slack_user_id=slack_user)
    case = await factory.case(boris, dana, "CASE-9")
    invitation = await factory.invitation(case, channel=Platform.SLACK)
    await factory.answer(invitation, "csat", 1)
    await factory.answer(invitation, "comment", text="<!channel> slow")
    return await factory.save(
        FollowUp(invitation_id=invitation.id, agent_id=dana.id, reason="csat 1 <= 2")
    )


async def test_pending_alerts_skip_agents_without_slack(
    factory: Factory, session: AsyncSession
) -> None:
    await _low_csat(factory, slack_user=None)
    async with session.begin():
        assert await follow_ups.pending_alerts(session, max_attempts=3) == []


async def test_only_one_claim_of_the_same_read_wins(
    factory: Factory, session: AsyncSession
) -> None:
    await _low_csat(factory)
    async with session.begin():
        [first] = await follow_ups.pending_alerts(session, max_attempts=3)
        stale = FollowUp(**first.model_dump())
        assert await follow_ups.claim_alert(session, first)
        assert not await follow_ups.claim_alert(session, stale)


async def test_alert_details_carry_customer_case_and_answers(
    factory: Factory, session: AsyncSession
) -> None:
    follow_up = await _low_csat(factory)
    async with session.begin():
        details = await follow_ups.alert_details(session, follow_up.id)
    assert details is not None
    assert (details.customer_name, details.case_external_id) == ("Boris", "CASE-9")
    assert details.agent_slack_user_id == "U0DANA"
    assert [(a.question_key, a.value, a.text) for a in details.answers] == [
        ("csat", 1, None),
        ("comment", None, "<!channel> slow"),
    ]


async def test_alerted_rows_leave_the_outbox_and_show_as_open(
    factory: Factory, session: AsyncSession
) -> None:
    follow_up = await _low_csat(factory)
    async with session.begin():
        await follow_ups.mark_alerted(session, follow_up.id, at=factory.now, ref="D1:1.2")
        assert await follow_ups.pending_alerts(session, max_attempts=3) == []
        [open_alert] = await follow_ups.open_alerts(session, follow_up.agent_id)
    assert open_alert.follow_up_id == follow_up.id
    assert open_alert.case_external_id == "CASE-9"


async def test_first_follow_up_wins_and_closes_the_alert(
    factory: Factory, session: AsyncSession
) -> None:
    follow_up = await _low_csat(factory)
    later = factory.now + timedelta(minutes=5)
    async with session.begin():
        await follow_ups.mark_alerted(session, follow_up.id, at=factory.now, ref="D1:1.2")
        first = await follow_ups.record_follow_up(session, follow_up.id, by="U0DANA", at=later)
        second = await follow_ups.record_follow_up(
            session, follow_up.id, by="U0ADMIN", at=later + timedelta(hours=1)
        )
        assert await follow_ups.open_alerts(session, follow_up.agent_id) == []
    assert first is not None and second is not None
    assert (second.followed_up_by, second.followed_up_at) == ("U0DANA", later)
    async with session.begin():
        assert await follow_ups.record_follow_up(session, 999, by="U0DANA", at=later) is None


async def test_a_sweep_leaves_fresh_rows_alone(factory: Factory, session: AsyncSession) -> None:
    follow_up = await _low_csat(factory)
    async with session.begin():
        fresh = await follow_ups.pending_alerts(
            session, max_attempts=3, created_before=follow_up.created_at
        )
        due = await follow_ups.pending_alerts(
            session, max_attempts=3, created_before=follow_up.created_at + timedelta(seconds=1)
        )
    assert fresh == []
    assert [f.id for f in due] == [follow_up.id]
