"""The Telegram channel of the dispatcher, and the one place that sends a survey step.

Errors from the Bot API become the dispatcher's one ``DeliveryError``: a blocked bot or a chat
that does not exist is permanent, flood control is retryable at ``retry_after``, and network
trouble or a server error is retryable with the dispatcher's own backoff.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import Message

from bot.dispatch.channel import Delivery, DeliveryError
from bot.telegram.keyboards import question_markup, question_text
from storage.models import Platform
from surveys.conversation import Complete, Prompt
from surveys.messages import say

log = logging.getLogger(__name__)
PERMANENT_BAD_REQUESTS = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "user is deactivated",
)


def message_ref(message: Message) -> str:
    return f"{message.chat.id}:{message.message_id}"


async def send_step(
    bot: Bot, chat_id: int, step: Prompt | Complete, reminder: str | None = None
) -> Message:
    """Send a question with its buttons, or the closing thank-you."""
    if isinstance(step, Complete):
        return await bot.send_message(chat_id=chat_id, text=step.text)
    text = question_text(step)
    return await bot.send_message(
        chat_id=chat_id,
        text=f"{reminder}\n\n{text}" if reminder else text,
        reply_markup=question_markup(step),
    )


def delivery_error(error: TelegramAPIError) -> DeliveryError:
    """The dispatcher's view of a failed Bot API call."""
    name = type(error).__name__
    if isinstance(error, TelegramRetryAfter):
        return DeliveryError(name, permanent=False, retry_after=float(error.retry_after))
    if isinstance(error, TelegramForbiddenError | TelegramMigrateToChat | TelegramNotFound):
        return DeliveryError(name, permanent=True)
    if isinstance(error, TelegramBadRequest):
        text = error.message.lower()
        return DeliveryError(name, permanent=any(p in text for p in PERMANENT_BAD_REQUESTS))
    if isinstance(error, TelegramUnauthorizedError):
        # A revoked bot token fails every send alike: retry, so nothing is lost once it is fixed.
        return DeliveryError(name, permanent=False)
    if isinstance(error, TelegramNetworkError | TelegramServerError):
        return DeliveryError(name, permanent=False)
    return DeliveryError(name, permanent=False)


class TelegramChannel:
    """Sends survey questions to Telegram chats for the dispatcher."""

    platform = Platform.TELEGRAM.value

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_question(self, delivery: Delivery, prompt: Prompt) -> str:
        """Send the invitation's current question; a reminder says so above it."""
        try:
            message = await send_step(
                self.bot,
                int(delivery.address),
                prompt,
                reminder=say("reminder", delivery.language) if delivery.reminder else None,
            )
        except TelegramAPIError as error:
            raise delivery_error(error) from error
        except ValueError:
            raise DeliveryError("not a Telegram chat id", permanent=True) from None
        return message_ref(message)
