"""``POST /hooks/{helpdesk}/{token}`` over HTTP: verification before parsing, the case recorded
with the mapped fields, redeliveries and other events changing nothing, hostile bodies refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http.server import Services, build_web_app
from bot.settings import load_settings
from storage.engine import session_factory
from storage.models import Agent, Customer, HookDelivery, Invitation, SupportCase
from tests.bot.hooks.conftest import (
    DESKS,
    HOOKS_TOKEN,
    SECRET_SETTINGS,
    SIGNING,
    Desk,
    not_a_closure,
    signed_headers,
)

NOW = datetime.fromisoformat("2026-03-02T12:00:00+00:00")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def make_client(engine: AsyncEngine, clock: Clock, **settings: Any) -> TestClient:
    options = {"api_token": "api-token", "hooks_token": HOOKS_TOKEN, **SECRET_SETTINGS} | settings
    app = build_web_app(Services.build(load_settings(None, **options), engine, clock=clock))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client(engine: AsyncEngine, clock: Clock) -> AsyncIterator[TestClient]:
    client = await make_client(engine, clock)
    yield client
    await client.close()


async def post(
    client: TestClient,
    desk: Desk,
    body: bytes,
    clock: Clock,
    *,
    token: str = HOOKS_TOKEN,
    headers: dict[str, str] | None = None,
) -> Any:
    sent = signed_headers(desk.name, body, clock.now) | (headers or {})
    return await client.post(f"/hooks/{desk.name}/{token}", data=body, headers=sent)


async def count(engine: AsyncEngine, model: type) -> int:
    async with session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def nothing_stored(engine: AsyncEngine) -> bool:
    return all([await count(engine, m) == 0 for m in (SupportCase, HookDelivery, Customer)])


def at_closure(desk: Desk, clock: Clock) -> None:
    """Receive the webhook five minutes after the ticket closed, as a helpdesk would."""
    if desk.closed_at is not None:
        clock.now = desk.closed_at + timedelta(minutes=5)


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
async def test_a_closure_is_recorded_with_the_mapped_fields_and_a_redelivery_changes_nothing(
    client: TestClient, engine: AsyncEngine, clock: Clock, desk: Desk
) -> None:
    at_closure(desk, clock)
    response = await post(client, desk, desk.body(), clock)
    assert response.status == 200, await response.text()
    first = await response.json()
    assert (first["status"], first["case_id"]) == ("recorded", desk.case_id)
    async with session_factory(engine)() as session:
        case = await session.scalar(select(SupportCase))
        customer = await session.scalar(select(Customer))
        agent = await session.scalar(select(Agent))
    assert case is not None and customer is not None and agent is not None
    assert case.external_id == desk.case_id
    assert customer.external_id == desk.customer_id and customer.email == desk.email
    assert agent.external_id == desk.agent_id and case.agent_id == agent.id
    assert case.closed_at == (desk.closed_at or clock.now)
    invitations = await count(engine, Invitation)

    clock.now += timedelta(minutes=30)  # the helpdesk's retry, later
    again = await post(client, desk, desk.body(), clock)
    assert again.status == 200
    assert (await again.json())["status"] == "duplicate"
    assert await count(engine, SupportCase) == 1
    assert await count(engine, HookDelivery) == 1
    assert await count(engine, Invitation) == invitations


@pytest.mark.parametrize("desk", SIGNING, ids=lambda d: d.name)
async def test_a_wrong_or_missing_signature_is_401_and_stores_nothing(
    client: TestClient, engine: AsyncEngine, clock: Clock, desk: Desk
) -> None:
    at_closure(desk, clock)
    body = desk.body()
    forged = signed_headers(desk.name, body + b" ", clock.now)
    assert (await post(client, desk, body, clock, headers=forged)).status == 401
    bare = await client.post(f"/hooks/{desk.name}/{HOOKS_TOKEN}", data=body)
    assert bare.status == 401
    assert await nothing_stored(engine)


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
async def test_a_wrong_token_is_401_and_stores_nothing(
    client: TestClient, engine: AsyncEngine, clock: Clock, desk: Desk
) -> None:
    at_closure(desk, clock)
    wrong = HOOKS_TOKEN[:-1] + "X"
    assert (await post(client, desk, desk.body(), clock, token=wrong)).status == 401
    assert (await post(client, desk, desk.body(), clock, token="short")).status == 401
    assert await nothing_stored(engine)


async def test_a_stale_chatwoot_timestamp_is_401(
    client: TestClient, engine: AsyncEngine, clock: Clock
) -> None:
    desk = DESKS[0]
    body = desk.body()
    stale = signed_headers("chatwoot", body, clock.now - timedelta(minutes=6))
    assert (await post(client, desk, body, clock, headers=stale)).status == 401
    future = signed_headers("chatwoot", body, clock.now + timedelta(minutes=6))
    assert (await post(client, desk, body, clock, headers=future)).status == 401
    assert await nothing_stored(engine)


async def test_hooks_are_404_without_hooks_token_and_for_an_unknown_helpdesk(
    engine: AsyncEngine, clock: Clock
) -> None:
    desk = DESKS[0]
    client = await make_client(engine, clock, hooks_token="")
    try:
        assert (await post(client, desk, desk.body(), clock)).status == 404
    finally:
        await client.close()
    client = await make_client(engine, clock)
    try:
        response = await client.post(f"/hooks/gorgias/{HOOKS_TOKEN}", data=b"{}")
        assert response.status == 404
    finally:
        await client.close()
    assert await nothing_stored(engine)


async def test_without_a_secret_an_unsigned_webhook_is_taken_on_the_token_alone(
    engine: AsyncEngine, clock: Clock
) -> None:
    desk = DESKS[0]
    at_closure(desk, clock)
    client = await make_client(engine, clock, chatwoot_webhook_secret="")
    try:
        response = await client.post(f"/hooks/chatwoot/{HOOKS_TOKEN}", data=desk.body())
        assert response.status == 200
    finally:
        await client.close()
    assert await count(engine, SupportCase) == 1


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
async def test_events_that_are_not_a_closure_get_200_and_nothing_is_stored(
    client: TestClient, engine: AsyncEngine, clock: Clock, desk: Desk
) -> None:
    for body, extra in not_a_closure(desk):
        response = await post(client, desk, body, clock, headers=extra or None)
        assert response.status == 200, await response.text()
        assert (await response.json())["status"] == "ignored"
    assert await nothing_stored(engine)


def hostile_bodies(desk: Desk) -> list[tuple[str, bytes]]:
    closure = desk.closure()
    missing_ids = json.loads(json.dumps(closure))
    wrong_types = json.loads(json.dumps(closure))
    for body in (missing_ids, wrong_types):
        node = body
        for part in {
            "chatwoot": ["meta", "sender"],
            "zendesk": ["detail"],
            "freshdesk": ["freshdesk_webhook"],
            "helpscout": ["primaryCustomer"],
            "intercom": ["data", "item", "user"],
            "front": ["conversation"],
        }[desk.name]:
            node = node[part]
        key = {"freshdesk": "ticket_id", "front": "id"}.get(desk.name, "id")
        if body is missing_ids:
            node.pop(key)
        else:
            node[key] = {"$gt": ""}
    return [
        ("not json", b"ticket solved, yay"),
        ("not utf-8", b"\xff\xfe{"),
        ("deeply nested", b"[" * 100_000 + b"]" * 100_000),
        ("deeply nested object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("a list", b"[1, 2, 3]"),
        ("a string", b'"closed"'),
        ("huge", b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'),
        ("missing ids", json.dumps(missing_ids).encode()),
        ("wrong types", json.dumps(wrong_types).encode()),
        ("null everywhere", json.dumps(dict.fromkeys(closure)).encode()),
        ("empty object", b"{}"),
    ]


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
async def test_hostile_bodies_get_4xx_or_200_ignored_never_a_500(
    client: TestClient, engine: AsyncEngine, clock: Clock, desk: Desk
) -> None:
    at_closure(desk, clock)
    for name, body in hostile_bodies(desk):
        response = await post(client, desk, body, clock)
        assert response.status in (200, 400, 413), (name, response.status)
        answer = await response.json()
        if response.status == 200:
            assert answer["status"] == "ignored", name
        elif response.status == 400:
            assert answer.get("errors") or answer["error"] in ("bad_json", "too_deep"), name
        if name in ("missing ids", "wrong types"):
            assert response.status == 400, (name, answer)
    assert await nothing_stored(engine)


async def test_a_missing_id_is_named_as_the_helpdesk_spells_it(
    client: TestClient, clock: Clock
) -> None:
    desk = next(d for d in DESKS if d.name == "zendesk")
    body = desk.closure()
    del body["detail"]["requester_id"]
    response = await post(client, desk, json.dumps(body).encode(), clock)
    assert response.status == 400
    assert (await response.json())["errors"] == [
        {"field": "detail.requester_id", "problem": "is required"}
    ]


async def test_a_reopened_and_resolved_again_ticket_updates_its_case_never_409(
    client: TestClient, engine: AsyncEngine, clock: Clock
) -> None:
    desk = next(d for d in DESKS if d.name == "helpscout")
    at_closure(desk, clock)
    assert (await post(client, desk, desk.body(), clock)).status == 200
    later = "2012-03-18T09:00:00Z"
    clock.now = datetime.fromisoformat("2012-03-18T09:05:00+00:00")
    response = await post(client, desk, desk.body(closedAt=later), clock)
    assert response.status == 200, await response.text()
    assert (await response.json())["status"] == "updated"
    async with session_factory(engine)() as session:
        cases = list(await session.scalars(select(SupportCase)))
    assert len(cases) == 1
    assert cases[0].closed_at == datetime.fromisoformat(later.replace("Z", "+00:00"))
    assert cases[0].contacts == 2  # the customer came back once
    assert await count(engine, HookDelivery) == 2
    assert await count(engine, Invitation) == 1  # the policy decides; one survey per case

    # The first closure arriving late again (a retry) changes nothing.
    clock.now += timedelta(hours=1)
    stale = await post(client, desk, desk.body(), clock)
    assert (await stale.json())["status"] == "duplicate"
    async with session_factory(engine)() as session:
        case = await session.scalar(select(SupportCase))
    assert case is not None and case.contacts == 2
