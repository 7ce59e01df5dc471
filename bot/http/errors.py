"""JSON error bodies: every 4xx names what is wrong, and for bad input the field too.

Shape: ``{"error": "<code>", "message": "<sentence>", "errors": [{"field": "customer.id",
"problem": "is required"}]}`` (``errors`` only for validation problems).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web


def json_error(
    status: int, code: str, message: str, errors: Sequence[dict[str, Any]] | None = None
) -> web.Response:
    body: dict[str, Any] = {"error": code, "message": message}
    if errors is not None:
        body["errors"] = list(errors)
    return web.json_response(body, status=status)


def field_errors(status: int, problems: Sequence[tuple[str, str]]) -> web.Response:
    """A 4xx listing each ``(field, problem)``; fields are dotted paths (``customer.timezone``)."""
    return json_error(
        status,
        "invalid_request",
        f"{len(problems)} problem(s) with the request",
        [{"field": name, "problem": problem} for name, problem in problems],
    )
