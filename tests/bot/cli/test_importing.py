from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.importing import BATCH, Parsed, import_rows

KEPT, PRESENT = "kept", "present"


async def _store(session: AsyncSession, records: Sequence[int]) -> list[str]:
    """Stands in for a storage function: refuses multiples of 5, has multiples of 3 already."""
    assert session.in_transaction()
    return [
        f"{record} refused" if record % 5 == 0 else PRESENT if record % 3 == 0 else KEPT
        for record in records
    ]


async def test_lines_rejected_when_read_or_when_stored_come_back_in_file_order(
    database_url: str,
) -> None:
    lines = range(1, 2 * BATCH + 500)
    rows = (
        Parsed(line, None, f"line {line} unreadable") if line % 7 == 0 else Parsed(line, line)
        for line in lines
    )
    imported = await import_rows(
        database_url, Path("rows.csv"), len(lines), rows, _store, (KEPT, PRESENT)
    )
    readable = [line for line in lines if line % 7]
    assert imported.tally == {
        KEPT: sum(1 for line in readable if line % 5 and line % 3),
        PRESENT: sum(1 for line in readable if line % 5 and not line % 3),
    }
    assert [(row.line, row.record, row.error) for row in imported.rejected] == [
        (line, None, f"line {line} unreadable" if line % 7 == 0 else f"{line} refused")
        for line in lines
        if line % 7 == 0 or line % 5 == 0
    ]
