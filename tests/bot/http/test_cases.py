import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http.keys import SERVICES
from storage.engine import session_factory
from storage.models import (
    Agent,
    Customer,
    Identity,
    IdentityState,
    Invitation,
    InvitationStatus,
    Platform,
    SupportCase,
)
from storage.privacy import erase_customer
from tests.bot.http.conftest import TOKEN
from tests.factories import Factory


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def event(now: datetime) -> dict[str, Any]:
    return {
        "case_id": "CASE-100",
        "customer": {
            "id": "alice",
            "name": "Alice",
            "telegram_chat_id": 1001,
            "language": "en",
            "timezone": "Europe/Berlin",
        },
        "agent": {"id": "dana", "name": "Dana", "slack_user_id": "U0DANA", "team": "tier1"},
        "opened_at": z(now - timedelta(hours=2)),
        "closed_at": z(now - timedelta(minutes=10)),
        "contacts": 2,
        "resolved": True,
        "handle_seconds": 900,
        "channel": "email",
    }


async def post(client: TestClient, body: Any, headers: dict[str, str] = TOKEN) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return await client.post("/api/v1/cases/closed", data=data, headers=headers)


async def count(engine: AsyncEngine, model: type) -> int:
    async with session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_closed_case_schedules_csat_after_the_delay(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any], now: datetime
) -> None:
    response = await post(client, event)
    assert response.status == 202
    body = await response.json()
    assert body["case_id"] == "CASE-100" and body["duplicate"] is False
    [invitation] = body["invitations"]
    assert invitation["survey"] == "csat"
    assert invitation["status"] == "pending"
    assert invitation["reason"] == "scheduled"
    assert invitation["channel"] == "telegram"
    assert invitation["due_at"] == z(now + timedelta(minutes=20))
    async with session_factory(engine)() as session:
        case = await session.scalar(select(SupportCase))
        agent = await session.scalar(select(Agent))
        identity = await session.scalar(select(Identity))
        customer = await session.scalar(select(Customer))
    assert case is not None and case.contacts == 2 and case.handle_seconds == 900
    assert agent is not None and agent.team == "tier1" and agent.slack_user_id == "U0DANA"
    assert identity is not None and identity.external_id == "1001"
    assert customer is not None and customer.timezone == "Europe/Berlin"


async def test_the_same_event_again_returns_the_same_invitations_and_creates_nothing(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any]
) -> None:
    first = await (await post(client, event)).json()
    again = await post(client, event)
    assert again.status == 202
    second = await again.json()
    assert second["duplicate"] is True
    assert second["invitations"] == first["invitations"]
    assert await count(engine, Invitation) == 1
    assert await count(engine, SupportCase) == 1


async def test_a_case_resolved_again_updates_the_case_and_sends_no_second_csat(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any], now: datetime
) -> None:
    first = await (await post(client, event)).json()
    reopened = {
        **event,
        "closed_at": z(now + timedelta(days=3)),
        "contacts": 4,
        "resolved": False,
        "handle_seconds": 2400,
        "agent": {"id": "erik", "team": "tier2"},
    }
    response = await post(client, reopened)
    assert response.status == 202
    body = await response.json()
    assert (body["duplicate"], body["updated"]) == (False, True)
    assert body["invitations"] == first["invitations"]
    async with session_factory(engine)() as session:
        case = await session.scalar(select(SupportCase))
        erik = await session.scalar(select(Agent).where(Agent.external_id == "erik"))
    assert case is not None and erik is not None
    assert (case.contacts, case.resolved, case.handle_seconds) == (4, False, 2400)
    assert case.closed_at == now + timedelta(days=3) and case.agent_id == erik.id
    assert await count(engine, Invitation) == 1
    assert await count(engine, SupportCase) == 1
    again = await (await post(client, reopened)).json()
    assert (again["duplicate"], again["updated"]) == (True, False)


async def test_an_older_event_about_a_known_case_changes_nothing(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any], now: datetime
) -> None:
    await post(client, event)
    late = {**event, "closed_at": z(now - timedelta(hours=1)), "contacts": 9}
    body = await (await post(client, late)).json()
    assert body["duplicate"] is True
    async with session_factory(engine)() as session:
        case = await session.scalar(select(SupportCase))
    assert case is not None and case.contacts == 2


