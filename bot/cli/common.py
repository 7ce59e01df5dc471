"""What every command shares: settings that fail with one clear line, and the consoles."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

from bot.logs import configure_logging
from bot.settings import Settings, load_settings
from feedbackbot.errors import FeedbackbotError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    for line in message.splitlines():
        errors.print(line, style="bold red", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    """Load the settings and set up logging; a bad setting exits 2 with its one-line message."""
    try:
        settings = load_settings()
    except FeedbackbotError as error:
        fail(str(error), code=2)
    configure_logging(settings.log_level, settings.log_format)
    return settings


async def require_current_schema(engine: AsyncEngine, settings: Settings) -> None:
    """Exit 2 saying to run ``feedbackbot db upgrade`` unless the database is at the newest
    schema."""
    from storage import migrate  # Alembic: loaded only by the commands that need it

    current, head = await migrate.current_revision(engine), migrate.head_revision()
    if current != head:
        fail(
            f"The database {settings.database_url_for_display} is not up to date "
            f"(revision {current or 'none'}, need {head}); run: feedbackbot db upgrade",
            code=2,
        )
