"""Dispatch benchmark: N due invitations through a stand-in that enforces Telegram's limits.

    .venv/bin/python bench/dispatch.py [--count 2000] [--chats 500] [--workers 2]

The stand-in channel accepts at most ``--rate`` messages in any one-second window and one
message per chat per second (``--chat-rate``); anything over is refused with a 429 and a
``retry_after``, as the Bot API does. Each send takes ``--latency`` seconds. The invitations
live in a real database (a scratch SQLite file, or ``--database-url``) and go through the real
dispatcher, with ``--workers`` dispatchers sharing it the way several ``feedbackbot run``
processes do. At the end it prints the achieved rate as a ratio of the limit, the 429s
received, and the invitations lost or sent twice. Goal: ratio >= 0.9, none lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bot.dispatch import Delivery, DeliveryError, DispatchConfig, Dispatcher
from bot.dispatch.dispatcher import PlatformLimits
from storage import migrate
from storage.engine import open_engine, session_factory
from storage.models import (
    Customer,
    Identity,
    Invitation,
    InvitationStatus,
    Platform,
)
from storage.types import utcnow
from surveys.catalog import load_catalog
from surveys.conversation import Prompt, pin_version
from surveys.policy import PolicyConfig


class LimitedBotAPI:
    """Answers like the Bot API under flood control: a 429 for a send over either limit."""

    platform = "telegram"

    def __init__(self, rate: int, chat_rate: int, latency: float) -> None:
        self.rate = rate
        self.chat_rate = chat_rate
        self.latency = latency
        self.accepted: deque[float] = deque()
        self.per_chat: dict[str, deque[float]] = {}
        self.delivered: Counter[int] = Counter()
        self.times: list[float] = []
        self.refused = 0

    async def send_question(self, delivery: Delivery, prompt: Prompt) -> str:
        now = time.monotonic()
        while self.accepted and now - self.accepted[0] >= 1.0:
            self.accepted.popleft()
        chat = self.per_chat.setdefault(delivery.address, deque())
        while chat and now - chat[0] >= 1.0:
            chat.popleft()
        if len(self.accepted) >= self.rate or len(chat) >= self.chat_rate:
            self.refused += 1
            raise DeliveryError("429 Too Many Requests", retry_after=1.0)
        self.accepted.append(now)
        chat.append(now)
        self.times.append(now)
        self.delivered[delivery.invitation_id] += 1
        await asyncio.sleep(self.latency)
        return f"{delivery.address}:{len(self.times)}"


async def seed(url: str, count: int, chats: int) -> list[int]:
    async with open_engine(url) as engine:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        survey = load_catalog(None).get("csat")
        now = utcnow()
        async with sessions() as session, session.begin():
            await pin_version(session, survey)
            people = [Customer(external_id=f"bench-{n}") for n in range(chats)]
            session.add_all(people)
            await session.flush()
            session.add_all(
                Identity(customer_id=c.id, platform=Platform.TELEGRAM, external_id=str(1000 + n))
                for n, c in enumerate(people)
            )
            rows = [
                Invitation(
                    customer_id=people[n % chats].id,
                    survey_key="csat",
                    survey_version=survey.version,
                    channel=Platform.TELEGRAM,
                    due_at=now,
                )
                for n in range(count)
            ]
            session.add_all(rows)
            await session.flush()
            return [r.id for r in rows if r.id is not None]


async def run(args: argparse.Namespace) -> int:
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    ids = await seed(url, args.count, args.chats)
    api = LimitedBotAPI(args.rate, args.chat_rate, args.latency)
    config = DispatchConfig(
        policy=PolicyConfig(quiet_hours=None),
        limits={"telegram": PlatformLimits(args.rate, args.chat_rate)},
    )
    async with open_engine(url) as engine:
        sessions = session_factory(engine)
        workers = [
            Dispatcher(sessions, [api], config, worker=f"bench-{n}") for n in range(args.workers)
        ]
        started = time.monotonic()
        while time.monotonic() - started < args.timeout:
            await asyncio.gather(*(w.drain() for w in workers))
            async with sessions() as session:
                left = await session.scalar(
                    select(func.count()).where(Invitation.status != InvitationStatus.SENT)
                )
            if not left:
                break
            await asyncio.sleep(0.05)  # some wait for a 429's retry_after
        for worker in workers:
            await worker.close()
    span = api.times[-1] - api.times[0] if len(api.times) > 1 else 0.0
    achieved = (len(api.times) - 1) / span if span else 0.0
    lost = sum(1 for i in ids if api.delivered[i] == 0)
    duplicated = sum(n - 1 for n in api.delivered.values() if n > 1)
    print(f"invitations        {args.count} to {args.chats} chats, {args.workers} worker(s)")
    print(f"elapsed            {time.monotonic() - started:.1f} s")
    print(f"achieved rate      {achieved:.2f}/s of {args.rate}/s: ratio {achieved / args.rate:.3f}")
    print(f"429s received      {api.refused}")
    print(f"lost               {lost}")
    print(f"duplicated         {duplicated}")
    ok = achieved / args.rate >= 0.9 and not lost and not duplicated
    print("result             " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="invitations (default 2000)")
    parser.add_argument("--chats", type=int, default=500, help="distinct chats (default 500)")
    parser.add_argument("--workers", type=int, default=2, help="dispatchers (default 2)")
    parser.add_argument("--rate", type=int, default=30, help="global limit per second")
    parser.add_argument("--chat-rate", type=int, default=1, help="limit per chat per second")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per send")
    parser.add_argument("--timeout", type=float, default=600, help="give up after (seconds)")
    parser.add_argument("--database-url", help="default: a scratch SQLite file")
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
