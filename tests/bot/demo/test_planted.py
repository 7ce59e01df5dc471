"""The demo's older customers: the three planted effects are what the insights find."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo import planted
from bot.demo.history import import_history
from storage.engine import session_factory


async def test_the_planted_effects_are_found_and_nothing_else(engine: AsyncEngine) -> None:
    now = datetime.now().astimezone()
    sessions = session_factory(engine)
    await import_history(sessions, now)  # the demo's ninety days, as in the demo
    made = await planted.plant_history(sessions, now)
    assert len(made.events) > 100
    async with sessions() as session:
        lines = await planted.findings(session, now)
    print("\n".join(lines))
    drivers, themes, others, outcomes = lines
    assert drivers.startswith("Drivers: price (cost, higher lowers NPS)")
    assert themes.startswith("Themes: sam's detractors write about") and "refund" in themes
    assert others == "Themes flagged for other agents: none"
    assert outcomes.startswith("Outcomes: promoters renewed")
    assert "(95% +" in outcomes  # the whole interval of the difference is above zero
