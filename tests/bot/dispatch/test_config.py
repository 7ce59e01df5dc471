from datetime import time, timedelta

import pytest

from bot.policy import dispatch_config
from bot.settings import load_settings
from feedbackbot.errors import ConfigurationError


def test_the_settings_become_the_dispatch_and_policy_values() -> None:
    config = dispatch_config(
        load_settings(
            None,
            telegram_rate_per_second=20,
            telegram_chat_rate_per_second=0.5,
            slack_channel_rate_per_second=2,
            dispatch_max_attempts=3,
            reminder_after_hours=0,
            quiet_hours="22:00-07:30",
        )
    )
    assert config.limits["telegram"].rate == 20
    assert config.limits["telegram"].per_address == 0.5
    assert config.limits["slack"].rate is None and config.limits["slack"].per_address == 2
    assert config.max_attempts == 3 and config.lease == timedelta(seconds=15)
    assert config.policy.reminder_after is None
    assert config.policy.quiet_hours == (time(22, 0), time(7, 30))
    assert config.batch_size("telegram") == 40


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"dispatch_lease_seconds": 8},
            "DISPATCH_LEASE_SECONDS must be more than twice DISPATCH_INTERVAL_SECONDS",
        ),
        (
            {"dispatch_send_timeout_seconds": 15},
            "DISPATCH_SEND_TIMEOUT_SECONDS must be at least 1 below DISPATCH_LEASE_SECONDS",
        ),
    ],
)
def test_a_lease_too_short_for_the_tick_or_a_send_is_refused(
    values: dict[str, float], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(None, **values)
