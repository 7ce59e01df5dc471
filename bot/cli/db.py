"""``feedbackbot db``: database maintenance."""

from __future__ import annotations

import asyncio

import typer

from bot.cli.common import console, settings_or_exit
from storage import migrate
from storage.engine import open_engine

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Bring the database (DATABASE_URL) to the newest schema; safe to run again."""
    settings = settings_or_exit()

    async def run() -> tuple[str | None, str]:
        async with open_engine(settings.database_url) as engine:
            return await migrate.upgrade(engine)

    before, after = asyncio.run(run())
    where = settings.database_url_for_display
    if before == after:
        console.print(
            f"Database {where} is up to date (revision {after}).", highlight=False, soft_wrap=True
        )
    else:
        console.print(
            f"Database {where} upgraded from {before or 'empty'} to {after}.",
            highlight=False,
            soft_wrap=True,
        )
