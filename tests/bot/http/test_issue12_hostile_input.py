"""Issue 12: each of these requests once ended in a 500 and a traceback. Now each is a 4xx
with a JSON error naming the field, nothing is stored, and the log has no traceback."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory
from storage.models import Agent, Customer, Identity, Invitation, SupportCase
from tests.bot.http.conftest import TOKEN
from tests.logcheck import assert_no_traceback

DEEP = "[" * 30_000 + "]" * 30_000


@pytest.fixture(autouse=True)
def debug_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


@pytest.fixture
def event(now: datetime) -> dict[str, Any]:
    return {
        "case_id": "CASE-100",
        "customer": {"id": "alice", "telegram_chat_id": 1001},
        "agent": {"id": "dana"},
        "closed_at": (now - timedelta(minutes=10)).isoformat(),
    }


async def stored_rows(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        total = 0
        for model in (SupportCase, Customer, Identity, Agent, Invitation):
            total += await session.scalar(select(func.count()).select_from(model)) or 0
        return total


async def test_a_30000_deep_body_is_a_400_before_parsing(
    client: TestClient, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.post("/api/v1/cases/closed", data=DEEP, headers=TOKEN)
    assert response.status == 400
    assert await response.json() == {
        "error": "too_deep",
        "message": "The JSON nests deeper than 32 levels.",
    }
    deep_inside_a_field = json.dumps(
        {"case_id": "C1", "customer": {"id": json.loads("[" * 40 + "]" * 40)}}
    )
    response = await client.post("/api/v1/cases/closed", data=deep_inside_a_field, headers=TOKEN)
    assert response.status == 400
    assert await stored_rows(engine) == 0
    assert_no_traceback(caplog)


async def test_brackets_inside_strings_do_not_count_as_nesting(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any]
) -> None:
    event["customer"]["name"] = "[{" * 60 + '\\"'
    response = await client.post("/api/v1/cases/closed", json=event, headers=TOKEN)
    assert response.status == 202
    assert await stored_rows(engine) > 0


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"case_id": "CASE\x00100"}, "case_id", "must not contain control characters"),
        ({"case_id": "C1\n2026-03-02 INFO forged"}, "case_id", "must not contain control"),
        ({"customer": {"id": "al\x00ice"}}, "customer.id", "must not contain control"),
        ({"customer": {"id": "a", "name": "A\x00"}}, "customer.name", "must not contain"),
        ({"agent": {"id": "da\x00na"}}, "agent.id", "must not contain control characters"),
        ({"agent": {"id": "d", "team": "t\x1b[31m"}}, "agent.team", "must not contain"),
        ({"channel": "e\x00mail"}, "channel", "must not contain control characters"),
        ({"customer": {"id": "a", "timezone": "Europe/\x00"}}, "customer.timezone", "must not"),
        ({"customer": {"id": "x" * 201}}, "customer.id", "is longer than 200 characters"),
        ({"handle_seconds": 2**31}, "handle_seconds", "must be at most 2147483647"),
        ({"handle_seconds": 2**70}, "handle_seconds", "must be at most 2147483647"),
        ({"contacts": 2**63}, "contacts", "must be at most 10000"),
        ({"closed_at": "9999-12-31T23:59:59Z"}, "closed_at", "must be between 1970 and 2099"),
        ({"closed_at": "0001-01-01T00:00:00+05:00"}, "closed_at", "must be between 1970"),
        ({"opened_at": "9999-01-01T00:00:00Z"}, "opened_at", "must be between 1970 and 2099"),
    ],
)
async def test_a_hostile_field_is_a_422_naming_it_and_nothing_is_stored(
    client: TestClient,
    engine: AsyncEngine,
    event: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any],
    field: str,
    problem: str,
) -> None:
    response = await client.post("/api/v1/cases/closed", json=event | change, headers=TOKEN)
    assert response.status == 422
    body = await response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["problem"].startswith(problem)
    assert await stored_rows(engine) == 0
    assert_no_traceback(caplog)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=9999-12-31", "until"),
        ("until=0001-01-01", "until"),
        ("since=0001-01-01", "since"),
        ("since=9999-12-31&until=9999-12-31", "until"),
        ("since=99999w", "since"),
        ("until=9999-12-31T23:59:59-05:00", "until"),
        ("since=0001-01-01T00:00:00%2B05:00", "since"),
    ],
)
async def test_a_report_window_beyond_the_years_we_cover_is_a_422_naming_it(
    client: TestClient, caplog: pytest.LogCaptureFixture, query: str, field: str
) -> None:
    response = await client.get(f"/api/v1/reports/summary?{query}", headers=TOKEN)
    assert response.status == 422
    body = await response.json()
    assert field in [e["field"] for e in body["errors"]]
    assert_no_traceback(caplog)


@pytest.mark.parametrize("customer_id", ["al%00ice", "al%0Aice", "x" * 201])
async def test_a_hostile_customer_id_in_the_value_path_is_a_422(
    client: TestClient, caplog: pytest.LogCaptureFixture, customer_id: str
) -> None:
    response = await client.get(f"/api/v1/customers/{customer_id}/value", headers=TOKEN)
    assert response.status == 422
    assert [e["field"] for e in (await response.json())["errors"]] == ["customer_id"]
    assert_no_traceback(caplog)
