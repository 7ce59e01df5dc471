"""Each NPS score lands in its band through the SQL aggregation: 0-6 detractors, 7-8 passives,
9-10 promoters (DESIGN section 5); the boundaries at 6/7 and 8/9 are where a slip would hide."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.periods import Window
from scoring.report import build_report
from tests.factories import Factory
from tests.scoring.helpers import answered

BANDS = {score: "detractor" for score in range(7)} | {7: "passive", 8: "passive"}
BANDS |= {9: "promoter", 10: "promoter"}


@pytest.mark.parametrize("score", range(11))
async def test_one_answer_lands_in_its_band(
    factory: Factory, session: AsyncSession, now: datetime, score: int
) -> None:
    customer, agent = await factory.customer("alice"), await factory.agent("dana")
    await answered(factory, customer, agent, "nps", {"nps": score})
    window = Window(now - timedelta(days=1), now + timedelta(hours=1))
    report = await build_report(session, "agent", window)
    [row] = report.rows
    expected = {"detractor": -100.0, "passive": 0.0, "promoter": 100.0}[BANDS[score]]
    assert row.nps.value == expected
    assert (row.nps.promoters, row.nps.detractors, row.nps.n) == (
        int(BANDS[score] == "promoter"),
        int(BANDS[score] == "detractor"),
        1,
    )
