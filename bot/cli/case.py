"""``feedbackbot case close``: record closed cases from the command line or a JSONL file.

The same event body as ``POST /api/v1/cases/closed``. With ``--file``, each line is recorded
in its own transaction: a bad line is reported with its number and field and skipped, and
every good line is kept.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.common import console, errors, fail, require_current_schema, settings_or_exit
from bot.configs import check_survey_settings, policy_config
from bot.http.jsonbody import BadJson, loads_limited
from bot.settings import SUPPORTED_LANGUAGES, Settings
from feedbackbot.errors import ConfigurationError
from storage import cases
from storage.engine import open_engine, session_factory
from storage.types import utcnow
from surveys.catalog import Catalog, load_catalog
from surveys.events import InvalidEvent, parse_event
from surveys.intake import CaseOutcome, record_case
from surveys.policy import PolicyConfig

app = typer.Typer(help="Record closed support cases.", no_args_is_help=True)


@dataclass
class Tally:
    """What an import did, for the summary table."""

    lines: int = 0
    recorded: int = 0
    updated: int = 0
    duplicates: int = 0
    problems: int = 0
    invitations: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: CaseOutcome) -> None:
        if outcome.duplicate:
            self.duplicates += 1
            return
        if outcome.created:
            self.recorded += 1
        else:
            self.updated += 1
        for invitation in outcome.invitations:
            label = "scheduled" if invitation.status == "pending" else invitation.reason
            self.invitations[f"{invitation.survey}: {label}"] += 1


class Recorder:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], catalog: Catalog, config: PolicyConfig
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.config = config

    async def record(self, data: Any) -> CaseOutcome:
        """Record one decoded body; raises InvalidEvent."""
        event = parse_event(data, SUPPORTED_LANGUAGES)
        async with self.sessions() as session, session.begin():
            return await record_case(
                session, event, catalog=self.catalog, config=self.config, now=utcnow()
            )

    async def closed_at(self, case_id: str) -> datetime | None:
        """When a known case was recorded as closed (None for a new one)."""
        async with self.sessions() as session:
            case = await cases.find_case(session, case_id)
            return case.closed_at if case is not None else None


async def _with_recorder(settings: Settings, work: Any) -> Any:
    catalog = load_catalog(settings.surveys_file)
    try:
        check_survey_settings(settings, catalog)
    except ConfigurationError as error:
        fail(str(error), code=2)
    async with open_engine(settings.database_url) as engine:
        await require_current_schema(engine, settings)
        return await work(Recorder(session_factory(engine), catalog, policy_config(settings)))


def _problem_lines(error: InvalidEvent) -> list[str]:
    return [f"{name}: {problem}" for name, problem in error.problems]


def _show_outcome(outcome: CaseOutcome) -> None:
    state = " (already recorded)" if outcome.duplicate else " (updated)" if outcome.updated else ""
    title = f"Case {outcome.case_id}{state}"
    table = Table(title=title, title_justify="left")
    for column in ("survey", "status", "due (UTC)", "channel", "reason"):
        table.add_column(column)
    for row in outcome.invitations:
        due = row.due_at.strftime("%Y-%m-%d %H:%M") if row.status == "pending" else "-"
        table.add_row(row.survey, row.status, due, row.channel or "-", row.reason or "-")
    if not outcome.invitations:
        table.add_row("-", "no survey due", "-", "-", "-")
    console.print(table)
    for warning in outcome.warnings:
        errors.print(f"{warning.field}: {warning.problem}", markup=False, highlight=False)


async def _import(recorder: Recorder, path: Path, lines: list[str]) -> Tally:
    tally = Tally()
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"Recording {path.name}", total=len(lines))
        for number, line in enumerate(lines, start=1):
            progress.advance(task)
            if not line.strip():
                continue
            tally.lines += 1
            try:
                outcome = await recorder.record(loads_limited(line))
            except BadJson as error:
                tally.problems += 1
                problem = str(error).removeprefix("The body is ").removeprefix("The JSON ")
                _report(path, number, [problem.rstrip(".")])
                continue
            except InvalidEvent as error:
                tally.problems += 1
                _report(path, number, _problem_lines(error))
                continue
            tally.add(outcome)
            _report(path, number, [f"{w.field}: {w.problem}" for w in outcome.warnings])
    return tally


def _report(path: Path, number: int, problems: list[str]) -> None:
    for problem in problems:
        errors.print(f"{path}:{number}: {problem}", markup=False, highlight=False, soft_wrap=True)


def _show_tally(tally: Tally) -> None:
    table = Table(title="Import summary", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("events read", str(tally.lines))
    table.add_row("cases recorded", str(tally.recorded))
    table.add_row("cases updated (resolved again)", str(tally.updated))
    table.add_row("already recorded (unchanged)", str(tally.duplicates))
    table.add_row("lines with problems (skipped)", str(tally.problems))
    for label, count in sorted(tally.invitations.items()):
        table.add_row(f"invitations, {label}", str(count))
    console.print(table)


@app.command()
def close(
    case_id: Annotated[str | None, typer.Option(help="The case's id in your helpdesk.")] = None,
    customer_id: Annotated[
        str | None, typer.Option(help="The customer's id in your helpdesk.")
    ] = None,
    customer_name: Annotated[str | None, typer.Option(help="The customer's name.")] = None,
    email: Annotated[str | None, typer.Option(help="The customer's e-mail address.")] = None,
    telegram_chat_id: Annotated[
        str | None, typer.Option(help="The customer's Telegram chat id.")
    ] = None,
    slack_user_id: Annotated[str | None, typer.Option(help="The customer's Slack user id.")] = None,
    language: Annotated[str | None, typer.Option(help="en, es, de or ru.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="The customer's time zone, e.g. Europe/Berlin.")
    ] = None,
    agent_id: Annotated[str | None, typer.Option(help="The handling agent's id.")] = None,
    agent_name: Annotated[str | None, typer.Option(help="The agent's name.")] = None,
    agent_slack_user_id: Annotated[
        str | None, typer.Option(help="The agent's Slack user id.")
    ] = None,
    team: Annotated[str | None, typer.Option(help="The agent's team.")] = None,
    opened_at: Annotated[
        str | None, typer.Option(help="When the case was opened (ISO 8601; UTC if no offset).")
    ] = None,
    closed_at: Annotated[
        str | None, typer.Option(help="When it closed (ISO 8601; UTC if no offset); default now.")
    ] = None,
    contacts: Annotated[int, typer.Option(help="How many contacts the case took.")] = 1,
    resolved: Annotated[
        bool, typer.Option("--resolved/--unresolved", help="Was the issue resolved?")
    ] = True,
    handle_seconds: Annotated[int | None, typer.Option(help="Handle time in seconds.")] = None,
    channel: Annotated[
        str | None, typer.Option(help="Helpdesk channel (email, phone, self_service, ...).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="A JSONL file, one case-closed body per line (the API's JSON).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
) -> None:
    """Record a closed case (or a file of them) and schedule its surveys."""
    settings = settings_or_exit()
    if file is not None:
        if case_id or customer_id:
            fail("Give either --file or --case-id/--customer-id, not both", code=2)
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            fail(f"{file}: not UTF-8 text; save it as UTF-8 JSON lines", code=2)

        async def run_file(recorder: Recorder) -> Tally:
            return await _import(recorder, file, lines)

        tally = asyncio.run(_with_recorder(settings, run_file))
        _show_tally(tally)
        if tally.problems:
            raise typer.Exit(1)
        return
    if not case_id or not customer_id:
        fail("Give --case-id and --customer-id (or --file events.jsonl)", code=2)
    body = _body(locals())

    async def run_one(recorder: Recorder) -> CaseOutcome:
        if closed_at is None:
            # Without --closed-at a case closes "now"; for a case already recorded that is the
            # time recorded then, so the same command again changes nothing (issue 13).
            recorded = await recorder.closed_at(body["case_id"])
            if recorded is not None:
                body["closed_at"] = recorded.isoformat()
        return await recorder.record(body)

    try:
        outcome = asyncio.run(_with_recorder(settings, run_one))
    except InvalidEvent as error:
        fail("\n".join(_problem_lines(error)))
    _show_outcome(outcome)


def _utc(text: str | None) -> str | None:
    """A time as given, with ``+00:00`` added when it has no offset (the CLI assumes UTC)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return text  # validation names the field and the expected form
    return moment.isoformat() if moment.tzinfo else f"{moment.isoformat()}+00:00"


def _body(options: dict[str, Any]) -> dict[str, Any]:
    """The API body from the command's options (unset ones left out)."""
    customer = {
        "id": options["customer_id"],
        "name": options["customer_name"],
        "email": options["email"],
        "telegram_chat_id": options["telegram_chat_id"],
        "slack_user_id": options["slack_user_id"],
        "language": options["language"],
        "timezone": options["timezone"],
    }
    body: dict[str, Any] = {
        "case_id": options["case_id"],
        "customer": {k: v for k, v in customer.items() if v is not None},
        "opened_at": _utc(options["opened_at"]),
        "closed_at": _utc(options["closed_at"]) or utcnow().isoformat(),
        "contacts": options["contacts"],
        "resolved": options["resolved"],
        "handle_seconds": options["handle_seconds"],
        "channel": options["channel"],
    }
    if options["agent_id"]:
        agent = {
            "id": options["agent_id"],
            "name": options["agent_name"],
            "slack_user_id": options["agent_slack_user_id"],
            "team": options["team"],
        }
        body["agent"] = {k: v for k, v in agent.items() if v is not None}
    return {k: v for k, v in body.items() if v is not None}
