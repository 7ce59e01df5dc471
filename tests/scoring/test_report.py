from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from feedbackbot.errors import ConfigurationError
from scoring.errors import InvalidParameter
from scoring.periods import Window
from scoring.report import build_report, customer_value
from storage.models import InvitationStatus
from tests.factories import Factory
from tests.scoring.helpers import answered


@pytest.fixture
def month(now: datetime) -> Window:
    return Window(now - timedelta(days=30), now + timedelta(hours=1))


async def test_no_answers_give_an_empty_report(session: AsyncSession, month: Window) -> None:
    for by in ("agent", "customer", "team", "survey", "day", "week", "month"):
        report = await build_report(session, by, month)
        assert report.rows == []
        assert report.to_json()["by"] == by


async def test_answer_figures_per_agent_by_hand(
    factory: Factory, session: AsyncSession, month: Window
) -> None:
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    dana, eli = await factory.agent("dana"), await factory.agent("eli", team="tier2")
    await answered(factory, alice, dana, "csat", {"csat": 5, "fcr": 1, "comment": None})
    await answered(factory, alice, dana, "csat", {"csat": 4, "fcr": 0})
    await answered(factory, boris, dana, "csat", {"csat": 2, "fcr": None})
    await answered(factory, alice, dana, "nps", {"nps": 10})
    await answered(factory, boris, dana, "nps", {"nps": 9})
    await answered(factory, boris, dana, "nps", {"nps": 3})
    await answered(factory, alice, dana, "ces", {"ces": 6})
    await answered(factory, boris, dana, "ces", {"ces": 2})
    await answered(factory, boris, eli, "csat", {"csat": 1})

    report = await build_report(session, "agent", month)
    rows = {row.key: row for row in report.rows}
    assert list(rows) == ["dana", "eli"]
    dana_row = rows["dana"]
    assert dana_row.csat.n == 3 and dana_row.csat.value == pytest.approx(200 / 3)
    assert dana_row.fcr.n == 2 and dana_row.fcr.value == 50.0
    assert dana_row.nps.n == 3 and dana_row.nps.value == pytest.approx(100 / 3)
    assert (dana_row.nps.promoters, dana_row.nps.detractors) == (2, 1)
    assert dana_row.ces.n == 2 and dana_row.ces.mean.value == 4.0 and dana_row.ces.agree.value == 50
    assert rows["eli"].csat.value == 0.0 and rows["eli"].csat.n == 1
    assert rows["eli"].nps.n == 0 and rows["eli"].nps.value is None

    as_json = report.to_json()["rows"][0]
    assert as_json["key"] == "dana"
    assert as_json["csat"] == {
        "value": 66.67,
        "low": pytest.approx(20.77, abs=0.01),
        "high": pytest.approx(93.85, abs=0.01),
        "n": 3,
        "low_sample": True,
        "method": "wilson",
    }


async def test_values_outside_the_scale_are_not_scored(
    factory: Factory, session: AsyncSession, month: Window
) -> None:
    alice, dana = await factory.customer(), await factory.agent()
    await answered(factory, alice, dana, "csat", {"csat": 7, "nps": 11})
    await answered(factory, alice, dana, "csat", {"csat": 4})
    (row,) = (await build_report(session, "agent", month)).rows
    assert row.csat.n == 1 and row.csat.value == 100.0 and row.nps.n == 0


async def test_teams_roll_up_agents_and_unassigned_answers_come_last(
    factory: Factory, session: AsyncSession, month: Window
) -> None:
    alice = await factory.customer()
    dana = await factory.agent("dana", team="tier1")
    eli = await factory.agent("eli", team="tier2")
    fay = await factory.agent("fay", team="tier1")
    await answered(factory, alice, dana, "csat", {"csat": 5})
    await answered(factory, alice, fay, "csat", {"csat": 1})
    await answered(factory, alice, eli, "csat", {"csat": 4})
    await answered(factory, alice, None, "csat", {"csat": 3})

    teams = await build_report(session, "team", month)
    assert [(r.key, r.csat.value, r.csat.n) for r in teams.rows] == [
        ("tier1", 50.0, 2),
        ("tier2", 100.0, 1),
        (None, 0.0, 1),
    ]
    agents = await build_report(session, "agent", month)
    assert [r.key for r in agents.rows] == ["dana", "eli", "fay", None]


