"""``feedbackbot import events FILE.csv``: renewals, purchases, churn and refunds from billing.

Columns: ``customer_id, type, at, amount`` and optionally ``id`` (the billing system's event
id). Re-importing a file adds nothing; each rejected row is listed with its line and why.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail, settings_or_exit
from bot.cli.importing import Imported, Parsed, import_rows, show_import
from bot.outcome_events import parse_event
from feedbackbot.errors import FeedbackbotError
from storage.events import PRESENT, RECORDED, EventRecord, record_events

COLUMNS = ("customer_id", "type", "at", "amount", "id")
REQUIRED = ("customer_id", "type", "at")


class BadEventsFile(FeedbackbotError):
    """The events file cannot be imported."""


def read_event_rows(path: Path, now: datetime) -> Iterator[Parsed[EventRecord]]:
    """Each data row with its line number, parsed or with the column and what is wrong."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise BadEventsFile(f"{path}: cannot read it ({error.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            names = [n.strip() for n in reader.fieldnames or []]
            if not names:
                raise BadEventsFile(f"{path}: the file is empty; line 1 must name the columns")
            missing = [c for c in REQUIRED if c not in names]
            unknown = [c for c in names if c not in COLUMNS]
            if missing or unknown:
                raise BadEventsFile(
                    f"{path}, line 1: "
                    + "; ".join(
                        p
                        for p in (
                            missing and f"missing column(s) {', '.join(missing)}",
                            unknown and f"unknown column(s) {', '.join(unknown)}",
                        )
                        if p
                    )
                    + f". Expected {', '.join(REQUIRED)} (optional: amount, id)"
                )
            line = reader.line_num + 1
            for raw in reader:
                if None in raw:
                    yield Parsed(line, None, "more cells than columns")
                else:
                    cells = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
                    customer = cells.pop("customer_id", "")
                    if not customer:
                        yield Parsed(line, None, "customer_id is required")
                    else:
                        record, problems = parse_event(customer, cells, now)
                        why = "; ".join(f"{f} {p}" for f, p in problems) or None
                        yield Parsed(line, record, why)
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise BadEventsFile(f"{path}: is not UTF-8 text; save it as UTF-8 CSV") from None
        except csv.Error as error:
            raise BadEventsFile(f"{path}, line {reader.line_num}: {error}") from None


async def _import(database_url: str, path: Path) -> Imported[EventRecord]:
    total = sum(1 for _ in path.open(encoding="utf-8-sig", errors="replace")) - 1
    rows = read_event_rows(path, datetime.now(UTC))
    return await import_rows(database_url, path, total, rows, record_events, (RECORDED, PRESENT))


def import_events_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with customer_id, type (renewal, purchase, churn, refund), at "
            "(ISO 8601), amount, and optionally id.",
            show_default=False,
        ),
    ],
) -> None:
    """Import customer events; events already stored are skipped, so re-runs are safe.

    Exits 1 when some rows were rejected (each is listed with its line number and why).
    """
    settings = settings_or_exit()
    if not file.is_file():
        fail(f"{file}: no such file", code=2)
    try:
        imported = asyncio.run(_import(settings.database_url, file))
    except BadEventsFile as error:
        fail(str(error), code=2)
    tally = imported.tally
    show_import(
        file,
        [("recorded", tally[RECORDED]), ("already present", tally[PRESENT])],
        [(row.line, row.error or "") for row in imported.rejected],
    )
    if imported.rejected:
        raise typer.Exit(1)
