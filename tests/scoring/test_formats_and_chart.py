from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.chart import draw_chart, render_chart, trend_period
from scoring.formats import columns, read_report_csv, report_csv
from scoring.periods import Window
from scoring.report import build_report, customer_values
from tests.factories import Factory
from tests.scoring.helpers import answered

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def filled(factory: Factory, now: datetime) -> Window:
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    dana, eli = await factory.agent("dana"), await factory.agent("eli", team="tier2")
    for day in range(20):
        at = now - timedelta(days=day, hours=1)
        await answered(factory, alice, dana, "csat", {"csat": 1 + day % 5, "fcr": day % 2}, at=at)
        await answered(factory, boris, eli, "nps", {"nps": day % 11}, at=at, handle_seconds=60)
    await answered(factory, alice, dana, "value", {"quality": 4, "price": 2, "stress": None})
    await answered(factory, boris, eli, "value", {"quality": 2, "price": 4})
    return Window(now - timedelta(days=30), now + timedelta(hours=1))


async def test_csv_reads_back_to_the_json_rows(session: AsyncSession, filled: Window) -> None:
    for by in ("agent", "customer", "team", "week"):
        rows = (await build_report(session, by, filled)).to_json()["rows"]
        text = report_csv(rows)
        assert text.splitlines()[0].split(",") == columns()
        assert read_report_csv(text) == rows


def test_an_empty_report_is_a_csv_header() -> None:
    text = report_csv([])
    assert text.count("\n") == 1 and "csat.low" in text and "value.dimensions.quality.n" in text
    assert read_report_csv(text) == []


async def test_the_chart_is_a_png_with_every_axis_labelled(
    session: AsyncSession, filled: Window, tmp_path: Path
) -> None:
    trend = await build_report(session, trend_period(filled), filled)
    agents = await build_report(session, "agent", filled)
    values = await customer_values(session, filled)
    assert sorted(values) == [0.5, 2.0]

    figure = draw_chart(filled, trend, agents, values)
    for axes in figure.axes:
        assert axes.get_xlabel() and axes.get_ylabel() and axes.get_title()
    path = render_chart(tmp_path / "report.png", filled, trend, agents, values)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000


async def test_the_chart_of_an_empty_database_still_renders(
    session: AsyncSession, tmp_path: Path, now: datetime
) -> None:
    span = Window(None, now)
    trend = await build_report(session, trend_period(span), span)
    agents = await build_report(session, "agent", span)
    path = render_chart(tmp_path / "empty.png", span, trend, agents, [])
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_trend_buckets_follow_the_span() -> None:
    end = datetime(2026, 3, 1, tzinfo=UTC)
    assert trend_period(Window(end - timedelta(days=30), end)) == "day"
    assert trend_period(Window(end - timedelta(days=90), end)) == "week"
    assert trend_period(Window(end - timedelta(days=365), end)) == "month"
    assert trend_period(Window(None, end)) == "month"
