"""Flood benchmark (issue 12): how long another customer waits while one chat floods the bot.

    .venv/bin/python bench/flood.py [--flood 300] [--position 20] [--rounds 3]

One chat sends ``--flood`` ``/start``; another chat's ``/start`` arrives after the first
``--position`` of them. The same updates go through the real aiogram Dispatcher that
``bot/telegram/app.py`` builds, into a migrated SQLite database, with replies sent over HTTP
to the Bot API stand-in, in two ways:

* **baseline**: one update at a time, every update handled (the flood guard set out of reach):
  how polling worked before issue 12;
* **now**: ``UpdateRunner`` (chats side by side, each in order) with the default flood guard.

Printed per way (median of ``--rounds``): the seconds until the other customer's answer was
sent, the seconds until every update was handled, and the ratios now/baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram.types import Update

from bot.settings import Settings, load_settings
from bot.standins.telegram import TelegramBotAPI
from bot.telegram.app import build_dispatcher
from bot.telegram.client import build_bot
from bot.telegram.inbound import UpdateRunner
from storage import migrate
from storage.engine import create_engine, session_factory


async def one_round(way: str, flood: int, position: int, folder: Path) -> tuple[float, float]:
    engine = create_engine(f"sqlite+aiosqlite:///{folder / way}.db")
    await migrate.upgrade(engine)
    async with TelegramBotAPI() as telegram:
        overrides: dict[str, object] = {"telegram_flood_burst": 10**9} if way == "baseline" else {}
        settings: Settings = load_settings(
            None,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            **overrides,
        )
        bot = build_bot(settings)
        dispatcher = build_dispatcher(settings, session_factory(engine))
        flooder, other = telegram.create_user("Flo"), telegram.create_user("Ann")
        for n in range(flood):
            if n == position:
                await telegram.send_command(other, "/start")
            await telegram.send_command(flooder, "/start")
        pending, telegram.updates.pending = telegram.updates.pending, []
        updates = [Update.model_validate(u, context={"bot": bot}) for u in pending]
        started = time.perf_counter()

        async def feed() -> None:
            if way == "baseline":
                for update in updates:
                    await dispatcher.feed_update(bot, update)
                return
            runner = UpdateRunner(bot, dispatcher)
            for update in updates:
                runner.submit(update)
            await runner.drain()

        feeding = asyncio.create_task(feed())
        await telegram.wait_for_messages(other, 1, within=600)
        answered = time.perf_counter() - started
        await feeding
        finished = time.perf_counter() - started
        await bot.session.close()
    await engine.dispose()
    return answered, finished


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument("--position", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    results: dict[str, list[tuple[float, float]]] = {"baseline": [], "now": []}
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(args.rounds):
            for way in results:
                folder = Path(tmp) / f"{round_number}"
                folder.mkdir(exist_ok=True)
                results[way].append(await one_round(way, args.flood, args.position, folder))
    medians = {
        way: (statistics.median(a for a, _ in runs), statistics.median(f for _, f in runs))
        for way, runs in results.items()
    }
    print(f"{args.flood} /start from one chat, another chat's /start after {args.position}")
    print(f"{'':10}{'other answered (s)':>20}{'all handled (s)':>18}")
    for way, (answered, finished) in medians.items():
        print(f"{way:10}{answered:>20.3f}{finished:>18.3f}")
    base, now = medians["baseline"], medians["now"]
    print(f"{'now/base':10}{now[0] / base[0]:>20.3f}{now[1] / base[1]:>18.3f}")


if __name__ == "__main__":
    asyncio.run(main())