async def test_the_window_includes_since_and_excludes_until(
    factory: Factory, session: AsyncSession, now: datetime
) -> None:
    alice, dana = await factory.customer(), await factory.agent()
    since, until = now - timedelta(days=7), now
    await answered(factory, alice, dana, "csat", {"csat": 5}, at=since)
    await answered(factory, alice, dana, "csat", {"csat": 1}, at=until)
    await answered(factory, alice, dana, "csat", {"csat": 1}, at=since - timedelta(seconds=1))
    (row,) = (await build_report(session, "agent", Window(since, until))).rows
    assert row.csat.n == 1 and row.csat.value == 100.0
    (everything,) = (await build_report(session, "agent", Window(None, until))).rows
    assert everything.csat.n == 2


async def test_case_figures_operational_fcr_aht_and_deflection(
    factory: Factory, session: AsyncSession, month: Window, now: datetime
) -> None:
    alice, dana = await factory.customer(), await factory.agent()
    closed = now - timedelta(hours=2)
    await factory.case(alice, dana, "C1", closed_at=closed, contacts=1, handle_seconds=300)
    await factory.case(alice, dana, "C2", closed_at=closed, contacts=3, handle_seconds=900)
    await factory.case(
        alice, dana, "C3", closed_at=closed, contacts=1, resolved=False, handle_seconds=None
    )
    await factory.case(
        alice, dana, "C4", closed_at=closed, contacts=0, channel="self_service", handle_seconds=0
    )
    await factory.case(alice, dana, "old", closed_at=now - timedelta(days=40), contacts=1)

    (row,) = (await build_report(session, "agent", month)).rows
    assert row.fcr_operational.n == 4 and row.fcr_operational.value == 25.0
    assert row.aht.n == 3 and row.aht.value == 400.0
    assert row.deflection.n == 4 and row.deflection.value == 25.0
    assert row.csat.n == 0


async def test_response_rate_counts_sent_invitations_by_when_they_were_sent(
    factory: Factory, session: AsyncSession, month: Window, now: datetime
) -> None:
    alice, dana = await factory.customer(), await factory.agent()
    sent = now - timedelta(days=1)
    statuses = [
        (InvitationStatus.ANSWERED, sent),
        (InvitationStatus.SENT, sent),
        (InvitationStatus.EXPIRED, sent),
        (InvitationStatus.ANSWERED, now - timedelta(days=45)),
        (InvitationStatus.PENDING, None),
        (InvitationStatus.FAILED, None),
        (InvitationStatus.SKIPPED, None),
    ]
    for index, (status, sent_at) in enumerate(statuses):
        case = await factory.case(alice, dana, f"C{index}")
        await factory.invitation(case, status=status, sent_at=sent_at)
    (row,) = (await build_report(session, "agent", month)).rows
    assert row.response_rate.n == 3
    assert row.response_rate.value == pytest.approx(100 / 3)


