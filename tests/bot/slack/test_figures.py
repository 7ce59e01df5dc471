from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.slack.figures import Figures, figures_by_agent, total
from storage.models import InvitationStatus
from tests.factories import Factory


async def test_csat_nps_and_response_rate_per_agent_by_external_id(
    factory: Factory, session: AsyncSession
) -> None:
    alice = await factory.customer()
    dana = await factory.agent()
    eli = await factory.agent("eli", team="tier2")
    sent = factory.now - timedelta(hours=2)
    for number, score in enumerate([5, 4, 2, 1], start=1):
        case = await factory.case(alice, dana, f"D-{number}")
        invitation = await factory.invitation(
            case, status=InvitationStatus.ANSWERED, sent_at=sent, answered_at=factory.now
        )
        await factory.answer(invitation, "csat", score)
    unanswered = await factory.case(alice, dana, "D-9")
    await factory.invitation(unanswered, status=InvitationStatus.SENT, sent_at=sent)
    for number, score in enumerate([10, 9, 7, 3, 0], start=1):
        case = await factory.case(alice, eli, f"E-{number}")
        invitation = await factory.invitation(
            case, "nps", status=InvitationStatus.ANSWERED, sent_at=sent, answered_at=factory.now
        )
        await factory.answer(invitation, "nps", score)
    outside = await factory.case(alice, dana, "OLD")
    old = await factory.invitation(
        outside, status=InvitationStatus.ANSWERED, sent_at=sent - timedelta(days=40)
    )
    await factory.answer(old, "csat", 1, answered_at=factory.now - timedelta(days=40))

    async with session.begin():
        result = await figures_by_agent(
            session, factory.now - timedelta(days=1), factory.now + timedelta(seconds=1)
        )
    assert result["dana"].csat.value == pytest.approx(50.0)
    assert (result["dana"].csat_n, result["dana"].sent, result["dana"].answered) == (4, 5, 4)
    assert result["dana"].response_rate.value == pytest.approx(80.0)
    assert result["dana"].nps.value is None
    assert result["eli"].nps.value == pytest.approx(100 * (2 - 2) / 5)
    assert (result["eli"].promoters, result["eli"].detractors, result["eli"].nps_n) == (2, 2, 5)
    team = total(result.values())
    assert (team.csat_n, team.nps_n, team.sent) == (4, 5, 10)
    async with session.begin():
        only_eli = await figures_by_agent(
            session, factory.now - timedelta(days=1), factory.now + timedelta(seconds=1), ["eli"]
        )
    assert list(only_eli) == ["eli"]


async def test_a_period_without_answers_has_no_figures(session: AsyncSession, now) -> None:
    async with session.begin():
        assert await figures_by_agent(session, now - timedelta(days=1), now) == {}
    empty = Figures()
    assert empty.csat.value is None and empty.nps.value is None
    assert empty.response_rate.value is None
