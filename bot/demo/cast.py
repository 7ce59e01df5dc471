"""Who takes part in the demo: three agents, their customers, and how each customer behaves.

The cast is fixed (a seeded generator), so every run tells the same story: an agent customers
love, one with mixed results and one whose customers are often unhappy, on Telegram and Slack,
in four languages. A few customers never answer, one opts out with /stop and one needs a
reminder, as in real life.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Platform(StrEnum):
    TELEGRAM = "telegram"
    SLACK = "slack"
    EMAIL = "email only"
    """No chat linked: the case counts in the figures, no survey can reach them."""


class Behaviour(StrEnum):
    ANSWERS = "answers"
    SILENT = "never answers"
    STOPS = "sends /stop"
    NEEDS_REMINDER = "answers after a reminder"


@dataclass(frozen=True)
class Agent:
    key: str
    name: str
    team: str
    csat_weights: tuple[int, int, int, int, int]
    """How likely each CSAT score 1-5 is for this agent's customers."""


@dataclass(frozen=True)
class Customer:
    key: str
    name: str
    platform: Platform
    language: str
    timezone: str
    agent: Agent
    behaviour: Behaviour
    csat: int
    nps: int
    benefit: int
    """The customer's typical benefit rating (1-5); each dimension varies around it."""
    cost: int
    comment: str | None = None
    ratings: tuple[int, ...] = field(default=())
    """Their value survey: five benefits then seven costs."""
    effort: int | None = None
    """Set for the customer whose case asks the effort question (CES, 1-7) instead of CSAT."""


AGENTS = (
    Agent("dana", "Dana Whitfield", "tier1", (0, 1, 1, 5, 9)),
    Agent("lee", "Lee Okafor", "tier1", (1, 2, 3, 5, 3)),
    Agent("sam", "Sam Petrov", "tier2", (4, 3, 3, 3, 2)),
)
NAMES = (
    ("Alice Meyer", "de", "Europe/Berlin"),
    ("Bruno Costa", "es", "Europe/Madrid"),
    ("Chen Wei", "en", "Asia/Singapore"),
    ("Daria Ivanova", "ru", "Europe/Moscow"),
    ("Emma Johnson", "en", "America/New_York"),
    ("Farid Haddad", "en", "Asia/Dubai"),
    ("Greta Hansen", "de", "Europe/Berlin"),
    ("Hugo Martin", "en", "Europe/Paris"),
    ("Ines Garcia", "es", "America/Mexico_City"),
    ("Jonas Berg", "en", "Europe/Stockholm"),
    ("Kira Sokolova", "ru", "Asia/Almaty"),
    ("Liam Walsh", "en", "Europe/Dublin"),
    ("Maya Patel", "en", "Asia/Kolkata"),
    ("Nils Vogel", "de", "Europe/Vienna"),
    ("Olivia Brown", "en", "Australia/Sydney"),
    ("Pablo Ruiz", "es", "Europe/Madrid"),
    ("Quinn Taylor", "en", "America/Chicago"),
    ("Rosa Lopez", "es", "America/Bogota"),
    ("Sven Larsen", "en", "Europe/Oslo"),
    ("Tanya Orlova", "ru", "Europe/Moscow"),
    ("Umar Khan", "en", "Asia/Karachi"),
    ("Vera Klein", "de", "Europe/Zurich"),
    ("Will Evans", "en", "Europe/London"),
    ("Xenia Popova", "ru", "Europe/Moscow"),
    ("Yuki Tanaka", "en", "Asia/Tokyo"),
    ("Zoe Adams", "en", "America/Los_Angeles"),
    ("Arjun Rao", "en", "Asia/Kolkata"),
    ("Bella Rossi", "en", "Europe/Rome"),
    ("Carl Weber", "de", "Europe/Berlin"),
    ("Diego Silva", "es", "America/Lima"),
)
EMAIL_ONLY = (
    ("Ada Novak", "en", "Europe/Prague"),
    ("Ben Cohen", "en", "Asia/Jerusalem"),
    ("Clara Dubois", "en", "Europe/Paris"),
    ("Dev Mehta", "en", "Asia/Kolkata"),
    ("Eva Horvath", "en", "Europe/Budapest"),
    ("Finn Murphy", "en", "Europe/Dublin"),
)
LOW_COMMENTS = (
    "Three days without an answer, and I had to explain everything twice.",
    "The fix did not work, the problem came back the next morning.",
    "Nobody told me the refund would take two weeks.",
    "I was passed between four people.",
)
GOOD_COMMENTS = (
    "Quick and friendly, thank you!",
    "Solved on the first call, impressive.",
    "Clear instructions, it works now.",
    "Great support as always.",
    None,
)
CHANNELS = ("email", "chat", "phone", "chat", "email", "self_service")
BEHAVIOURS = {2: Behaviour.SILENT, 9: Behaviour.STOPS, 14: Behaviour.SILENT}
REMINDED = 5
EFFORT = 3
"""This customer's case event chooses its survey: ``"surveys": ["ces"]`` (DESIGN section 9)."""
SLACK_EVERY = 3
"""Every third customer is a Slack user (a B2B customer in a shared workspace)."""


