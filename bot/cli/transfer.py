"""``feedbackbot import answers`` and ``feedbackbot export answers``: history in and out."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from contextlib import ExitStack
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from bot.cli.answer_csv import (
    BadFile,
    check_readable,
    csv_cells,
    export_cells,
    neutralise,
    read_rows,
    write_csv_header,
)
from bot.cli.common import console, fail, settings_or_exit
from bot.cli.importing import Imported, Parsed, import_rows, progress_bar, show_import
from feedbackbot.errors import FeedbackbotError
from scoring.periods import parse_since, parse_until
from storage.engine import open_engine, session_factory
from storage.transfer import (
    IMPORTED,
    PRESENT,
    AnswerRecord,
    count_answers,
    import_answers,
    stream_answers,
)

if TYPE_CHECKING:
    from surveys.catalog import Catalog

import_app = typer.Typer(help="Bring history in from another tool.", no_args_is_help=True)
export_app = typer.Typer(help="Take data out (CSV or JSON lines).", no_args_is_help=True)


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


async def _import(
    database_url: str, path: Path, total: int, catalog: Catalog
) -> Imported[AnswerRecord]:
    rows = read_rows(path, catalog)
    return await import_rows(database_url, path, total, rows, import_answers, (IMPORTED, PRESENT))


def _open_rejects(path: Path) -> TextIO:
    """The rejects file, opened before the import so a bad path stops it before any write."""
    try:
        return path.open("w", newline="", encoding="utf-8")
    except OSError as error:
        fail(f"--rejects {path}: cannot write it ({error.strerror})", code=2)


def _write_rejects(handle: TextIO, rejected: list[Parsed[AnswerRecord]]) -> None:
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
        imported = asyncio.run(_import(settings.database_url, file, total, catalog))
    except BadFile as error:
        fail(str(error), code=2)
    except FeedbackbotError as error:
        fail(str(error))
    tally, rejected = imported.tally, imported.rejected
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
            progress = stack.enter_context(progress_bar()) if show_progress else None
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