async def test_a_case_resolved_again_with_a_chat_now_gets_the_survey_it_skipped(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any], now: datetime
) -> None:
    chat = event["customer"].pop("telegram_chat_id")
    [skipped] = (await (await post(client, event)).json())["invitations"]
    assert skipped["status"] == "skipped"
    event["customer"]["telegram_chat_id"] = chat
    event["closed_at"] = z(now)
    body = await (await post(client, event)).json()
    assert body["updated"] is True
    [invitation] = body["invitations"]
    assert invitation["id"] == skipped["id"]
    assert (invitation["status"], invitation["channel"]) == ("pending", "telegram")
    assert invitation["due_at"] == z(now + timedelta(minutes=30))
    assert await count(engine, Invitation) == 1


async def test_a_case_resolved_again_may_earn_another_survey_of_the_policy(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any], now: datetime
) -> None:
    """csat once per case; the resolved-again case is offered what is due (here nps)."""
    await post(client, event)
    async with session_factory(engine)() as session, session.begin():
        invitation = await session.scalar(select(Invitation))
        assert invitation is not None
        invitation.status = InvitationStatus.ANSWERED
        invitation.sent_at = invitation.due_at
    event["closed_at"] = z(now + timedelta(days=30))
    client.app[SERVICES].clock = lambda: now + timedelta(days=30)
    body = await (await post(client, event)).json()
    by_survey = {i["survey"]: i for i in body["invitations"]}
    assert by_survey["csat"]["status"] == "answered"
    assert by_survey["nps"]["status"] == "pending"
    assert await count(engine, Invitation) == 2


async def test_a_second_case_within_the_throttle_is_skipped_as_throttled(
    client: TestClient, event: dict[str, Any]
) -> None:
    await post(client, event)
    response = await post(client, {**event, "case_id": "CASE-101"})
    assert response.status == 202
    [invitation] = (await response.json())["invitations"]
    assert (invitation["survey"], invitation["status"]) == ("csat", "skipped")
    assert invitation["reason"] == "throttled"
    assert invitation["due_at"] is None


async def test_a_due_time_in_quiet_hours_moves_to_their_end_in_the_customers_zone(
    client: TestClient, event: dict[str, Any], now: datetime
) -> None:
    event["customer"]["timezone"] = "Asia/Tokyo"  # 12:20 UTC is 21:20 in Tokyo
    [invitation] = (await (await post(client, event)).json())["invitations"]
    assert invitation["reason"] == "scheduled after quiet hours"
    assert invitation["due_at"] == "2026-03-03T00:00:00Z"  # 09:00 in Tokyo


async def test_an_opted_out_customer_is_not_surveyed(
    client: TestClient, factory: Factory, event: dict[str, Any]
) -> None:
    alice = await factory.customer()
    await factory.identity(alice, state=IdentityState.OPTED_OUT)
    [invitation] = (await (await post(client, event)).json())["invitations"]
    assert (invitation["status"], invitation["reason"]) == ("skipped", "opted out")


async def test_a_customer_without_a_chat_is_skipped(
    client: TestClient, event: dict[str, Any]
) -> None:
    del event["customer"]["telegram_chat_id"]
    [invitation] = (await (await post(client, event)).json())["invitations"]
    assert (invitation["status"], invitation["reason"]) == ("skipped", "no reachable channel")
    assert invitation["channel"] is None


async def test_a_chat_of_another_customer_records_the_case_and_skips_its_survey(
    client: TestClient, factory: Factory, engine: AsyncEngine, event: dict[str, Any]
) -> None:
    bob = await factory.customer("bob")
    await factory.identity(bob, Platform.TELEGRAM, "1001")
    response = await post(client, event)
    assert response.status == 202
    body = await response.json()
    assert body["warnings"] == [
        {
            "field": "customer.telegram_chat_id",
            "problem": "belongs to another customer; not linked, survey skipped",
        }
    ]
    [invitation] = body["invitations"]
    assert (invitation["status"], invitation["reason"]) == (
        "skipped",
        "chat linked to another customer",
    )
    assert await count(engine, SupportCase) == 1
    async with session_factory(engine)() as session:
        identity = await session.scalar(select(Identity))
    assert identity is not None and identity.customer_id == bob.id


