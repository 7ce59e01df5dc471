"""Benchmark: the dashboard's overview page against ``feedbackbot report --format json`` for the
same figures, in the same run.

    .venv/bin/python bench/dashboard.py [--answers 1000000] [--database-url URL] [--repeat 3]

Generates answers (default 1,000,000) over 100,000 customers and 200 agents over 90 days (the
rows of ``bench/scoring.py``) in an empty database (a temporary SQLite file unless
``--database-url`` names an empty PostgreSQL one), serves the dashboard on 127.0.0.1 and times
``GET /dashboard/`` for the 90 days, signed in as an admin. The baseline produces the page's
figures (the totals and the weekly trend) with ``feedbackbot report --by all`` and ``--by week``
``--format json`` as a user would, and, without the CLI's start-up, with ``build_report`` in this
process. Prints the medians and the ratios page / baseline (goal: at most 1.5) and checks that
the page shows the report's CSAT, NPS and their n.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import DAYS, END, generate, load  # noqa: E402
from bot.dashboard.signin import COOKIE, Viewer, session_cookie  # noqa: E402
from bot.http.keys import Services  # noqa: E402
from bot.http.server import build_web_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from scoring.periods import window  # noqa: E402
from scoring.report import build_report  # noqa: E402
from storage import migrate  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402

console = Console()
SECRET = "bench-dashboard-secret"
GOAL = 1.5


async def median_time(work: Callable[[], Awaitable[Any]], repeat: int) -> tuple[Any, float]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


async def cli_report(url: str, by: str, since: str, until: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("feedbackbot")),
        *("report", "--by", by, "--since", since, "--until", until, "--format", "json"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": url},
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"feedbackbot report failed: {stderr.decode()}")
    return dict(json.loads(stdout))


async def main(arguments: argparse.Namespace) -> int:
    folder = tempfile.TemporaryDirectory(prefix="fb-bench-dashboard-")
    url = arguments.database_url or f"sqlite+aiosqlite:///{folder.name}/bench.db"
    engine = create_engine(url)
    runner: web.AppRunner | None = None
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            if (await connection.execute(sa.text("SELECT count(*) FROM answer"))).scalar():
                console.print("[red]The database already holds answers; give an empty one.[/red]")
                return 2
        with console.status("Generating rows"):
            rows = generate(arguments.answers, arguments.customers, arguments.agents, 7)
        await load(engine, rows)
        console.print(f"{len(rows['answer']):,} answers over {DAYS} days ({engine.dialect.name})")
        del rows

        since = (END - timedelta(days=DAYS)).date().isoformat()
        until = END.date().isoformat()
        settings = load_settings(None, link_secret=SECRET)
        app = build_web_app(Services.build(settings, engine))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        cookie = session_cookie(SECRET, Viewer(True, None), datetime.now(UTC))
        page_url = f"http://127.0.0.1:{port}/dashboard/?since={since}&until={until}"

        async with aiohttp.ClientSession(cookies={COOKIE: cookie}) as http:

            async def page() -> str:
                async with http.get(page_url) as response:
                    response.raise_for_status()
                    return await response.text()

            async def cli() -> list[dict[str, Any]]:
                return [await cli_report(url, by, since, until) for by in ("all", "week")]

            span = window(since, until, datetime.now(UTC))
            sessions = session_factory(engine, read_only=True)

            async def in_process() -> list[str]:
                async with sessions() as session:
                    return [
                        json.dumps((await build_report(session, by, span)).to_json())
                        for by in ("all", "week")
                    ]

            await page()  # warm-up: templates compiled, caches as a running server has them
            html, page_time = await median_time(page, arguments.repeat)
            reports, cli_time = await median_time(cli, arguments.repeat)
            _, process_time = await median_time(in_process, arguments.repeat)

        [total] = reports[0]["rows"]
        problems = []
        for title, figure in (("CSAT %", "csat"), ("NPS", "nps")):
            card = re.search(
                rf'data-figure="{re.escape(title)}" data-value="([^"]+)"[^>]*data-n="(\d+)"', html
            )
            expected = total[figure]
            if card is None or (float(card[1]), int(card[2])) != (expected["value"], expected["n"]):
                problems.append(f"{title}: page {card and card.groups()} vs report {expected}")
        trend = html[html.find('<table id="trend">') :]
        weeks = trend[: trend.find("</table>")].count("<tr>") - 1

        table = Table(title=f"Overview page over {arguments.answers:,} answers, {DAYS} days")
        table.add_column("")
        table.add_column("median time", justify="right")
        table.add_column("page / this", justify="right")
        table.add_row("GET /dashboard/ (totals, weekly trend, 4 charts)", f"{page_time:.2f}s", "")
        table.add_row(
            "feedbackbot report --by all, --by week --format json",
            f"{cli_time:.2f}s",
            f"{page_time / cli_time:.2f}",
        )
        table.add_row(
            "build_report all + week in process (no CLI start-up)",
            f"{process_time:.2f}s",
            f"{page_time / process_time:.2f}",
        )
        console.print(table)
        verdict = "within" if page_time / cli_time <= GOAL else "ABOVE"
        console.print(
            f"ratio page / report CLI {page_time / cli_time:.2f}: {verdict} the goal of {GOAL}; "
            f"{weeks} weekly rows on the page"
        )
        if problems:
            console.print("[red]The page and the report differ:[/red] " + "; ".join(problems))
            return 1
        console.print("[green]The page shows the report's CSAT and NPS with their n.[/green]")
        return 0
    finally:
        if runner is not None:
            await runner.cleanup()
        await engine.dispose()
        folder.cleanup()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000, help="answers to generate")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians shown")
    parser.add_argument(
        "--database-url", help="an empty database (default: a temporary SQLite file)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(arguments())))
