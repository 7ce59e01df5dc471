from datetime import UTC, datetime, time, timedelta

import pytest

from surveys.policy import (
    CSAT,
    NPS,
    VALUE,
    CustomerHistory,
    Decision,
    PolicyConfig,
    Reason,
    decide_for_campaign,
    decide_for_case,
    expires_at,
    next_allowed,
    reminder_at,
)

CONFIG = PolicyConfig()
NO_QUIET = PolicyConfig(quiet_hours=None)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def reachable(**fields: object) -> CustomerHistory:
    fields.setdefault("channels", ("telegram",))
    return CustomerHistory(**fields)  # type: ignore[arg-type]


def only(decisions: list[Decision]) -> Decision:
    [decision] = decisions
    return decision


def test_csat_is_due_after_the_delay_and_a_new_customer_gets_only_csat() -> None:
    closed = utc("2026-03-02 12:00")
    decisions = decide_for_case(NO_QUIET, reachable(), closed_at=closed, now=closed)
    assert [d.survey_key for d in decisions] == [CSAT, NPS, VALUE]
    assert decisions[0] == Decision(CSAT, Reason.SCHEDULED, utc("2026-03-02 12:30"), "telegram")
    assert [d.reason for d in decisions[1:]] == [Reason.THROTTLED, Reason.THROTTLED]


def test_a_late_event_is_due_now_not_in_the_past() -> None:
    closed, now = utc("2026-03-02 08:00"), utc("2026-03-02 12:00")
    decision = decide_for_case(NO_QUIET, reachable(), closed_at=closed, now=now)[0]
    assert decision.due_at == now


def test_a_case_closed_longer_ago_than_the_expiry_is_not_surveyed() -> None:
    closed, now = utc("2026-01-01 08:00"), utc("2026-03-02 12:00")
    decision = decide_for_case(NO_QUIET, reachable(), closed_at=closed, now=now)[0]
    assert decision.reason is Reason.TOO_OLD and not decision.scheduled


def test_the_throttle_counts_any_survey_within_seven_days_either_side() -> None:
    closed = utc("2026-03-02 12:00")
    recent = reachable(
        last_any=utc("2026-02-25 13:00"), last_invited={NPS: utc("2026-02-25 13:00")}
    )
    assert (
        only(decide_for_case(NO_QUIET, recent, closed_at=closed, now=closed)[:1]).reason
        is Reason.THROTTLED
    )
    upcoming = reachable(last_any=utc("2026-03-08 12:00"), last_invited={CSAT: utc("2026-03-08")})
    assert decide_for_case(NO_QUIET, upcoming, closed_at=closed, now=closed)[0].reason is (
        Reason.THROTTLED
    )
    week_old = reachable(last_any=utc("2026-02-23 12:30"), last_invited={NPS: utc("2026-02-23")})
    assert decide_for_case(NO_QUIET, week_old, closed_at=closed, now=closed)[0].scheduled


def test_nps_and_value_are_left_out_while_inside_their_cadence() -> None:
    closed = utc("2026-03-02 12:00")
    history = reachable(
        last_any=utc("2026-02-01"),
        last_invited={NPS: utc("2026-01-01"), VALUE: utc("2025-08-01")},
    )
    decisions = decide_for_case(NO_QUIET, history, closed_at=closed, now=closed)
    assert [d.survey_key for d in decisions] == [CSAT, VALUE]


def test_without_csat_in_the_catalog_a_due_nps_is_sent_for_the_case() -> None:
    closed = utc("2026-03-02 12:00")
    decisions = decide_for_case(
        NO_QUIET, reachable(), closed_at=closed, now=closed, surveys=(NPS, VALUE)
    )
    assert [(d.survey_key, d.reason) for d in decisions] == [
        (NPS, Reason.SCHEDULED),
        (VALUE, Reason.THROTTLED),
    ]


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        (CustomerHistory(opted_out=True, channels=("telegram",)), Reason.OPTED_OUT),
        (CustomerHistory(), Reason.NO_CHANNEL),
    ],
)
def test_opted_out_and_unreachable_customers_get_nothing(
    history: CustomerHistory, reason: Reason
) -> None:
    closed = utc("2026-03-02 12:00")
    decisions = decide_for_case(CONFIG, history, closed_at=closed, now=closed)
    assert {d.reason for d in decisions} == {reason}
    assert not any(d.scheduled for d in decisions)


@pytest.mark.parametrize(
    ("zone", "due", "expected"),
    [
        # New York is UTC-5 in winter: 02:00 UTC is 21:00 the evening before, quiet until 09:00.
        ("America/New_York", "2026-01-15 02:00", "2026-01-15 14:00"),
        # Before quiet hours start nothing moves.
        ("America/New_York", "2026-01-15 01:59", "2026-01-15 01:59"),
        # Tokyo (UTC+9, no DST): 23:30 local is quiet until 09:00 local, 00:00 UTC.
        ("Asia/Tokyo", "2026-06-01 14:30", "2026-06-02 00:00"),
        # Early morning in Berlin (UTC+1): 07:00 local is quiet until 09:00 the same day.
        ("Europe/Berlin", "2026-01-15 06:00", "2026-01-15 08:00"),
        # Berlin in summer (UTC+2).
        ("Europe/Berlin", "2026-07-15 06:00", "2026-07-15 07:00"),
        # Kathmandu is UTC+5:45.
        ("Asia/Kathmandu", "2026-01-15 00:00", "2026-01-15 03:15"),
    ],
)
def test_quiet_hours_move_a_due_time_to_their_end_in_the_customers_zone(
    zone: str, due: str, expected: str
) -> None:
    assert next_allowed(utc(due), CONFIG, zone) == utc(expected)


