"""Older customers for the demo, with three effects planted for ``feedbackbot insights`` to find.

Besides the ninety days of ``history``, older customers (``older-0000`` ...) answered NPS (each
with a reason, in their language) and value surveys, and renewed or left. They go in through the
same functions as ``feedbackbot import answers`` and ``import events``. Planted: the price a
customer pays drives their NPS (``DRIVER``); the detractors of one agent (``COMPLAINT_AGENT``)
keep writing about refunds; promoters renew more often than detractors. The demo ends by running
the three analyses and saying what they found.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo import cast
from bot.demo.comments import comment, nps_and_theme
from scoring.value import DIMENSIONS
from storage.events import EventRecord, record_events
from storage.models import OutcomeType
from storage.transfer import AnswerRecord, import_answers, set_languages

CUSTOMERS = 600
VALUE_SHARE = 0.5
DRIVER = "price"
COMPLAINT_AGENT = "sam"
COMPLAINT = "refund"
LANGUAGES = ("en",) * 7 + ("es", "de", "ru")
DAYS = 290
HORIZON_DAYS = 180
RENEWAL = {"promoter": 0.75, "passive": 0.5, "detractor": 0.25}
BATCH = 1000


@dataclass
class History:
    answers: list[AnswerRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)


def _band(score: int) -> str:
    return "promoter" if score >= 9 else "detractor" if score <= 6 else "passive"


def make_history(rng: random.Random, now: datetime) -> History:
    """The past customers' answers and events, effects planted (see the module docstring)."""
    history = History()
    for index in range(CUSTOMERS):
        name = f"older-{index:04d}"
        agent = cast.AGENTS[index % len(cast.AGENTS)]
        language = rng.choice(LANGUAGES)
        history.languages[name] = language
        at = (now - timedelta(days=rng.uniform(2, DAYS))).replace(microsecond=0)
        planted = COMPLAINT if agent.key == COMPLAINT_AGENT else None
        score, theme = nps_and_theme(rng, planted, share=0.8)
        if rng.random() < VALUE_SHARE:
            ratings = {d: rng.randint(1, 5) for d in DIMENSIONS}
            drive = 7.5 - 1.7 * (ratings[DRIVER] - 3) + 0.3 * (ratings["quality"] - 3)
            score = max(0, min(10, round(drive + rng.gauss(0, 1.3))))
            if score > 6 and theme == COMPLAINT:
                theme = "staff"
            history.answers += [
                AnswerRecord(name, agent.key, f"{name}-value", "value", d, v, None, None, at)
                for d, v in ratings.items()
            ]
        text = comment(rng, language, theme)
        case = f"{name}-nps"
        history.answers += [
            AnswerRecord(name, agent.key, case, "nps", "nps", score, None, None, at),
            AnswerRecord(name, agent.key, case, "nps", "reason", None, None, text, at),
        ]
        if rng.random() < RENEWAL[_band(score)]:
            renewed = at + timedelta(days=rng.uniform(5, HORIZON_DAYS - 5))
            if renewed < now:
                history.events.append(
                    EventRecord(name, OutcomeType.RENEWAL, renewed, 1200.0, f"{name}-renewal")
                )
        elif _band(score) == "detractor" and rng.random() < 0.5:
            left = at + timedelta(days=rng.uniform(20, 120))
            if left < now:
                history.events.append(EventRecord(name, OutcomeType.CHURN, left, None))
    return history


async def plant_history(sessions: async_sessionmaker[AsyncSession], now: datetime) -> History:
    """Import the history (idempotent, like the import commands); returns what was planted."""
    history = make_history(random.Random(16), now)
    for start in range(0, len(history.answers), BATCH):
        async with sessions() as session, session.begin():
            await import_answers(session, history.answers[start : start + BATCH])
    async with sessions() as session, session.begin():
        await set_languages(session, history.languages)
        await record_events(session, history.events)
    return history


async def findings(session: AsyncSession, now: datetime) -> list[str]:
    """What ``feedbackbot insights`` finds in the demo's database, one line per analysis."""
    from scoring.insights.drivers import build_drivers
    from scoring.insights.outcomes import build_outcomes
    from scoring.insights.themes import build_themes
    from scoring.periods import Window

    everything = Window(None, now + timedelta(minutes=1))
    lines = []
    drivers = (
        await build_drivers(session, target="nps", by="all", window=everything, replicates=1000)
    ).rows[0]
    if len(drivers.drivers) >= 2:
        top, second = drivers.drivers[0], drivers.drivers[1]
        lines.append(
            f"Drivers: {top.name} ({top.kind}, higher {'lowers' if top.direction < 0 else 'raises'}"
            f" NPS) explains {top.share:.0f}% of R² {drivers.r2.value:.2f}: weight "
            f"{top.weight.value:.3f} (95% {top.weight.low:.3f}..{top.weight.high:.3f}), next "
            f"{second.name} at most {second.weight.high:.3f}; n={drivers.n}"
        )
    themes = await build_themes(session, by="agent", window=everything)
    for row in themes.rows:
        flagged = [t for t in row.themes if t.flagged]
        if row.key == COMPLAINT_AGENT and flagged:
            top_theme = flagged[0]
            lines.append(
                f"Themes: {row.key}'s detractors write about {', '.join(top_theme.words[:4])} "
                f"({top_theme.language}, z = {top_theme.z:.1f}): “{top_theme.quote}”"
            )
    others = [
        r.key for r in themes.rows if r.key != COMPLAINT_AGENT and any(t.flagged for t in r.themes)
    ]
    lines.append(f"Themes flagged for other agents: {', '.join(map(str, others)) or 'none'}")
    outcome = (
        await build_outcomes(
            session,
            score="nps",
            by="all",
            window=everything,
            horizon=timedelta(days=HORIZON_DAYS),
            observed_until=now,
        )
    ).rows[0]
    bands = {b.band: b for b in outcome.bands}
    promoters, detractors = bands["promoter"], bands["detractor"]
    difference = outcome.repeat_difference
    if promoters.repeat.value is not None and detractors.repeat.value is not None:
        lines.append(
            f"Outcomes: promoters renewed {promoters.repeat.value:.0f}% vs detractors "
            f"{detractors.repeat.value:.0f}% within {HORIZON_DAYS} days: {difference.value:+.0f} "
            f"pts (95% {difference.low:+.0f}..{difference.high:+.0f}); "
            f"n={promoters.n}/{detractors.n}"
        )
    return lines
