"""What the ``feedbackbot import`` commands share: storing parsed rows a batch at a time, the
progress bar, and the summary of what was imported and what was rejected.

Each command reads its own file into ``Parsed`` lines, each with its record or why it has none;
storing the records, counting what was kept and listing every rejected line in file order is
the same for answers and for customer events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import console, errors
from storage.engine import open_engine, session_factory

BATCH = 1000
SHOWN_REJECTS = 20

Record = TypeVar("Record")

Store = Callable[[AsyncSession, list[Record]], Awaitable[Sequence[str]]]
"""Stores records in the caller's transaction; returns for each a kept outcome or why not."""


@dataclass(frozen=True)
class Parsed(Generic[Record]):
    """One data line of an import file: its record, or why it has none."""

    line: int
    record: Record | None
    error: str | None = None
    raw: Mapping[str, str] = field(default_factory=dict)
    """The cells as read, for a list of rejected rows."""


@dataclass
class Imported(Generic[Record]):
    tally: Counter[str] = field(default_factory=Counter)
    """How many records ended with each kept outcome."""
    rejected: list[Parsed[Record]] = field(default_factory=list)
    """The rejected lines in file order, each with why (``error``)."""


def progress_bar() -> Progress:
    """A progress bar on standard error, so standard output stays the data."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
    )


async def import_rows(
    database_url: str,
    path: Path,
    total: int,
    rows: Iterable[Parsed[Record]],
    store: Store[Record],
    kept: Collection[str],
) -> Imported[Record]:
    """Store the records of ``rows`` ``BATCH`` at a time, one transaction a batch. A row
    without a record is rejected as read; a record whose outcome is not in ``kept`` rejects
    its row with that outcome."""
    imported: Imported[Record] = Imported()
    async with open_engine(database_url) as engine:
        sessions = session_factory(engine)
        with progress_bar() as progress:
            task = progress.add_task(f"Importing {path.name}", total=max(0, total))

            async def flush(batch: list[tuple[Parsed[Record], Record]]) -> None:
                async with sessions() as session, session.begin():
                    outcomes = await store(session, [record for _, record in batch])
                for (row, _), outcome in zip(batch, outcomes, strict=True):
                    if outcome in kept:
                        imported.tally[outcome] += 1
                    else:
                        imported.rejected.append(replace(row, record=None, error=outcome))
                progress.advance(task, len(batch))

            batch: list[tuple[Parsed[Record], Record]] = []
            for row in rows:
                if row.record is None:
                    imported.rejected.append(row)
                    progress.advance(task)
                    continue
                batch.append((row, row.record))
                if len(batch) >= BATCH:
                    await flush(batch)
                    batch = []
            if batch:
                await flush(batch)
    imported.rejected.sort(key=lambda row: row.line)
    return imported


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