def _customer(index: int, rng: random.Random) -> Customer:
    name, language, timezone = (NAMES + EMAIL_ONLY)[index]
    agent = AGENTS[index % len(AGENTS)]
    platform = Platform.SLACK if index % SLACK_EVERY == 1 else Platform.TELEGRAM
    if index >= len(NAMES):
        platform = Platform.EMAIL
    behaviour = BEHAVIOURS.get(index, Behaviour.ANSWERS)
    if index == REMINDED:
        behaviour = Behaviour.NEEDS_REMINDER
    if behaviour is Behaviour.STOPS:
        platform = Platform.TELEGRAM
    csat = rng.choices(range(1, 6), weights=agent.csat_weights)[0]
    nps = max(0, min(10, 2 * csat + rng.randint(-1, 1)))
    benefit = max(1, min(5, csat + rng.randint(-1, 0)))
    cost = max(1, min(5, 6 - csat + rng.randint(-1, 1)))
    ratings = tuple(max(1, min(5, benefit + rng.randint(-1, 1))) for _ in range(5)) + tuple(
        max(1, min(5, cost + rng.randint(-1, 1))) for _ in range(7)
    )
    comment = rng.choice(LOW_COMMENTS) if csat <= 2 else rng.choice(GOOD_COMMENTS)
    return Customer(
        key=f"cust-{index + 1:03d}",
        name=name,
        platform=platform,
        language=language,
        timezone=timezone,
        agent=agent,
        behaviour=behaviour,
        csat=csat,
        nps=nps,
        benefit=benefit,
        cost=cost,
        comment=comment,
        ratings=ratings,
        effort=min(7, csat + 2) if index == EFFORT else None,
    )


def customers(seed: int = 8) -> list[Customer]:
    rng = random.Random(seed)
    return [_customer(index, rng) for index in range(len(NAMES) + len(EMAIL_ONLY))]


def case_event(
    number: int, customer: Customer, address: str | int | None, agent_slack_id: str, now: datetime
) -> dict[str, object]:
    """The helpdesk's ``POST /api/v1/cases/closed`` body for one of ``customer``'s cases."""
    rng = random.Random(number)
    handle = rng.randint(240, 3600)
    closed = now - timedelta(minutes=rng.randint(1, 50))
    contact: dict[str, object] = {
        "id": customer.key,
        "name": customer.name,
        "language": customer.language,
        "timezone": customer.timezone,
        "email": f"{customer.key}@example.com",
    }
    if customer.platform is Platform.TELEGRAM:
        contact["telegram_chat_id"] = address
    elif customer.platform is Platform.SLACK:
        contact["slack_user_id"] = address
    contacts = 1 if rng.random() < 0.6 else rng.randint(2, 4)
    return {
        "case_id": f"CASE-{1000 + number}",
        "opened_at": (closed - timedelta(seconds=handle * contacts + 600)).isoformat(),
        "closed_at": closed.isoformat(),
        "customer": contact,
        "agent": {
            "id": customer.agent.key,
            "name": customer.agent.name,
            "slack_user_id": agent_slack_id,
            "team": customer.agent.team,
        },
        "contacts": contacts,
        "resolved": rng.random() < 0.85,
        "handle_seconds": handle,
        "channel": CHANNELS[number % len(CHANNELS)],
        **({"surveys": ["ces"]} if customer.effort is not None else {}),
    }
