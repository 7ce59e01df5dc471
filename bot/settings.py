"""Every setting of DESIGN section 6, read from the environment and ``.env``.

A wrong value stops start-up with one line per setting that names it and says what is wrong;
secret values are never echoed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from feedbackbot.errors import ConfigurationError

SUPPORTED_LANGUAGES = ("en", "es", "de", "ru")
SECRET_SETTINGS = frozenset(
    {
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "API_TOKEN",
        "LINK_SECRET",
        "DATABASE_URL",
    }
)
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in the customer's local time, when no survey is sent.

    ``start`` may be later than ``end`` (21:00-09:00 spans midnight).
    """

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: str) -> QuietHours | None:
    text = text.strip()
    if not text:
        return None
    parts = text.split("-")
    matches = [_CLOCK.match(p.strip()) for p in parts] if len(parts) == 2 else []
    if len(matches) != 2 or not all(matches):
        raise ValueError("must look like 21:00-09:00 (24-hour clock), or be empty to turn it off")
    start, end = (time(int(m.group(1)), int(m.group(2))) for m in matches if m)
    if start == end:
        raise ValueError("start and end are the same; leave it empty to turn quiet hours off")
    return QuietHours(start, end)


def parse_weights(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, number = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"{item!r} is not name=weight (e.g. quality=2,price=1)")
        try:
            weight = float(number)
        except ValueError:
            raise ValueError(f"weight of {name!r} is not a number") from None
        if not weight > 0:
            raise ValueError(f"weight of {name!r} must be above 0")
        weights[name] = weight
    return weights


