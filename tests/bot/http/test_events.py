from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings
from storage.models import CustomerEvent
from tests.factories import Factory

TOKEN = {"Authorization": "Bearer s3cret-token"}
URL = "/api/v1/customers/alice/events"


@pytest.fixture
async def client(engine: AsyncEngine, factory: Factory) -> AsyncIterator[TestClient]:
    await factory.customer("alice")
    settings = load_settings(None, api_token="s3cret-token")
    app = build_web_app(Services.build(settings, engine))
    async with TestClient(TestServer(app)) as client:
        yield client


async def _stored(session: AsyncSession) -> list[tuple[str, str, float | None]]:
    rows = await session.execute(
        sa.select(CustomerEvent.type, CustomerEvent.at, CustomerEvent.amount).order_by(
            CustomerEvent.id
        )
    )
    return [(t.value, at.isoformat(), amount) for t, at, amount in rows]


async def test_an_event_is_stored_once_however_often_it_is_sent(
    client: TestClient, session: AsyncSession
) -> None:
    event = {"type": "renewal", "at": "2026-10-01T10:00:00Z", "amount": 99.5}
    first = await client.post(URL, json=event, headers=TOKEN)
    assert first.status == 201
    assert (await first.json())["recorded"] == 1
    again = await client.post(URL, json=event, headers=TOKEN)
    assert again.status == 200
    assert (await again.json())["present"] == 1
    assert await _stored(session) == [("renewal", "2026-10-01T10:00:00+00:00", 99.5)]


async def test_a_batch_with_ids_and_a_reused_id_for_another_event_is_409(
    client: TestClient, session: AsyncSession
) -> None:
    batch = {
        "events": [
            {"id": "inv-1", "type": "purchase", "at": "2026-10-01T10:00:00", "amount": "20"},
            {"id": "inv-2", "type": "churn", "at": "2026-10-05T10:00:00+02:00"},
        ]
    }
    response = await client.post(URL, json=batch, headers=TOKEN)
    assert response.status == 201 and (await response.json())["recorded"] == 2
    changed = {"events": [{"id": "inv-1", "type": "refund", "at": "2026-10-01T10:00:00"}]}
    conflict = await client.post(URL, json=changed, headers=TOKEN)
    assert conflict.status == 409
    assert "inv-1" in (await conflict.json())["message"]
    assert await _stored(session) == [
        ("purchase", "2026-10-01T10:00:00+00:00", 20.0),
        ("churn", "2026-10-05T08:00:00+00:00", None),
    ]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"type": "upsell", "at": "2026-10-01"}, ["type"]),
        ({"type": "renewal"}, ["at"]),
        ({"type": "renewal", "at": "yesterday", "amount": -5}, ["at", "amount"]),
        ({"type": "renewal", "at": "2026-10-01", "colour": "red"}, ["colour"]),
        (
            {"events": [{"type": "renewal", "at": "2026-10-01"}, {"type": "x"}]},
            ["events[1].type", "events[1].at"],
        ),
        ({"events": []}, ["events"]),
        ([1, 2], ["body"]),
        ({"type": "renewal", "at": "2099-01-01"}, ["at"]),
    ],
)
async def test_bad_events_are_422_naming_each_field_and_nothing_is_stored(
    client: TestClient, session: AsyncSession, body: object, fields: list[str]
) -> None:
    response = await client.post(URL, json=body, headers=TOKEN)
    assert response.status == 422
    assert sorted(e["field"] for e in (await response.json())["errors"]) == sorted(fields)
    assert await _stored(session) == []


async def test_unknown_customer_bad_json_and_no_token(client: TestClient) -> None:
    event = {"type": "renewal", "at": "2026-10-01"}
    missing = await client.post("/api/v1/customers/nobody/events", json=event, headers=TOKEN)
    assert missing.status == 404
    bad = await client.post(URL, data=b"{nope", headers=TOKEN)
    assert bad.status == 400
    anonymous = await client.post(URL, json=event)
    assert anonymous.status == 401
