"""``feedbackbot run``: the long-running service."""

from __future__ import annotations

import asyncio

from bot.app import serve
from bot.cli.common import fail, settings_or_exit
from bot.cli.surveys import catalog_or_exit
from bot.configs import check_survey_settings
from feedbackbot.errors import FeedbackbotError

NO_CHANNEL = "No channel configured: set TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN (see .env.example)"


def run() -> None:
    """Serve the HTTP API, the configured bots and the scheduler; migrates the database first."""
    settings = settings_or_exit()
    catalog = catalog_or_exit(settings.surveys_file, code=2)
    try:
        check_survey_settings(settings, catalog)
    except FeedbackbotError as error:
        fail(str(error), code=2)
    if not settings.channels:
        fail(NO_CHANNEL, code=2)
    try:
        asyncio.run(serve(settings))
    except FeedbackbotError as error:
        fail(str(error))
