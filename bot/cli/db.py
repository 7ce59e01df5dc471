"""``feedbackbot db``: database maintenance."""

from __future__ import annotations

import asyncio

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import console, fail, settings_or_exit
from bot.settings import Settings
from storage import migrate
from storage.engine import open_engine

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


async def require_current_schema(engine: AsyncEngine, settings: Settings) -> None:
    """Exit 2 naming the fix unless the database is at the newest revision (commands other
    than ``run`` and ``db upgrade`` never migrate on their own)."""
    current, head = await migrate.current_revision(engine), migrate.head_revision()
    if current != head:
        fail(
            f"The database {settings.database_url_for_display} is not up to date "
            f"(revision {current or 'none'}, need {head}); run: feedbackbot db upgrade",
            code=2,
        )


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
