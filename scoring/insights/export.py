"""Insights as CSV: flat rows, one column per figure part, the same columns on every row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any


def _cell(item: Any) -> Any:
    if item is None:
        return ""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, float):
        return round(item, 4)
    return item


def flat_csv(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> str:
    """``rows`` as CSV text with a header of ``columns``; missing cells are empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(columns)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return out.getvalue()
