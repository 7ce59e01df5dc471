"""``feedbackbot import answers`` and ``feedbackbot export answers``: history in and out."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bot.cli.answer_csv import (
    BadFile,
    ParsedLine,
    check_readable,
    csv_cells,
    export_cells,
    neutralise,
    read_rows,
    write_csv_header,
)
from bot.cli.common import console, errors, fail, settings_or_exit
from feedbackbot.errors import FeedbackbotError
from scoring.periods import parse_since, parse_until
from storage.engine import open_engine, session_factory
from storage.transfer import IMPORTED, PRESENT, count_answers, import_answers, stream_answers

if TYPE_CHECKING:
    from surveys.catalog import Catalog

import_app = typer.Typer(help="Bring history in from another tool.", no_args_is_help=True)
export_app = typer.Typer(help="Take data out (CSV or JSON lines).", no_args_is_help=True)

BATCH = 1000
SHOWN_REJECTS = 20


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _progress() -> Progress:
    """A progress bar on standard error, so standard output stays the data."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
    )


async def _import(
    database_url: str, path: Path, total: int, catalog: Catalog
) -> tuple[Counter[str], list[ParsedLine]]:
    tally: Counter[str] = Counter()
    rejected: list[ParsedLine] = []
    async with open_engine(database_url) as engine:
        sessions = session_factory(engine)
        with _progress() as progress:
            task = progress.add_task(f"Importing {path.name}", total=total)

            async def flush(batch: list[ParsedLine]) -> None:
                async with sessions() as session, session.begin():
                    outcomes = await import_answers(session, [p.record for p in batch if p.record])
                for parsed, outcome in zip(batch, outcomes, strict=True):
                    if outcome in (IMPORTED, PRESENT):
                        tally[outcome] += 1
                    else:
                        tally["rejected"] += 1
                        rejected.append(ParsedLine(parsed.line, parsed.raw, None, outcome))
                progress.advance(task, len(batch))

            batch: list[ParsedLine] = []
            for parsed in read_rows(path, catalog):
                if parsed.record is None:
                    tally["rejected"] += 1
                    rejected.append(parsed)
                    progress.advance(task)
                    continue
                batch.append(parsed)
                if len(batch) >= BATCH:
                    await flush(batch)
                    batch = []
            if batch:
                await flush(batch)
    return tally, rejected


def _open_rejects(path: Path) -> TextIO:
    """The rejects file, opened before the import so a bad path stops it before any write."""
    try:
        return path.open("w", newline="", encoding="utf-8")
    except OSError as error:
        fail(f"--rejects {path}: cannot write it ({error.strerror})", code=2)


def _write_rejects(handle: TextIO, rejected: list[ParsedLine]) -> None:
    with handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["line", "error", "customer_id", "case_id", "survey", "question"])
        for item in rejected:
            raw = item.raw
            writer.writerow(
                [
                    neutralise(str(cell))
                    for cell in (
                        item.line,
                        item.error,
                        *(raw.get(c, "") for c in ("customer_id", "case_id", "survey", "question")),
                    )
                ]
            )


def show_import(file: Path, counts: list[tuple[str, int]], rejected: list[tuple[int, str]]) -> None:
    """The import's tally and the first rejected rows (line number and why)."""
    summary = Table(title=f"Import of {escape(file.name)}", show_header=False)
    for name, count in counts:
        summary.add_row(name, str(count))
    summary.add_row("rejected", str(len(rejected)), style="red" if rejected else None)
    console.print(summary)
    if rejected:
        table = Table(title="Rejected rows", title_style="bold red")
        table.add_column("line", justify="right")
        table.add_column("why")
        for line, why in rejected[:SHOWN_REJECTS]:
            table.add_row(str(line), escape(why))
        console.print(table)
        if len(rejected) > SHOWN_REJECTS:
            console.print(f"... and {len(rejected) - SHOWN_REJECTS} more rejected rows.")