class Settings(BaseSettings):
    """feedbackbot's configuration. Field names are the environment variables, upper-cased."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    database_url: str = "sqlite+aiosqlite:///./feedbackbot.db"

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_digest_channel: str | None = None
    slack_admin_users: Annotated[frozenset[str], NoDecode] = frozenset()

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    api_token: SecretStr | None = None
    link_secret: SecretStr | None = None
    link_ttl_days: int = Field(default=30, ge=1, le=3650)
    dashboard_url: str | None = None
    surveys_file: Path | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    csat_delay_minutes: int = Field(default=30, ge=0)
    nps_interval_days: int = Field(default=90, ge=0)
    value_interval_days: int = Field(default=180, ge=0)
    throttle_days: int = Field(default=7, ge=0)
    quiet_hours: Annotated[QuietHours | None, NoDecode] = QuietHours(time(21, 0), time(9, 0))
    default_timezone: str = "UTC"
    default_language: str = "en"
    reminder_after_hours: int = Field(default=24, ge=0)
    expire_after_hours: int = Field(default=72, ge=1)
    low_csat_threshold: int = Field(default=2, ge=1, le=5)
    low_nps_threshold: int = Field(default=6, ge=0, le=10)
    dispatch_interval_seconds: float = Field(default=5.0, gt=0)
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    telegram_chat_rate_per_second: float = Field(default=1.0, gt=0)
    telegram_flood_burst: int = Field(default=20, ge=1)
    telegram_flood_rate_per_second: float = Field(default=1.0, gt=0)
    slack_channel_rate_per_second: float = Field(default=1.0, gt=0)
    dispatch_max_attempts: int = Field(default=5, ge=1, le=100)
    dispatch_lease_seconds: float = Field(default=15.0, ge=2)
    dispatch_send_timeout_seconds: float = Field(default=10.0, gt=0)
    restart_backoff_seconds: float = Field(default=1.0, gt=0)
    restart_backoff_max_seconds: float = Field(default=30.0, gt=0)
    value_weights: Annotated[dict[str, float], NoDecode] = Field(default_factory=dict)
    case_surveys: Annotated[tuple[str, ...], NoDecode] = ("csat", "nps", "value")
    campaign_surveys: Annotated[tuple[str, ...], NoDecode] = ("nps", "value")

    @field_validator(
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_digest_channel",
        "api_token",
        "link_secret",
        "dashboard_url",
        "surveys_file",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: Any) -> Any:
        """An empty value means "not set" (``.env.example``): the default applies. Only
        ``QUIET_HOURS`` gives empty a meaning of its own (quiet hours off). Issue 13."""
        if not isinstance(data, dict):
            return data
        return {
            key: value
            for key, value in data.items()
            if not (isinstance(value, str) and not value.strip() and key != "quiet_hours")
        }

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value.strip())
        except ArgumentError:
            raise ValueError(
                "is not a database URL; use sqlite+aiosqlite:///./feedbackbot.db "
                "or postgresql+asyncpg://user:password@host:5432/name"
            ) from None
        driver = _DRIVERS.get(url.drivername)
        if driver is None:
            raise ValueError(
                f"uses the unsupported driver {url.drivername!r}; "
                "use sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        if driver.startswith("postgresql") and not url.database:
            raise ValueError("names no database; add /<name> after the host")
        return url.set(drivername=driver).render_as_string(hide_password=False)

    @field_validator("telegram_api_url", "slack_api_url", "telegram_webhook_url", "dashboard_url")
    @classmethod
    def _check_http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("slack_admin_users", mode="before")
    @classmethod
    def _split_users(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(u.strip() for u in value.split(",") if u.strip())
        return value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _parse_quiet_hours(cls, value: Any) -> Any:
        return parse_quiet_hours(value) if isinstance(value, str) else value

    @field_validator("case_surveys", "campaign_surveys", mode="before")
    @classmethod
    def _split_surveys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(dict.fromkeys(key.strip() for key in value.split(",") if key.strip()))
        return value

    @field_validator("value_weights", mode="before")
    @classmethod
    def _parse_weights(cls, value: Any) -> Any:
        return parse_weights(value) if isinstance(value, str) else value

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone (e.g. Europe/Berlin)") from None
        return value

    @field_validator("default_language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"{value!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.reminder_after_hours and self.reminder_after_hours >= self.expire_after_hours:
            raise ValueError(
                "REMINDER_AFTER_HOURS must be below EXPIRE_AFTER_HOURS (or 0 to send no reminder)"
            )
        if self.dispatch_lease_seconds <= 2 * self.dispatch_interval_seconds:
            raise ValueError(
                "DISPATCH_LEASE_SECONDS must be more than twice DISPATCH_INTERVAL_SECONDS, "
                "so the sending worker renews its lease before it lapses"
            )
        if self.dispatch_send_timeout_seconds + 1 >= self.dispatch_lease_seconds:
            raise ValueError(
                "DISPATCH_SEND_TIMEOUT_SECONDS must be at least 1 below DISPATCH_LEASE_SECONDS, "
                "or no send could finish within a lease"
            )
        if self.restart_backoff_max_seconds < self.restart_backoff_seconds:
            raise ValueError("RESTART_BACKOFF_MAX_SECONDS must be at least RESTART_BACKOFF_SECONDS")
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ValueError(
                "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not; "
                "set a secret so forged updates are refused"
            )
        return self

    @property
    def channels(self) -> tuple[str, ...]:
        """The chat platforms that have a token."""
        found = []
        if self.telegram_bot_token is not None:
            found.append("telegram")
        if self.slack_bot_token is not None:
            found.append("slack")
        return tuple(found)

    @property
    def dashboard_base_url(self) -> str:
        """Where people open the dashboard: ``DASHBOARD_URL``, else this server's address."""
        return (self.dashboard_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def database_url_for_display(self) -> str:
        return make_url(self.database_url).render_as_string(hide_password=True)


_FRIENDLY = {
    "int_parsing": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be above {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be below {lt}",
}


def describe_errors(error: ValidationError) -> list[str]:
    """Turn pydantic's report into one line per bad setting, never echoing a secret."""
    lines = []
    for item in error.errors(include_url=False):
        name = str(item["loc"][0]).upper() if item["loc"] else ""
        friendly = _FRIENDLY.get(item["type"])
        context = {
            k: f"{v:g}" if isinstance(v, float) else v for k, v in item.get("ctx", {}).items()
        }
        message = friendly.format(**context) if friendly else item["msg"]
        message = message.removeprefix("Value error, ")
        if name:
            shown = ""
            if name not in SECRET_SETTINGS and item["type"] not in {"value_error"}:
                shown = f" (got {item['input']!r})"
            lines.append(f"Invalid setting {name}: {message}{shown}")
        else:
            lines.append(f"Invalid settings: {message}")
    return lines


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read the settings, raising ConfigurationError with one line per problem."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as error:
        raise ConfigurationError("\n".join(describe_errors(error))) from None