async def test_customer_value_uses_each_customers_latest_survey_and_the_weights(
    factory: Factory, session: AsyncSession, month: Window, now: datetime
) -> None:
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    dana = await factory.agent()
    earlier = now - timedelta(days=3)
    await answered(factory, alice, dana, "value", {"quality": 1, "price": 5}, at=earlier)
    await answered(
        factory, alice, dana, "value", {"quality": 4, "reputation": 2, "price": 2, "stress": None}
    )
    await answered(factory, boris, dana, "value", {"quality": 5, "personal": 3, "price": 4})

    customers = {r.key: r.value for r in (await build_report(session, "customer", month)).rows}
    # alice: B = (4 + 2) / 2 = 3, C = 2 / 1 = 2 -> CV 1.5; boris: B = 4, C = 4 -> CV 1.
    assert customers["alice"].value == pytest.approx(1.5)
    assert customers["alice"].n == 1
    assert customers["alice"].dimensions["stress"].n == 0
    assert customers["boris"].value == pytest.approx(1.0)

    (agent,) = (await build_report(session, "agent", month)).rows
    assert agent.value.n == 2 and agent.value.value == pytest.approx(1.25)
    assert agent.value.dimensions["quality"].value == pytest.approx(4.5)
    assert agent.value.dimensions["quality"].n == 2

    weighted = await build_report(session, "customer", month, {"quality": 3})
    # alice: B = (3*4 + 2) / 4 = 3.5, C = 2 -> 1.75; boris: B = (15 + 3) / 4 = 4.5, C = 4
    values = {r.key: r.value.value for r in weighted.rows}
    assert values == {"alice": pytest.approx(1.75), "boris": pytest.approx(1.125)}


async def test_unknown_weight_names_name_the_setting_and_the_known_dimensions(
    session: AsyncSession, month: Window
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        await build_report(session, "agent", month, {"qualty": 2})
    message = str(raised.value)
    assert "VALUE_WEIGHTS" in message and "qualty" in message and "quality" in message


async def test_unknown_grouping_is_refused_naming_by(session: AsyncSession, month: Window) -> None:
    with pytest.raises(InvalidParameter) as raised:
        await build_report(session, "planet", month)
    assert raised.value.parameter == "by"


async def test_periods_start_on_the_first_day_and_weeks_on_monday(
    factory: Factory, session: AsyncSession
) -> None:
    alice, dana = await factory.customer(), await factory.agent()
    sunday_night = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    monday = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    await answered(factory, alice, dana, "csat", {"csat": 5}, at=sunday_night)
    await answered(factory, alice, dana, "csat", {"csat": 1}, at=monday)
    await answered(factory, alice, dana, "csat", {"csat": 4}, at=datetime(2026, 2, 1, tzinfo=UTC))
    span = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))

    async def keys(by: str) -> list[tuple[str | None, int]]:
        return [(r.key, r.csat.n) for r in (await build_report(session, by, span)).rows]

    assert await keys("day") == [("2026-02-01", 1), ("2026-03-01", 1), ("2026-03-02", 1)]
    assert await keys("week") == [("2026-01-26", 1), ("2026-02-23", 1), ("2026-03-02", 1)]
    assert await keys("month") == [("2026-02-01", 1), ("2026-03-01", 2)]


async def test_by_survey_groups_answers_and_invitations_but_not_cases(
    factory: Factory, session: AsyncSession, month: Window
) -> None:
    alice, dana = await factory.customer(), await factory.agent()
    await answered(factory, alice, dana, "csat", {"csat": 5})
    await answered(factory, alice, dana, "nps", {"nps": 0})
    rows = {r.key: r for r in (await build_report(session, "survey", month)).rows}
    assert rows["csat"].csat.n == 1 and rows["csat"].nps.n == 0
    assert rows["nps"].nps.value == -100.0
    assert rows["nps"].response_rate.n == 1
    assert rows["csat"].fcr_operational.n == 0


async def test_customer_value_of_one_customer(
    factory: Factory, session: AsyncSession, now: datetime
) -> None:
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    dana = await factory.agent()
    await answered(factory, alice, dana, "value", {"quality": 3, "price": 2, "stress": 4})
    assert await customer_value(session, "nobody") is None

    empty = await customer_value(session, "boris")
    assert empty is not None and empty.value.n == 0 and empty.value.value is None

    found = await customer_value(session, "alice")
    assert found is not None
    assert found.answered_at == now
    assert found.value.value == pytest.approx(1.0)
    assert found.value.cost == pytest.approx(3.0)
    assert found.to_json()["value"]["dimensions"]["price"] == {"value": 2.0, "n": 1}
    assert boris.id is not None