@import_app.command("answers")
def import_answers_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (or .jsonl) with customer_id, agent_id, case_id, survey, question, value, "
            "text, answered_at (see README); what export answers writes.",
            show_default=False,
        ),
    ],
    rejects: Annotated[
        Path | None,
        typer.Option(help="Also write every rejected row (line and reason) to this CSV."),
    ] = None,
) -> None:
    """Import answers from a CSV or JSON-lines file; rows already imported are skipped, so
    re-runs are safe. Answers never create cases: operational figures stay as they are.

    Exits 1 when some rows were rejected (each is listed with its line number and why), 2 when
    the file cannot be read (nothing is imported then).
    """
    from surveys.catalog import load_catalog

    settings = settings_or_exit()
    if not file.is_file():
        fail(f"{file}: no such file", code=2)
    try:
        total = check_readable(file)
    except BadFile as error:
        fail(str(error), code=2)
    try:
        catalog = load_catalog(settings.surveys_file)
    except FeedbackbotError as error:
        fail(str(error), code=2)
    rejects_file = _open_rejects(rejects) if rejects is not None else None
    try:
        tally, rejected = asyncio.run(_import(settings.database_url, file, total, catalog))
    except BadFile as error:
        fail(str(error), code=2)
    except FeedbackbotError as error:
        fail(str(error))
    show_import(
        file,
        [("imported", tally[IMPORTED]), ("already present", tally[PRESENT])],
        [(item.line, item.error or "") for item in rejected],
    )
    if rejected:
        if rejects_file is not None:
            _write_rejects(rejects_file, rejected)
            console.print(f"Every rejected row is listed in {rejects}.", highlight=False)
        raise typer.Exit(1)
    if rejects_file is not None:
        _write_rejects(rejects_file, [])


async def _export(
    database_url: str,
    out: TextIO,
    fmt: ExportFormat,
    since: datetime | None,
    until: datetime | None,
    show_progress: bool,
) -> int:
    written = 0
    async with (
        open_engine(database_url) as engine,
        session_factory(engine, read_only=True)() as session,
    ):
        total = await count_answers(session, since, until)
        writer = write_csv_header(out) if fmt is ExportFormat.csv else None
        with ExitStack() as stack:
            progress = stack.enter_context(_progress()) if show_progress else None
            task = progress.add_task("Exporting answers", total=total) if progress else None
            async for row in stream_answers(session, since, until):
                cells = export_cells(row)
                if writer is not None:
                    writer.writerow(csv_cells(cells))
                else:
                    out.write(json.dumps(cells, ensure_ascii=False) + "\n")
                written += 1
                if progress is not None and task is not None and written % 500 == 0:
                    progress.update(task, completed=written)
            if progress is not None and task is not None:
                progress.update(task, completed=written)
    return written


@export_app.command("answers")
def export_answers_command(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or jsonl.")] = (
        ExportFormat.csv
    ),
    since: Annotated[
        str | None,
        typer.Option(help="Only answers from then on: 30d, 12w, a date or a timestamp."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Only answers before the end of this date (or this timestamp)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (default: standard output)."),
    ] = None,
) -> None:
    """Stream every answer with its customer, agent, case, survey version, channel and team.

    The columns are the import's, so an export imports again.
    """
    settings = settings_or_exit()
    now = datetime.now(UTC)
    try:
        start = parse_since(since, now)
        end = parse_until(until, now) if until else None
    except FeedbackbotError as error:
        fail(f"Invalid --{error}", code=2)
    try:
        if output is None:
            count = asyncio.run(_export(settings.database_url, sys.stdout, fmt, start, end, False))
        else:
            with output.open("w", newline="", encoding="utf-8") as handle:
                count = asyncio.run(_export(settings.database_url, handle, fmt, start, end, True))
            console.print(f"Exported {count} answers to {output}.", highlight=False)
    except OSError as error:
        fail(f"{output}: cannot write it ({error.strerror})")


def _add_events_command() -> None:
    """``import events`` lives in ``bot.cli.events``; it shares this command group."""
    from bot.cli.events import import_events_command

    import_app.command("events")(import_events_command)


_add_events_command()
