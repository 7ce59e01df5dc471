from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings
from scoring.insights.outcomes import build_outcomes
from scoring.periods import Window
from storage.models import OutcomeType
from tests.scoring.insights.seed import Population, Survey, seed

TOKEN = {"Authorization": "Bearer s3cret-token"}


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[TestClient]:
    settings = load_settings(None, api_token="s3cret-token")
    app = build_web_app(Services.build(settings, engine))
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_outcomes_json_is_the_cli_json(
    client: TestClient, engine: AsyncEngine, session: AsyncSession
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    old = now - timedelta(days=60)
    await seed(
        engine,
        Population(
            customers={"a": "en", "b": "en"},
            agents={"dana": "tier1"},
            surveys=[
                Survey("a", "dana", "nps", {"nps": 10}, old),
                Survey("b", "dana", "nps", {"nps": 3}, old),
            ],
            events=[("a", OutcomeType.RENEWAL, old + timedelta(days=1), 10.0)],
        ),
        now,
    )
    response = await client.get("/api/v1/insights/outcomes?horizon=30d&by=team", headers=TOKEN)
    assert response.status == 200
    body = await response.json()
    expected = await build_outcomes(
        session,
        score="nps",
        by="team",
        window=Window(None, datetime.fromisoformat(body["until"])),
        horizon=timedelta(days=30),
        observed_until=datetime.fromisoformat(body["observed_until"]),
    )
    assert body == expected.to_json()
    assert body["rows"][0]["key"] == "tier1"


@pytest.mark.parametrize(
    ("path", "status", "fields"),
    [
        ("/api/v1/insights/outcomes?score=csat", 422, ["score"]),
        ("/api/v1/insights/outcomes?horizon=soon&colour=red", 422, ["colour"]),
        ("/api/v1/insights/outcomes?horizon=soon", 422, ["horizon"]),
        ("/api/v1/insights/outcomes?since=2026-12-01&until=2026-11-01", 422, ["since"]),
        ("/api/v1/insights/outcomes?by=customer", 422, ["by"]),
        ("/api/v1/insights/fortunes", 404, ["analysis"]),
        ("/api/v1/insights/drivers?target=csat", 422, ["target"]),
        ("/api/v1/insights/drivers?with=nps", 422, ["with"]),
        ("/api/v1/insights/themes?by=customer", 422, ["by"]),
    ],
)
async def test_bad_parameters_are_named(
    client: TestClient, path: str, status: int, fields: list[str]
) -> None:
    response = await client.get(path, headers=TOKEN)
    assert response.status == status
    assert [e["field"] for e in (await response.json())["errors"]] == fields


async def test_no_token_is_401(client: TestClient) -> None:
    assert (await client.get("/api/v1/insights/outcomes")).status == 401


async def test_drivers_json(client: TestClient, engine: AsyncEngine) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    population = Population(customers={"a": "en"})
    population.surveys.append(Survey("a", None, "value", {"quality": 3, "price": 2}, now))
    await seed(engine, population, now)
    response = await client.get("/api/v1/insights/drivers?target=value&by=all", headers=TOKEN)
    assert response.status == 200
    body = await response.json()
    assert body["analysis"] == "drivers" and body["target"] == "value"
    assert body["rows"] == [
        {"key": None, "n": 0, "r2": {"value": None, "low": None, "high": None}, "drivers": []}
    ]


async def test_themes_json(client: TestClient, engine: AsyncEngine) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    population = Population(customers={"a": "ru"})
    population.surveys.append(Survey("a", None, "nps", {"nps": 3, "reason": "Долго"}, now))
    await seed(engine, population, now)
    response = await client.get("/api/v1/insights/themes?since=7d", headers=TOKEN)
    assert response.status == 200
    body = await response.json()
    assert (body["analysis"], body["comments"], body["themes"]) == ("themes", 1, [])
    assert body["rows"][0]["key"] is None
