"""Ninety days of feedback for the browser tests: three agents, forty customers, comments
(some hostile), low scores with open and closed follow-ups, and value surveys."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scoring.value import BENEFITS, COSTS
from storage.models import (
    Agent,
    Answer,
    Customer,
    FollowUp,
    Invitation,
    InvitationStatus,
    SupportCase,
)

COMMENTS = [
    "Fast and friendly, thank you",
    "Took three emails to get an answer",
    "<script>alert('x')</script> the portal is broken",
    '=HYPERLINK("http://evil") refund please',
    "Very slow to reply",
]


async def seed_history(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    rng = random.Random(1115)
    numbers = count(1)
    async with sessions() as session, session.begin():
        agents = [
            Agent(external_id="dana", name="Dana Scully", slack_user_id="UDANA", team="tier1"),
            Agent(external_id="eli", name="Eli", slack_user_id="UELI", team="tier1"),
            Agent(external_id="fay", name="Fay <i>", slack_user_id="UFAY", team="tier2"),
        ]
        customers = [
            Customer(external_id=f"cust-{i:02d}", name=f"Customer {i}" if i % 3 else None)
            for i in range(40)
        ]
        session.add_all([*agents, *customers])
        await session.flush()
        skill = {"dana": 0.8, "eli": 0.55, "fay": 0.35}
        for customer in customers:
            for _ in range(rng.randint(1, 4)):
                agent = rng.choice(agents)
                at = now - timedelta(days=rng.uniform(0.2, 90))
                case = SupportCase(
                    external_id=f"CASE-{next(numbers)}",
                    customer_id=customer.id,
                    agent_id=agent.id,
                    closed_at=at,
                    contacts=rng.choice([1, 1, 2, 3]),
                    handle_seconds=rng.randint(120, 3600),
                )
                session.add(case)
                await session.flush()
                good = rng.random() < skill[agent.external_id]
                csat = rng.choice([4, 5]) if good else rng.choice([1, 2, 3])
                answers: dict[str, int | None] = {"csat": csat}
                await _survey(session, case, "csat", answers, at, rng, answered=rng.random() < 0.8)
                if rng.random() < 0.4:
                    nps = rng.choice([9, 10, 8]) if good else rng.randint(0, 7)
                    await _survey(session, case, "nps", {"nps": nps}, at, rng, answered=True)
            if rng.random() < 0.7:
                case = SupportCase(
                    external_id=f"CASE-{next(numbers)}",
                    customer_id=customer.id,
                    agent_id=rng.choice(agents).id,
                    closed_at=now - timedelta(days=rng.uniform(1, 80)),
                )
                session.add(case)
                await session.flush()
                ratings: dict[str, int | None] = {d: rng.randint(2, 5) for d in BENEFITS}
                ratings |= {d: rng.randint(1, 4) for d in COSTS}
                await _survey(session, case, "value", ratings, case.closed_at, rng, answered=True)


async def _survey(
    session: AsyncSession,
    case: SupportCase,
    survey: str,
    answers: dict[str, int | None],
    at: datetime,
    rng: random.Random,
    answered: bool,
) -> None:
    invitation = Invitation(
        customer_id=case.customer_id,
        case_id=case.id,
        agent_id=case.agent_id,
        survey_key=survey,
        survey_version="1",
        status=InvitationStatus.ANSWERED if answered else InvitationStatus.EXPIRED,
        due_at=at,
        sent_at=at,
        answered_at=at if answered else None,
    )
    session.add(invitation)
    await session.flush()
    if not answered:
        return
    for question, value in answers.items():
        session.add(_answer(invitation, question, value, None, at))
    score = answers.get(survey)
    threshold = {"csat": 2, "nps": 6}.get(survey)
    low = score is not None and threshold is not None and score <= threshold
    if low or rng.random() < 0.15:
        text = rng.choice(COMMENTS)
        session.add(_answer(invitation, "comment", None, text, at + timedelta(seconds=30)))
    if low:
        closed = rng.random() < 0.5
        session.add(
            FollowUp(
                invitation_id=invitation.id,
                agent_id=case.agent_id,
                reason=f"{survey} {score}",
                created_at=at,
                alerted_at=at,
                followed_up_by="ULEAD" if closed else None,
                followed_up_at=at + timedelta(hours=rng.randint(1, 30)) if closed else None,
            )
        )


def _answer(
    invitation: Invitation, question: str, value: int | None, text: str | None, at: datetime
) -> Answer:
    return Answer(
        invitation_id=invitation.id,
        customer_id=invitation.customer_id,
        agent_id=invitation.agent_id,
        survey_key=invitation.survey_key,
        question_key=question,
        value=value,
        text=text,
        answered_at=at,
    )
