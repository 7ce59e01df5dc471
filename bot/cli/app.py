"""The root ``feedbackbot`` command; each command group lives in its own module."""

from __future__ import annotations

import typer

from bot.cli import case, customers, db, demo, events, insights, report, run, surveys, transfer
from feedbackbot import __version__

app = typer.Typer(
    name="feedbackbot",
    help="Customer-feedback surveys in Telegram and Slack after every support case.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.command("run")(run.run)
app.command("demo")(demo.demo)
app.add_typer(db.app, name="db")
app.add_typer(case.app, name="case")
app.add_typer(surveys.app, name="surveys")
app.command("report")(report.report)
transfer.import_app.command("events")(events.import_events_command)
app.add_typer(transfer.import_app, name="import")
app.add_typer(transfer.export_app, name="export")
app.add_typer(customers.app, name="customers")
app.add_typer(insights.app, name="insights")


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
