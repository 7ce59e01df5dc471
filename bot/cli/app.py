"""The root ``feedbackbot`` command.

Each command lives in its own module and is imported only when it runs: aiogram, slack-bolt,
SQLAlchemy and matplotlib take seconds to import on a busy machine, and ``--version`` or
``--help`` need none of them. The root help lists the commands from the table below, whose
one-line summaries a test keeps equal to the commands' own.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from feedbackbot import __version__


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``module:attribute``, a function or a ``typer.Typer``) and the
    one-line summary the root help shows without importing it."""

    target: str
    summary: str

    def load(self, name: str) -> Any:
        module_name, attribute = self.target.split(":")
        found = getattr(importlib.import_module(module_name), attribute)
        if isinstance(found, typer.Typer):
            group = typer.main.get_group(found)
            group.name = name
            return group
        single = typer.Typer(rich_markup_mode="rich", pretty_exceptions_enable=False)
        single.command(name)(found)
        return typer.main.get_command(single)


COMMANDS: dict[str, LazyCommand] = {
    "run": LazyCommand(
        "bot.cli.run:run",
        "Serve the HTTP API, the configured bots and the scheduler; migrates the database first.",
    ),
    "demo": LazyCommand(
        "bot.cli.demo:demo",
        "Run feedbackbot end to end against local Telegram and Slack stand-ins: cases close,"
        " customers answer, agents get alerts and a digest, and the report is printed.",
    ),
    "db": LazyCommand("bot.cli.db:app", "Database maintenance."),
    "case": LazyCommand("bot.cli.case:app", "Record closed support cases."),
    "surveys": LazyCommand(
        "bot.cli.surveys:app", "Survey definitions: built-in and custom (SURVEYS_FILE)."
    ),
    "report": LazyCommand(
        "bot.cli.report:report",
        "CSAT, NPS, CES, FCR, AHT, deflection, response rate and customer value, with n.",
    ),
    "import": LazyCommand("bot.cli.transfer:import_app", "Bring history in from another tool."),
    "export": LazyCommand("bot.cli.transfer:export_app", "Take data out (CSV or JSON lines)."),
    "customers": LazyCommand("bot.cli.customers:app", "Connect customers to their chats."),
    "insights": LazyCommand(
        "bot.cli.insights:app",
        "What drives the scores, what customers write about, and whether it predicts renewals.",
    ),
    "dashboard": LazyCommand("bot.cli.dashboard:app", "The team dashboard in the browser."),
}


class LazyGroup(TyperGroup):
    """A command group that imports a command's module only when that command is used."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        lazy = COMMANDS.get(cmd_name)
        if lazy is None:
            return None
        if self.listing:
            return TyperCommand(cmd_name, short_help=lazy.summary, help=lazy.summary)
        if cmd_name not in self.commands:
            self.commands[cmd_name] = lazy.load(cmd_name)
        return self.commands[cmd_name]

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a database problem the user can fix ends in one line, exit 2."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise  # the command's own way out (often while handling a database error)
        except Exception as error:
            clicks = any(kind.__name__ == "ClickException" for kind in type(error).__mro__)
            message = None if clicks else _database_problem(error)
            if message is None:
                raise
            from bot.cli.common import fail

            fail(message, code=2)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


def _database_problem(error: Exception) -> str | None:
    """The one-line message for a database problem behind ``error`` (None: not one)."""
    if "sqlalchemy" not in sys.modules and not isinstance(error, OSError):
        return None  # no database was touched
    from bot.cli.dberrors import database_problem
    from bot.settings import load_settings
    from feedbackbot.errors import FeedbackbotError

    try:
        where = load_settings().database_url_for_display
    except FeedbackbotError:
        where = "DATABASE_URL"
    return database_problem(error, where)


app = typer.Typer(
    name="feedbackbot",
    cls=LazyGroup,
    help="Customer-feedback surveys in Telegram and Slack after every support case.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"feedbackbot {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Customer-feedback surveys in Telegram and Slack after every support case."""


def main() -> None:
    app()