def test_quiet_hours_that_end_in_a_dst_gap_end_at_the_first_minute_that_exists() -> None:
    # Berlin springs forward on 2026-03-29: 02:00 local jumps to 03:00 (01:00 UTC).
    config = PolicyConfig(quiet_hours=(time(21, 0), time(2, 30)))
    assert next_allowed(utc("2026-03-28 23:00"), config, "Europe/Berlin") == utc("2026-03-29 01:00")


def test_quiet_hours_ending_in_a_dst_overlap_end_at_the_first_occurrence() -> None:
    # Berlin falls back on 2026-10-25: 02:00-03:00 local happens twice (00:00 and 01:00 UTC).
    config = PolicyConfig(quiet_hours=(time(21, 0), time(2, 30)))
    assert next_allowed(utc("2026-10-24 22:00"), config, "Europe/Berlin") == utc("2026-10-25 00:30")
    # Inside the second 02:00-02:30, the end still to come is the second 02:30.
    assert next_allowed(utc("2026-10-25 01:10"), config, "Europe/Berlin") == utc("2026-10-25 01:30")


def test_a_night_that_is_shorter_for_dst_still_ends_at_nine_local() -> None:
    # New York springs forward on 2026-03-08: 21:00 EST on the 7th to 09:00 EDT on the 8th.
    assert next_allowed(utc("2026-03-08 03:00"), CONFIG, "America/New_York") == utc(
        "2026-03-08 13:00"
    )


def test_an_unknown_zone_falls_back_to_the_default() -> None:
    config = PolicyConfig(default_timezone="Asia/Tokyo")
    assert next_allowed(utc("2026-06-01 14:30"), config, "Not/AZone") == utc("2026-06-02 00:00")
    assert next_allowed(utc("2026-06-01 14:30"), config, None) == utc("2026-06-02 00:00")


def test_quiet_hours_within_one_day_are_supported() -> None:
    lunch = PolicyConfig(quiet_hours=(time(12, 0), time(13, 0)))
    assert next_allowed(utc("2026-06-01 12:15"), lunch, "UTC") == utc("2026-06-01 13:00")
    assert next_allowed(utc("2026-06-01 13:00"), lunch, "UTC") == utc("2026-06-01 13:00")


def test_a_scheduled_decision_in_quiet_hours_says_so() -> None:
    closed = utc("2026-03-02 20:45")
    decision = decide_for_case(CONFIG, reachable(timezone="UTC"), closed_at=closed, now=closed)[0]
    assert decision.reason is Reason.QUIET_HOURS
    assert decision.due_at == utc("2026-03-03 09:00")


def test_the_reminder_comes_a_day_later_outside_quiet_hours_and_never_after_expiry() -> None:
    sent = utc("2026-03-02 22:30")  # a day later is 22:30 again: quiet, so 09:00
    assert reminder_at(utc("2026-03-02 10:00"), CONFIG, "UTC") == utc("2026-03-03 10:00")
    assert reminder_at(sent, CONFIG, "UTC") == utc("2026-03-04 09:00")
    assert expires_at(sent, CONFIG) == utc("2026-03-05 22:30")
    short = PolicyConfig(expire_after=timedelta(hours=25))
    assert reminder_at(sent, short, "UTC") is None
    assert reminder_at(sent, PolicyConfig(reminder_after=None), "UTC") is None


def test_the_campaign_picks_nps_first_then_value_and_respects_the_throttle() -> None:
    now = utc("2026-03-02 12:00")
    fresh = decide_for_campaign(NO_QUIET, reachable(), now=now)
    assert fresh == Decision(NPS, Reason.SCHEDULED, now, "telegram")
    asked_nps = reachable(last_invited={NPS: utc("2026-02-01")}, last_any=utc("2026-02-01"))
    assert decide_for_campaign(NO_QUIET, asked_nps, now=now) == Decision(
        VALUE, Reason.SCHEDULED, now, "telegram"
    )
    busy = reachable(last_invited={CSAT: utc("2026-03-01")}, last_any=utc("2026-03-01"))
    assert decide_for_campaign(NO_QUIET, busy, now=now) == Decision(NPS, Reason.THROTTLED)
    done = reachable(
        last_invited={NPS: utc("2026-02-01"), VALUE: utc("2026-01-01")},
        last_any=utc("2026-02-01"),
    )
    assert decide_for_campaign(NO_QUIET, done, now=now) is None


def test_a_case_leads_to_the_surveys_it_is_given_in_their_order() -> None:
    closed = datetime(2026, 3, 2, 12, tzinfo=UTC)
    decisions = decide_for_case(
        NO_QUIET, reachable(), closed_at=closed, now=closed, surveys=("ces", "csat")
    )
    assert [(d.survey_key, d.scheduled) for d in decisions] == [("ces", True), ("csat", False)]
