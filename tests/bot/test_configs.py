from datetime import time, timedelta

import pytest

from bot.configs import check_survey_settings, dispatch_config
from bot.settings import load_settings
from feedbackbot.errors import ConfigurationError
from surveys.catalog import load_catalog


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


def test_an_unknown_survey_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SURVEYS", "nps,onboarding")
    with pytest.raises(ConfigurationError) as raised:
        check_survey_settings(load_settings(None), load_catalog(None))
    assert str(raised.value) == (
        "Invalid setting CAMPAIGN_SURVEYS: 'onboarding' is not a survey of the catalog (known: "
        "csat, nps, ces, fcr, value); add it to SURVEYS_FILE or remove it"
    )
