from datetime import time
from pathlib import Path

import pytest

from bot.settings import QuietHours, Settings, load_settings
from feedbackbot.errors import ConfigurationError


def _hours(start: str, end: str) -> tuple[time, time]:
    return time.fromisoformat(start), time.fromisoformat(end)


def error_for(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    return str(raised.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"HTTP_PORT": "abc"},
            "Invalid setting HTTP_PORT: must be a whole number (got 'abc')",
        ),
        (
            {"HTTP_PORT": "70000"},
            "Invalid setting HTTP_PORT: must be at most 65535 (got '70000')",
        ),
        (
            {"CSAT_DELAY_MINUTES": "-5"},
            "Invalid setting CSAT_DELAY_MINUTES: must be at least 0 (got '-5')",
        ),
        (
            {"DISPATCH_INTERVAL_SECONDS": "0"},
            "Invalid setting DISPATCH_INTERVAL_SECONDS: must be above 0 (got '0')",
        ),
        (
            {"DATABASE_URL": "not a url"},
            "Invalid setting DATABASE_URL: is not a database URL; use "
            "sqlite+aiosqlite:///./feedbackbot.db or "
            "postgresql+asyncpg://user:password@host:5432/name",
        ),
        (
            {"DATABASE_URL": "mysql://root:hunter2@db/feedback"},
            "Invalid setting DATABASE_URL: uses the unsupported driver 'mysql'; "
            "use sqlite+aiosqlite:// or postgresql+asyncpg://",
        ),
        (
            {"DATABASE_URL": "postgresql+asyncpg://root:hunter2@db"},
            "Invalid setting DATABASE_URL: names no database; add /<name> after the host",
        ),
        (
            {"QUIET_HOURS": "9pm-9am"},
            "Invalid setting QUIET_HOURS: must look like 21:00-09:00 (24-hour clock), "
            "or be empty to turn it off",
        ),
        (
            {"DEFAULT_TIMEZONE": "Mars/Olympus"},
            "Invalid setting DEFAULT_TIMEZONE: 'Mars/Olympus' is not a known time zone "
            "(e.g. Europe/Berlin)",
        ),
        (
            {"DEFAULT_LANGUAGE": "fr"},
            "Invalid setting DEFAULT_LANGUAGE: 'fr' is not one of en, es, de, ru",
        ),
        (
            {"VALUE_WEIGHTS": "quality=2,price=-1"},
            "Invalid setting VALUE_WEIGHTS: weight of 'price' must be above 0",
        ),
        (
            {"TELEGRAM_API_URL": "api.telegram.org"},
            "Invalid setting TELEGRAM_API_URL: must be an http:// or https:// URL",
        ),
        (
            {"LOW_NPS_THRESHOLD": "11"},
            "Invalid setting LOW_NPS_THRESHOLD: must be at most 10 (got '11')",
        ),
        (
            {"REMINDER_AFTER_HOURS": "80"},
            "Invalid settings: REMINDER_AFTER_HOURS must be below EXPIRE_AFTER_HOURS "
            "(or 0 to send no reminder)",
        ),
    ],
)
def test_a_bad_value_stops_with_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    assert error_for(monkeypatch, **env) == message


def test_secrets_never_appear_in_error_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_for(
        monkeypatch,
        DATABASE_URL="mysql://root:hunter2@db/feedback",
        TELEGRAM_WEBHOOK_SECRET="has spaces and s3cr3t",
    )
    assert message.count("\n") == 1
    assert "hunter2" not in message and "s3cr3t" not in message
    assert "TELEGRAM_WEBHOOK_SECRET" in message


def test_webhook_url_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_for(monkeypatch, TELEGRAM_WEBHOOK_URL="https://bot.example.com/telegram")
    assert "TELEGRAM_WEBHOOK_SECRET is not" in message


def test_defaults_follow_the_design() -> None:
    settings = load_settings(None)
    assert settings.database_url == "sqlite+aiosqlite:///./feedbackbot.db"
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert settings.quiet_hours == QuietHours(*_hours("21:00", "09:00"))
    assert (settings.csat_delay_minutes, settings.nps_interval_days) == (30, 90)
    assert (settings.value_interval_days, settings.throttle_days) == (180, 7)
    assert (settings.reminder_after_hours, settings.expire_after_hours) == (24, 72)
    assert (settings.low_csat_threshold, settings.low_nps_threshold) == (2, 6)
    assert settings.telegram_rate_per_second == 30
    assert settings.channels == ()
    assert settings.value_weights == {}


def test_values_are_read_from_the_environment_and_dot_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=123:abc\nSLACK_ADMIN_USERS=U1, U2\nQUIET_HOURS=\n"
        "VALUE_WEIGHTS=quality=2, price=0.5\nDATABASE_URL=postgresql://u:p@h/db\n"
    )
    monkeypatch.setenv("HTTP_PORT", "9000")
    settings = load_settings()
    assert settings.channels == ("telegram",)
    assert settings.http_port == 9000
    assert settings.slack_admin_users == frozenset({"U1", "U2"})
    assert settings.quiet_hours is None
    assert settings.value_weights == {"quality": 2.0, "price": 0.5}
    assert settings.database_url == "postgresql+asyncpg://u:p@h/db"
    assert settings.database_url_for_display == "postgresql+asyncpg://u:***@h/db"
    assert "123:abc" not in repr(settings)


def test_quiet_hours_span_midnight() -> None:
    hours = QuietHours(*_hours("21:00", "09:00"))
    start, end = _hours("21:00", "09:00")
    assert hours.contains(start) and not hours.contains(end)
    assert hours.contains(_hours("23:59", "00:00")[1])


def test_env_example_lists_every_setting() -> None:
    example = Path(__file__).parents[2] / ".env.example"
    names = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("# ")
    }
    assert names == {name.upper() for name in Settings.model_fields}


def test_empty_settings_fall_back_to_their_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = [name.upper() for name in Settings.model_fields if name != "quiet_hours"]
    (tmp_path / ".env").write_text("".join(f"{name}=\n" for name in names[::2]))
    for name in names[1::2]:
        monkeypatch.setenv(name, " ")
    loaded = load_settings(tmp_path / ".env")
    assert loaded == Settings(_env_file=None)
    assert (loaded.http_port, loaded.csat_delay_minutes) == (8080, 30)
    assert loaded.database_url == "sqlite+aiosqlite:///./feedbackbot.db"


def test_an_empty_quiet_hours_turns_them_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIET_HOURS", "")
    assert load_settings(None).quiet_hours is None


def test_case_and_campaign_surveys_are_comma_separated_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASE_SURVEYS", "ces, csat,ces")
    monkeypatch.setenv("CAMPAIGN_SURVEYS", "value")
    loaded = load_settings(None)
    assert (loaded.case_surveys, loaded.campaign_surveys) == (("ces", "csat"), ("value",))
    assert load_settings(None, case_surveys="").case_surveys == ("csat", "nps", "value")


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
