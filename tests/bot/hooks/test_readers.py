"""Each helpdesk's payload read into a closure and mapped onto the case event: what the payload
has is kept, what it lacks stays unknown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict

from bot.hooks import chatwoot, freshdesk, front, helpscout, intercom, zendesk
from bot.hooks.helpdesks import case_event
from bot.hooks.payload import BadPayload, Closure, Ignored, Person, read_time
from tests.bot.hooks import fixtures

RECEIVED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NO_HEADERS: CIMultiDict[str] = CIMultiDict()


def closure(result: Closure | Ignored) -> Closure:
    assert isinstance(result, Closure), result
    return result


def test_chatwoot_resolved_conversation_maps_sender_assignee_team_and_times() -> None:
    read = closure(chatwoot.read(fixtures.chatwoot_status_changed(), NO_HEADERS))
    event = case_event("chatwoot", read, received_at=RECEIVED)
    assert event.case_id == "chatwoot:10"
    assert event.customer.id == "chatwoot:12"
    assert (event.customer.name, event.customer.email) == ("jane", "jane@acme.inc")
    assert event.customer.phone == "+4930123456"
    assert event.agent is not None
    assert (event.agent.id, event.agent.name, event.agent.team) == ("chatwoot:1", "John", "Billing")
    assert event.agent.email is None  # Chatwoot sends none (User#push_event_data)
    assert event.closed_at == datetime.fromtimestamp(1627063455.123, UTC)
    assert event.opened_at == datetime.fromtimestamp(1627060000, UTC)
    assert event.channel == "web_widget"
    assert read.delivery_key == "10:1627063455.123"


def test_chatwoot_documented_sample_without_times_closes_at_receipt() -> None:
    read = closure(chatwoot.read(fixtures.chatwoot_documented_sample_resolved(), NO_HEADERS))
    event = case_event("chatwoot", read, received_at=RECEIVED)
    assert event.closed_at == datetime.fromtimestamp(1627063369, UTC)  # its `timestamp`
    assert event.opened_at is None and event.customer.phone is None
    assert event.agent is not None and event.agent.team is None


@pytest.mark.parametrize(
    "body",
    [
        fixtures.chatwoot_status_changed("open"),
        fixtures.chatwoot_status_changed("pending"),
        fixtures.chatwoot_status_changed() | {"event": "message_created"},
        fixtures.chatwoot_status_changed() | {"event": "conversation_updated"},
    ],
)
def test_chatwoot_events_other_than_a_resolution_are_ignored(body: dict[str, Any]) -> None:
    assert isinstance(chatwoot.read(body, NO_HEADERS), Ignored)


def test_zendesk_event_webhook_keeps_ids_and_leaves_the_requester_unnamed() -> None:
    read = closure(zendesk.read(fixtures.zendesk_status_changed(), NO_HEADERS))
    event = case_event("zendesk", read, received_at=RECEIVED)
    assert event.case_id == "zendesk:5158"
    assert event.customer.id == "zendesk:8447388090372"
    assert event.customer.name is None and event.customer.email is None
    assert event.agent is not None and event.agent.id == "zendesk:8447388090494"
    assert event.agent.team == "8447320466430"
    assert event.closed_at == datetime(2025, 1, 8, 16, 45, 20, 987654, tzinfo=UTC)
    assert event.opened_at == datetime(2025, 1, 8, 10, 12, 7, tzinfo=UTC)
    assert event.channel == "web_service"
    assert read.delivery_key == "a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d"


@pytest.mark.parametrize(
    ("current", "previous"),
    [("OPEN", "NEW"), ("PENDING", "OPEN"), ("CLOSED", "SOLVED"), ("DELETED", "OPEN")],
)
def test_zendesk_status_changes_that_are_not_a_new_resolution_are_ignored(
    current: str, previous: str
) -> None:
    body = fixtures.zendesk_status_changed(current, previous)
    assert isinstance(zendesk.read(body, NO_HEADERS), Ignored)


def test_zendesk_trigger_body_from_the_readme_maps_every_placeholder() -> None:
    read = closure(zendesk.read(fixtures.zendesk_trigger(), NO_HEADERS))
    event = case_event("zendesk", read, received_at=RECEIVED)
    assert event.case_id == "zendesk:372" and event.customer.id == "zendesk:9001"
    customer = event.customer
    assert (customer.name, customer.email, customer.phone) == (
        "Rita Requester",
        "rita@example.com",
        "+1 415 555 0100",
    )
    assert customer.language == "de"  # Zendesk renders the language's name
    assert event.agent is not None
    assert (event.agent.id, event.agent.email, event.agent.team) == (
        "zendesk:77",
        "dana@support.example",
        "Tier 1",
    )
    assert event.closed_at == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    assert event.channel == "Web form"
    assert read.delivery_key == "372:SOLVED:2026-03-02T11:30:00Z"


def test_a_trigger_field_we_cannot_use_stays_unknown_instead_of_refusing_the_case() -> None:
    body = fixtures.zendesk_trigger(**{"ticket.requester.language": "Klingon"})
    body["requester"]["email"] = "not an address"
    event = case_event("zendesk", closure(zendesk.read(body, NO_HEADERS)), received_at=RECEIVED)
    assert event.customer.language is None and event.customer.email is None
    assert event.customer.name == "Rita Requester"


def test_a_trigger_without_the_requester_id_placeholder_names_the_field() -> None:
    body = fixtures.zendesk_trigger(**{"ticket.requester.id": ""})
    with pytest.raises(BadPayload) as error:
        zendesk.read(body, NO_HEADERS)
    assert error.value.path == "requester.id"


def test_freshdesk_rule_body_maps_requester_agent_and_source() -> None:
    read = closure(freshdesk.read(fixtures.freshdesk_rule(), NO_HEADERS))
    event = case_event("freshdesk", read, received_at=RECEIVED)
    assert event.case_id == "freshdesk:11" and event.customer.id == "freshdesk:43000123"
    assert event.customer.phone == "+44 20 7946 0000"
    assert event.agent is not None and event.agent.id == "freshdesk:alice@support.example"
    assert event.closed_at == RECEIVED  # Freshdesk gives no closed time
    assert event.channel == "email"


@pytest.mark.parametrize(
    "body",
    [
        fixtures.freshdesk_zulip_status_changed(),
        fixtures.freshdesk_rule(
            **{"ticket.status": "Closed", "triggered_event": "{status:{from:4,to:5}}"}
        ),
        fixtures.freshdesk_rule(
            **{"ticket.status": "Open", "triggered_event": "{responder_id:{from:1,to:2}}"}
        ),
    ],
)
def test_freshdesk_changes_that_are_not_a_new_resolution_are_ignored(body: dict[str, Any]) -> None:
    assert isinstance(freshdesk.read(body, NO_HEADERS), Ignored)


def test_freshdesk_status_code_alone_is_enough() -> None:
    body = fixtures.freshdesk_rule(**{"ticket.status": "Erledigt"})
    assert closure(freshdesk.read(body, NO_HEADERS)).ticket_id == "11"


def test_helpscout_closed_conversation_maps_primary_customer_and_assignee() -> None:
    headers = CIMultiDict({"X-HelpScout-Event": "convo.status"})
    read = closure(helpscout.read(fixtures.helpscout_conversation(), headers))
    event = case_event("helpscout", read, received_at=RECEIVED)
    assert event.case_id == "helpscout:123" and event.customer.id == "helpscout:238604"
    assert (event.customer.name, event.customer.email) == ("Rob Robertovic", "rob@acme.com")
    assert event.agent is not None
    assert (event.agent.id, event.agent.name) == ("helpscout:99", "Mr Robot")
    assert event.closed_at == datetime(2012, 3, 16, 14, 7, 23, tzinfo=UTC)
    assert read.delivery_key == "123:2012-03-16T14:07:23Z"


def test_helpscout_ignores_other_events_and_statuses() -> None:
    status = CIMultiDict({"X-HelpScout-Event": "convo.status"})
    test = CIMultiDict({"X-HelpScout-Event": "helpscout.test"})
    assert isinstance(helpscout.read(fixtures.helpscout_conversation("active"), status), Ignored)
    assert isinstance(helpscout.read(fixtures.helpscout_conversation(), test), Ignored)


def test_intercom_v1_maps_user_assignee_and_the_close_part_time() -> None:
    read = closure(intercom.read(fixtures.intercom_admin_closed(), NO_HEADERS))
    event = case_event("intercom", read, received_at=RECEIVED)
    assert event.case_id == "intercom:21322009097"
    assert event.customer.id == "intercom:5c9553cb27e377f24eed49f7"
    assert event.customer.email == "jerryguitarist@gmail.com"
    assert event.agent is not None and event.agent.email == "cordelia@zulip.com"
    assert event.closed_at == datetime.fromtimestamp(1553291389, UTC)
    assert read.delivery_key == "notif_2bc4bf3a-0064-4fb0-9e17-dc44d91bcb9b"


def test_intercom_v2_maps_contact_author_team_and_channel() -> None:
    read = closure(intercom.read(fixtures.intercom_admin_closed_v2(), NO_HEADERS))
    event = case_event("intercom", read, received_at=RECEIVED)
    assert event.customer.id == "intercom:6543a1b2c3d4e5f6a7b8c9d0"
    assert event.customer.name == "Wanda Whatsapp"
    assert event.agent is not None
    assert (event.agent.id, event.agent.team) == ("intercom:1957471", "5017691")
    assert event.closed_at == datetime.fromtimestamp(1553291380, UTC)
    assert event.channel == "whatsapp"


def test_intercom_ping_and_other_topics_are_ignored() -> None:
    body = fixtures.intercom_admin_closed() | {"topic": "ping"}
    assert isinstance(intercom.read(body, NO_HEADERS), Ignored)


def test_front_archive_maps_the_contact_from_its_link_and_the_handle_as_email() -> None:
    read = closure(front.read(fixtures.front_archive(), NO_HEADERS))
    event = case_event("front", read, received_at=RECEIVED)
    assert event.case_id == "front:cnv_keo696" and event.customer.id == "front:crd_62euuy"
    assert event.customer.email == "calculon@momsbot.com" and event.customer.name is None
    assert event.agent is not None
    assert (event.agent.id, event.agent.name) == ("front:tea_40yq", "Leela Turanga")
    assert event.closed_at == datetime.fromtimestamp(1518307966.678, UTC)
    assert event.channel == "email"


def test_front_app_webhook_envelope_is_unwrapped_and_other_events_ignored() -> None:
    wrapped = {
        "type": "archive",
        "authorization": {"id": "cmp_1"},
        "payload": fixtures.front_archive(),
    }
    assert closure(front.read(wrapped, NO_HEADERS)).ticket_id == "cnv_keo696"
    assert isinstance(
        front.read(fixtures.front_archive() | {"type": "reopen"}, NO_HEADERS), Ignored
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-08T16:45:20.987654321Z", datetime(2025, 1, 8, 16, 45, 20, 987654, tzinfo=UTC)),
        (1518307966.678, datetime.fromtimestamp(1518307966.678, UTC)),
        (1518307966678, datetime.fromtimestamp(1518307966.678, UTC)),
        ("2026-03-02T11:30:00", None),
        ("yesterday", None),
        (True, None),
        (-5, None),
    ],
)
def test_times_are_read_from_iso_text_and_unix_seconds_only_when_unambiguous(
    value: object, expected: datetime | None
) -> None:
    assert read_time(value) == expected


def test_ids_are_namespaced_and_a_too_long_id_is_refused_by_name() -> None:
    long_id = Closure("1" * 300, "k", Person("7"))
    with pytest.raises(BadPayload) as error:
        case_event("zendesk", long_id, received_at=RECEIVED)
    assert error.value.path == "case_id"


def test_the_readme_gives_the_exact_bodies_the_readers_expect() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    assert zendesk.TRIGGER_BODY in readme
    assert freshdesk.RULE_BODY in readme
