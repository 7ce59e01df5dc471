"""Local stand-ins for the platforms, for tests and ``feedbackbot demo``.

``TelegramBotAPI`` (``bot.standins.telegram``) serves the Telegram Bot API and
``SlackWebAPI`` (``bot.standins.slack``) the Slack Web API, each on a free local port while used
as ``async with``. The real aiogram and slack_sdk/slack-bolt clients talk to them over HTTP
(``TELEGRAM_API_URL`` = ``TelegramBotAPI.base_url``, ``SLACK_API_URL`` = ``SlackWebAPI.base_url``),
and a test or the demo plays the people on the other side through their Python methods.

They import nothing else from feedbackbot: they stand in for the platforms, not for our code.
"""

from bot.standins.common import StandInError
from bot.standins.slack import SlackWebAPI
from bot.standins.telegram import TelegramBotAPI

__all__ = ["SlackWebAPI", "StandInError", "TelegramBotAPI"]
