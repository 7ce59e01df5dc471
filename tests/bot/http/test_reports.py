from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings
from feedbackbot.errors import ConfigurationError
from scoring.periods import Window
from scoring.report import build_report
from tests.factories import Factory
from tests.scoring.helpers import answered

TOKEN = {"Authorization": "Bearer s3cret-token"}


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[TestClient]:
    settings = load_settings(None, api_token="s3cret-token")
    app = build_web_app(Services.build(settings, engine))
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def feedback(factory: Factory, now: datetime) -> None:
    alice, boris = await factory.customer("alice"), await factory.customer("boris")
    dana = await factory.agent("dana")
    recent = datetime.now(now.tzinfo) - timedelta(days=2)
    await answered(factory, alice, dana, "csat", {"csat": 5}, at=recent)
    await answered(factory, boris, dana, "csat", {"csat": 2}, at=recent)
    await answered(factory, alice, dana, "value", {"quality": 4, "price": 2}, at=recent)
    await answered(factory, alice, dana, "nps", {"nps": 9}, at=now - timedelta(days=400))


@pytest.mark.parametrize("path", ["/api/v1/reports/summary", "/api/v1/customers/alice/value"])
async def test_no_token_is_401(client: TestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"


async def test_summary_is_the_report_json(
    client: TestClient, feedback: None, session: AsyncSession
) -> None:
    response = await client.get("/api/v1/reports/summary?by=customer&since=30d", headers=TOKEN)
    assert response.status == 200
    body = await response.json()
    assert body["by"] == "customer"
    until = datetime.fromisoformat(body["until"])
    since = datetime.fromisoformat(body["since"])
    assert until - since == timedelta(days=30)
    expected = await build_report(session, "customer", Window(since, until))
    assert body["rows"] == expected.to_json()["rows"]
    assert [(r["key"], r["csat"]["value"], r["csat"]["n"]) for r in body["rows"]] == [
        ("alice", 100.0, 1),
        ("boris", 0.0, 1),
    ]


async def test_summary_defaults_to_agents_over_30_days(client: TestClient, feedback: None) -> None:
    body = await (await client.get("/api/v1/reports/summary", headers=TOKEN)).json()
    assert body["by"] == "agent"
    ((row),) = body["rows"]
    assert row["key"] == "dana" and row["nps"]["n"] == 0 and row["csat"]["n"] == 2


async def test_until_and_all(client: TestClient, feedback: None) -> None:
    response = await client.get("/api/v1/reports/summary?since=all&until=2025-12-31", headers=TOKEN)
    assert response.status == 200
    ((row),) = (await response.json())["rows"]
    assert row["nps"]["n"] == 1 and row["csat"]["n"] == 0


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("by=planet", ["by"]),
        ("since=yesterday", ["since"]),
        ("until=soon", ["until"]),
        ("since=2026-02-01&until=2026-01-01", ["since"]),
        ("by=planet&since=yesterday&format=csv", ["format", "by", "since"]),
    ],
)
async def test_bad_parameters_are_422_naming_each(
    client: TestClient, query: str, fields: list[str]
) -> None:
    response = await client.get(f"/api/v1/reports/summary?{query}", headers=TOKEN)
    assert response.status == 422
    body = await response.json()
    assert body["error"] == "invalid_request"
    assert [e["field"] for e in body["errors"]] == fields
    assert all(e["problem"] for e in body["errors"])


async def test_customer_value(client: TestClient, feedback: None) -> None:
    response = await client.get("/api/v1/customers/alice/value", headers=TOKEN)
    assert response.status == 200
    body = await response.json()
    assert body["customer"] == "alice"
    assert body["value"]["value"] == 2.0 and body["value"]["n"] == 1
    assert body["value"]["dimensions"]["quality"] == {"value": 4.0, "n": 1}
    assert body["answered_at"] is not None


async def test_a_customer_without_a_value_survey_has_no_value(
    client: TestClient, feedback: None
) -> None:
    body = await (await client.get("/api/v1/customers/boris/value", headers=TOKEN)).json()
    assert body["value"]["value"] is None and body["value"]["n"] == 0


async def test_unknown_customer_is_404(client: TestClient, feedback: None) -> None:
    response = await client.get("/api/v1/customers/nobody/value", headers=TOKEN)
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"


def test_unknown_value_weights_stop_the_app_from_starting(engine: AsyncEngine) -> None:
    settings = load_settings(None, api_token="s3cret-token", value_weights="qualty=2")
    with pytest.raises(ConfigurationError, match="VALUE_WEIGHTS: unknown dimension"):
        build_web_app(Services.build(settings, engine))


async def test_the_summary_window_ends_at_the_injected_clock(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    """Handlers read the clock built at start-up, never the wall clock (issue 17)."""
    alice, dana = await factory.customer("alice"), await factory.agent("dana")
    await answered(factory, alice, dana, "csat", {"csat": 4}, at=now - timedelta(days=3))
    settings = load_settings(None, api_token="s3cret-token")
    app = build_web_app(Services.build(settings, engine, clock=lambda: now))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/v1/reports/summary?by=agent", headers=TOKEN)
        body = await response.json()
    assert datetime.fromisoformat(body["until"]) == now
    assert [(r["key"], r["csat"]["n"]) for r in body["rows"]] == [("dana", 1)]
