"""``feedbackbot demo``: the whole product on this machine, no accounts, in under a minute.

The story itself lives in ``bot.demo``; this module picks the database, tells the story with
rich (steps, notes and a progress bar) and prints the ending: the report table, the chart's
path and an agent's daily digest as Slack shows it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
from pathlib import Path
from typing import Annotated

import aiohttp
import typer
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from sqlalchemy.engine import make_url

from bot.cli.common import console, fail
from bot.cli.report import report_table
from bot.demo.scenario import KeepServing, Result, run_demo
from bot.logs import configure_logging
from feedbackbot.errors import FeedbackbotError
from scoring.report import Report

DATABASE_FILE = "demo.db"


class RichNarrator:
    """Prints each step and note above one live progress bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def step(self, title: str) -> None:
        self._finish()
        self.progress.console.print(f"[bold cyan]▶[/bold cyan] [bold]{title}[/bold]")

    def note(self, text: str) -> None:
        self.progress.console.print(f"  [dim]{text}[/dim]", highlight=False)

    def start(self, description: str, total: int) -> None:
        self._finish()
        self.task = self.progress.add_task(description, total=total)

    def advance(self) -> None:
        if self.task is not None:
            self.progress.advance(self.task)

    def _finish(self) -> None:
        if self.task is not None:
            self.progress.update(self.task, visible=False)
            self.task = None


def headline(report: Report) -> list[str]:
    """One plain line per agent with the three figures the demo is about."""
    lines = []
    for row in report.rows:
        csat = "-" if row.csat.value is None else f"{row.csat.value:.1f}% (n={row.csat.n})"
        nps = "-" if row.nps.value is None else f"{round(row.nps.value):+d} (n={row.nps.n})"
        value = "-" if row.value.value is None else f"{row.value.value:.2f} (n={row.value.n})"
        lines.append(f"{row.key}: CSAT {csat} · NPS {nps} · customer value {value}")
    return lines


def _database(folder: Path) -> tuple[str, bool]:
    """``DATABASE_URL`` if set (never deleted), else a new SQLite file in ``folder``."""
    given = os.environ.get("DATABASE_URL", "").strip()
    if given:
        url = make_url(given)
        drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
        url = url.set(drivername=drivers.get(url.drivername, url.drivername))
        return url.render_as_string(hide_password=False), False
    return f"sqlite+aiosqlite:///{folder / DATABASE_FILE}", True


def _remove_database(folder: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        (folder / f"{DATABASE_FILE}{suffix}").unlink(missing_ok=True)


def _ending(result: Result, database_url: str, keep: bool, owned: bool) -> None:
    assert result.report is not None
    console.print(report_table(result.report))
    for line in headline(result.report):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    console.print(f"Chart: {result.chart}", highlight=False, soft_wrap=True)
    console.print(
        Panel(result.digest or "(no digest posted)", title="Dana's daily digest, in Slack"),
    )
    console.print(
        Panel(
            Text("\n".join(result.insights) or "(nothing found)"),
            title="What the insights found (feedbackbot insights drivers|themes|outcomes)",
        ),
        highlight=False,
    )
    answered = ", ".join(f"{k} {v}" for k, v in sorted(result.answered.items()))
    console.print(
        f"{result.cases} cases, answered surveys: {answered}; {result.alerts} low-score alerts; "
        f"done in {result.seconds['total']:.1f} s (start-up {result.seconds['start']:.1f} s)",
        highlight=False,
    )
    if keep or not owned:
        shown = make_url(database_url).render_as_string(hide_password=True)
        console.print(
            f"Database kept: DATABASE_URL={shown}\n"
            f"  try: DATABASE_URL={shown} feedbackbot report --by agent --chart report.png",
            highlight=False,
            soft_wrap=True,
        )


def _keep_serving(database_url: str, keep: bool, owned: bool) -> KeepServing:
    """After the story: print its ending and an admin sign-in link, then serve until Ctrl-C."""

    async def serving(result: Result, link: str) -> None:
        _ending(result, database_url, keep, owned)
        console.rule("Team dashboard")
        console.print(f"Admin sign-in link: {link}", highlight=False, soft_wrap=True)
        console.print(
            "The link signs you in once, within 15 minutes. The Telegram and Slack stand-ins and "
            "feedbackbot keep running; press Ctrl-C to stop.",
            highlight=False,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
        console.print("Stopping the demo.", highlight=False)

    return serving


def demo(
    keep: Annotated[
        bool,
        typer.Option(
            "--keep", help="Keep the demo database and print its DATABASE_URL for 'report'."
        ),
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="After the story, keep the stand-ins and the dashboard running and print an "
            "admin sign-in link; Ctrl-C stops.",
        ),
    ] = False,
) -> None:
    """Run feedbackbot end to end against local Telegram and Slack stand-ins: cases close,
    customers answer, agents get alerts and a digest, and the report is printed."""
    configure_logging("ERROR")
    logging.getLogger("aiogram").setLevel(logging.CRITICAL)
    folder = Path(tempfile.mkdtemp(prefix="feedbackbot-demo-"))
    database_url, owned = _database(folder)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            narrator = RichNarrator(progress)
            serving = _keep_serving(database_url, keep, owned) if serve else None
            result = asyncio.run(run_demo(database_url, folder, narrator, serving))
    except (FeedbackbotError, AssertionError, aiohttp.ClientError, OSError) as error:
        if owned and not keep:
            _remove_database(folder)
        fail(f"The demo failed: {error or type(error).__name__}")
    if not serve:
        _ending(result, database_url, keep, owned)
    if owned and not keep:
        _remove_database(folder)