async def test_without_the_token_the_answer_is_401(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any]
) -> None:
    response = await post(client, event, headers={"Authorization": "Bearer nope"})
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"
    assert await count(engine, SupportCase) == 0


async def test_bad_json_is_a_400_saying_where(client: TestClient) -> None:
    response = await post(client, '{"case_id": "C1",')
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "bad_json"
    assert body["message"].startswith("The body is not valid JSON at line 1")


async def test_a_body_over_64_kib_is_a_413(client: TestClient, event: dict[str, Any]) -> None:
    event["customer"]["name"] = "x" * (65 * 1024)
    response = await post(client, event)
    assert response.status == 413
    assert await response.json() == {"error": "too_large", "message": "The body is over 64 KiB."}


async def test_bad_fields_are_a_422_listing_each_field(
    client: TestClient, event: dict[str, Any]
) -> None:
    del event["customer"]["id"]
    event["customer"]["timezone"] = "Mars/Olympus"
    event["customer"]["language"] = "fr"
    event["closed_at"] = "yesterday"
    event["contacts"] = -1
    event["colour"] = "blue"
    response = await post(client, event)
    assert response.status == 422
    body = await response.json()
    assert body["error"] == "invalid_request"
    assert body["errors"] == [
        {"field": "customer.id", "problem": "is required"},
        {"field": "customer.language", "problem": "'fr' is not one of en, es, de, ru"},
        {
            "field": "customer.timezone",
            "problem": "'Mars/Olympus' is not a known time zone (e.g. Europe/Berlin)",
        },
        {
            "field": "closed_at",
            "problem": "must be an ISO 8601 time such as 2026-03-02T10:00:00Z",
        },
        {"field": "contacts", "problem": "must be at least 0"},
        {"field": "colour", "problem": "is not a known field"},
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([1, 2], {"field": "body", "problem": "must be a JSON object"}),
        ({"case_id": "C1"}, {"field": "customer", "problem": "is required"}),
    ],
)
async def test_a_body_of_the_wrong_shape_is_a_422(
    client: TestClient, body: Any, problem: dict[str, str]
) -> None:
    response = await post(client, body)
    assert response.status == 422
    assert problem in (await response.json())["errors"]


async def test_a_case_may_choose_its_surveys(
    client: TestClient, event: dict[str, Any], now: datetime
) -> None:
    body = await (await post(client, {**event, "surveys": ["ces", "csat"]})).json()
    assert [(i["survey"], i["status"]) for i in body["invitations"]] == [("ces", "pending")]


async def test_an_unknown_survey_for_a_case_is_a_422_naming_the_field(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any]
) -> None:
    response = await post(client, {**event, "surveys": ["ces", "mood"]})
    assert response.status == 422
    [problem] = (await response.json())["errors"]
    assert problem["field"] == "surveys"
    assert problem["problem"].startswith("'mood' is not a survey of the catalog (known: csat")
    assert await count(engine, SupportCase) == 0


async def test_a_case_for_an_erased_customers_pseudonym_is_refused_and_writes_nothing(
    client: TestClient, engine: AsyncEngine, event: dict[str, Any], now: datetime
) -> None:
    assert (await post(client, event)).status == 202
    async with session_factory(engine)() as session, session.begin():
        alice = await session.scalar(select(Customer.id).where(Customer.external_id == "alice"))
        assert alice is not None
        pseudonym = (await erase_customer(session, alice, now)).pseudonym
    cases_before = await count(engine, SupportCase)

    forged = {**event, "case_id": "CASE-101", "customer": {**event["customer"], "id": pseudonym}}
    response = await post(client, forged)
    assert response.status == 422
    [error] = (await response.json())["errors"]
    assert error["field"] == "customer.id"
    assert "erased customer" in error["problem"]
    async with session_factory(engine)() as session:
        erased = await session.scalar(select(Customer).where(Customer.external_id == pseudonym))
    assert erased is not None and erased.name is None and erased.timezone is None
    assert await count(engine, Identity) == 0
    assert await count(engine, SupportCase) == cases_before

    # An id that merely starts like one is an ordinary customer id.
    lookalike = {**event, "case_id": "CASE-102", "customer": {"id": "erased-by-mistake"}}
    assert (await post(client, lookalike)).status == 202
