"""The settings, turned into the plain values each part takes: the survey policy, the dispatcher
and the restart backoff."""

from __future__ import annotations

from datetime import timedelta

from bot.dispatch.dispatcher import DispatchConfig, PlatformLimits
from bot.settings import Settings
from bot.supervision import Backoff
from feedbackbot.errors import ConfigurationError
from surveys.catalog import Catalog
from surveys.policy import NPS, VALUE, PolicyConfig


def policy_config(settings: Settings) -> PolicyConfig:
    quiet = settings.quiet_hours
    return PolicyConfig(
        csat_delay=timedelta(minutes=settings.csat_delay_minutes),
        intervals={
            NPS: timedelta(days=settings.nps_interval_days),
            VALUE: timedelta(days=settings.value_interval_days),
        },
        throttle=timedelta(days=settings.throttle_days),
        quiet_hours=(quiet.start, quiet.end) if quiet else None,
        default_timezone=settings.default_timezone,
        reminder_after=timedelta(hours=settings.reminder_after_hours)
        if settings.reminder_after_hours
        else None,
        expire_after=timedelta(hours=settings.expire_after_hours),
        case_surveys=settings.case_surveys,
        campaign_surveys=settings.campaign_surveys,
    )


def check_survey_settings(settings: Settings, catalog: Catalog) -> None:
    """Raise ConfigurationError (one line) for a ``CASE_SURVEYS`` or ``CAMPAIGN_SURVEYS`` key
    that is not a survey of the catalog (built-ins and ``SURVEYS_FILE``)."""
    for name, keys in (
        ("CASE_SURVEYS", settings.case_surveys),
        ("CAMPAIGN_SURVEYS", settings.campaign_surveys),
    ):
        unknown = [key for key in keys if key not in catalog]
        if unknown:
            raise ConfigurationError(
                f"Invalid setting {name}: {', '.join(map(repr, unknown))} is not a survey of the "
                f"catalog (known: {', '.join(catalog.keys())}); add it to SURVEYS_FILE or remove it"
            )


def dispatch_config(settings: Settings) -> DispatchConfig:
    return DispatchConfig(
        policy=policy_config(settings),
        limits={
            "telegram": PlatformLimits(
                settings.telegram_rate_per_second, settings.telegram_chat_rate_per_second
            ),
            "slack": PlatformLimits(None, settings.slack_channel_rate_per_second),
        },
        default_language=settings.default_language,
        max_attempts=settings.dispatch_max_attempts,
        lease=timedelta(seconds=settings.dispatch_lease_seconds),
        send_timeout=settings.dispatch_send_timeout_seconds,
    )


def restart_backoff(settings: Settings) -> Backoff:
    return Backoff(
        base=timedelta(seconds=settings.restart_backoff_seconds),
        cap=timedelta(seconds=settings.restart_backoff_max_seconds),
    )
