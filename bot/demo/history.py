"""Ninety days of earlier feedback for the demo's database (DESIGN section 11), so every trend
in its chart and dashboard has a shape.

The history goes in the way a team brings theirs from another tool: answer records imported by
``storage.transfer.import_answers`` (what ``feedbackbot import answers`` runs), which creates the
past cases and their answered invitations. It belongs to earlier customers (``past-001`` ...),
not the live story's, so the survey policy (NPS every 90 days, value every 180) still invites
the story's customers. The same three agents keep their character (``cast.AGENTS``), and Sam's
customers grow happier over the quarter.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo import cast
from scoring.value import BENEFITS, COSTS
from storage.transfer import IMPORTED, AnswerRecord, import_answers

DAYS = 90
CUSTOMERS = 60
IMPROVED = (0, 1, 2, 5, 4)
"""Where Sam's CSAT weights end up by the end of the history."""


def _csat_weights(agent: cast.Agent, progress: float) -> list[float]:
    if agent.key != "sam":
        return [float(w) for w in agent.csat_weights]
    pairs = zip(agent.csat_weights, IMPROVED, strict=True)
    return [(1 - progress) * a + progress * b for a, b in pairs]


def history_records(now: datetime, seed: int = 11) -> list[AnswerRecord]:
    """Answers to CSAT (with comments), NPS and the value survey over the ``DAYS`` before
    ``now``, a few cases a day."""
    rng = random.Random(seed)
    records: list[AnswerRecord] = []
    number = 0
    for days_ago in range(DAYS, 0, -1):
        progress = 1 - days_ago / DAYS
        for _ in range(rng.randint(2, 5)):
            number += 1
            index = rng.randrange(CUSTOMERS)
            customer, agent = f"past-{index + 1:03d}", cast.AGENTS[index % len(cast.AGENTS)]
            at = now - timedelta(days=days_ago, minutes=rng.randint(0, 1380))
            case = f"HIST-{number:04d}"

            def record(
                survey: str,
                question: str,
                value: int | None,
                text: str | None = None,
                *,
                case: str = case,
                at: datetime = at,
                customer: str = customer,
                agent: cast.Agent = agent,
            ) -> AnswerRecord:
                return AnswerRecord(
                    customer=customer,
                    agent=agent.key,
                    case=case,
                    survey=survey,
                    question=question,
                    value=value,
                    choice=None,
                    text=text,
                    answered_at=at,
                    channel=rng.choice(cast.CHANNELS),
                    team=agent.team,
                )

            csat = rng.choices(range(1, 6), weights=_csat_weights(agent, progress))[0]
            records.append(record("csat", "csat", csat))
            comment = rng.choice(cast.LOW_COMMENTS) if csat <= 2 else rng.choice(cast.GOOD_COMMENTS)
            if comment and (csat <= 2 or rng.random() < 0.3):
                records.append(record("csat", "comment", None, comment))
            if rng.random() < 0.3:
                nps = max(0, min(10, 2 * csat + rng.randint(-2, 1)))
                records.append(record("nps", "nps", nps))
            if rng.random() < 0.15:
                benefit, cost = max(1, csat - rng.randint(0, 1)), max(1, 6 - csat)
                for name in BENEFITS:
                    records.append(record("value", name, _around(rng, benefit)))
                for name in COSTS:
                    records.append(record("value", name, _around(rng, cost)))
    return records


def _around(rng: random.Random, centre: int) -> int:
    return max(1, min(5, centre + rng.randint(-1, 1)))


async def import_history(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Import the history; returns how many answers were stored."""
    records = history_records(now)
    async with sessions() as session, session.begin():
        outcomes = await import_answers(session, records)
    return sum(outcome == IMPORTED for outcome in outcomes)
