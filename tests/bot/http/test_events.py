from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings
from storage.customers import upsert_customer
from storage.models import Customer, CustomerEvent
from storage.privacy import erase_customer
from tests.factories import Factory, stored_values_containing

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


async def test_after_an_erasure_events_stay_on_the_pseudonym_and_the_old_id_is_unknown(
    client: TestClient, factory: Factory, now: datetime
) -> None:
    async def stored() -> list[tuple[str, str, float | None]]:
        async with factory.sessions() as session:
            return await _stored(session)

    batch = {
        "events": [
            {"id": "inv-alice-7", "type": "renewal", "at": "2026-10-01T10:00:00Z", "amount": 99.5},
            {"type": "refund", "at": "2026-10-03T10:00:00Z", "amount": 20},
        ]
    }
    assert (await client.post(URL, json=batch, headers=TOKEN)).status == 201
    before = await stored()
    async with factory.sessions() as session, session.begin():
        old_id = await session.scalar(sa.select(Customer.id).where(Customer.external_id == "alice"))
        assert old_id is not None
        erased = await erase_customer(session, old_id, now)

    # The business records stay, on the pseudonym; the billing system's event id does not.
    assert await stored() == before
    async with factory.sessions() as session:
        keys = list(await session.scalars(sa.select(CustomerEvent.event_key)))
    assert len(keys) == 2 and all(k.startswith("erased:") for k in keys)
    assert await stored_values_containing(factory.sessions, ["inv-alice-7", "alice"]) == []

    event = {"type": "purchase", "at": "2026-10-20T10:00:00Z", "amount": 5}
    unknown = await client.post(URL, json=event, headers=TOKEN)
    assert unknown.status == 404
    assert [e["field"] for e in (await unknown.json())["errors"]] == ["customer_id"]
    pseudonym = f"/api/v1/customers/{erased.pseudonym}/events"
    refused = await client.post(pseudonym, json=event, headers=TOKEN)
    assert refused.status == 409
    body = await refused.json()
    assert body["error"] == "customer_erased"
    assert body["errors"][0]["field"] == "customer_id"
    assert "erased their data" in body["errors"][0]["problem"]
    assert await stored() == before

    # A new case for the old id makes a new customer, with no past: events go to it alone.
    async with factory.sessions() as session, session.begin():
        again = await upsert_customer(session, "alice", now=now)
        new_id, new_erased_at = again.id, again.erased_at
    assert new_id != old_id and new_erased_at is None
    assert (await client.post(URL, json=event, headers=TOKEN)).status == 201
    async with factory.sessions() as session:
        owners = await session.execute(
            sa.select(CustomerEvent.customer_id, CustomerEvent.type).order_by(CustomerEvent.id)
        )
        assert [(c, t.value) for c, t in owners] == [
            (old_id, "renewal"),
            (old_id, "refund"),
            (new_id, "purchase"),
        ]
