from datetime import UTC, datetime

import pytest

from scoring.errors import InvalidParameter
from scoring.periods import parse_since, parse_until, window

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_relative_and_absolute_starts() -> None:
    assert parse_since("30d", NOW) == datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert parse_since("2w", NOW) == datetime(2026, 2, 16, 12, tzinfo=UTC)
    assert parse_since("48h", NOW) == datetime(2026, 2, 28, 12, tzinfo=UTC)
    assert parse_since("2026-01-15", NOW) == datetime(2026, 1, 15, tzinfo=UTC)
    assert parse_since("2026-01-15T10:00:00+02:00", NOW) == datetime(2026, 1, 15, 8, tzinfo=UTC)
    assert parse_since("all", NOW) is None


def test_until_a_date_includes_that_day() -> None:
    assert parse_until("2026-02-28", NOW) == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_until(None, NOW) == NOW


def test_a_relative_start_counts_back_from_until() -> None:
    span = window("7d", "2026-02-01", NOW)
    assert span.since == datetime(2026, 1, 26, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "until", "parameter"),
    [
        ("yesterday", None, "since"),
        ("30x", None, "since"),
        ("7d", "soon", "until"),
        ("2026-03-01", "2026-02-01", "since"),
    ],
)
def test_bad_values_name_the_parameter(since: str, until: str | None, parameter: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        window(since, until, NOW)
    assert raised.value.parameter == parameter
    assert str(raised.value).startswith(f"{parameter}: ")


def test_timestamps_with_a_z_are_utc() -> None:
    assert parse_since("2026-03-01T12:00:00Z", NOW) == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_since("ALL", NOW) is None and parse_since("30D", NOW) is not None
