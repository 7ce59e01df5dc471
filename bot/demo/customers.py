"""Simulated customers answering surveys the way people do: in their own chat, by button.

Each one reads the bot's newest message and reacts to what it shows, so the same code answers
CSAT, NPS and value surveys in any language: digits are a rating, one lone button is the Skip of
an optional text question (they type their comment instead, if they have one), two other
buttons are Yes/No (Yes comes first). Everything goes through the stand-ins' "act as a user"
controls, so the bot gets real Telegram updates and signed Slack requests.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass

from bot.slack import actions
from bot.standins.slack import SlackWebAPI
from bot.standins.slack_objects import AppResponse, SlackMessage, SlackUser
from bot.standins.telegram import TelegramBotAPI
from bot.standins.telegram_objects import ChatMessage, TelegramUser

WITHIN = 20.0
"""Seconds to wait for the bot's next message before the demo calls it a failure."""


@dataclass
class Script:
    """What one customer answers in one survey, consumed question by question."""

    ratings: deque[int]
    yes: bool = True
    text: str | None = None

    @classmethod
    def of(cls, ratings: Iterable[int], *, yes: bool = True, text: str | None = None) -> Script:
        return cls(deque(ratings), yes, text)

    def rating(self) -> int:
        if not self.ratings:
            raise AssertionError("the survey asked more ratings than the customer planned")
        return self.ratings.popleft()


def _is_digit(label: str) -> bool:
    return label.strip().isdigit()


async def answer_telegram(
    telegram: TelegramBotAPI, user: TelegramUser, script: Script, *, known: int
) -> int:
    """Answer the survey whose first question is the bot message number ``known + 1``.

    Returns how many bot messages the chat has afterwards (the next survey starts after them).
    """
    messages = await telegram.wait_for_messages(user, known + 1, within=WITHIN)
    message = messages[-1]
    while message.labels:
        count = len(messages)
        await _telegram_step(telegram, user, message, script)
        messages = await telegram.wait_for_messages(user, count + 1, within=WITHIN)
        message = messages[-1]
    return len(messages)


async def _telegram_step(
    telegram: TelegramBotAPI, user: TelegramUser, message: ChatMessage, script: Script
) -> None:
    labels = message.labels
    digits = [label for label in labels if _is_digit(label)]
    if digits:
        await telegram.press_button(user, message, str(script.rating()))
    elif len(labels) == 1:
        if script.text:
            await telegram.send_text(user, script.text)
        else:
            await telegram.press_button(user, message, labels[0])
    else:
        await telegram.press_button(user, message, labels[0 if script.yes else 1])


async def stop_in_telegram(telegram: TelegramBotAPI, user: TelegramUser, *, known: int) -> None:
    """The customer gets a survey and answers /stop instead, then confirms."""
    await telegram.wait_for_messages(user, known + 1, within=WITHIN)
    await telegram.send_command(user, "/stop")
    confirm = (await telegram.wait_for_messages(user, known + 2, within=WITHIN))[-1]
    await telegram.press_button(user, confirm, confirm.labels[0])
    await telegram.wait_for_edit(confirm, within=WITHIN)


async def answer_slack(slack: SlackWebAPI, user: SlackUser, script: Script, *, known: int) -> int:
    """Answer the DM survey whose first question is the app's message number ``known + 1``."""
    messages = await slack.wait_for_messages(user, known + 1, within=WITHIN)
    message = messages[-1]
    while message.buttons:
        count = len(messages)
        await _slack_step(slack, user, message, script)
        messages = await slack.wait_for_messages(user, count + 1, within=WITHIN)
        message = messages[-1]
    return len(messages)


async def _slack_step(
    slack: SlackWebAPI, user: SlackUser, message: SlackMessage, script: Script
) -> None:
    ids = [str(b.get("action_id")) for b in message.buttons]
    if actions.COMMENT in ids:
        if not script.text:
            await _pressed(slack.press_button(user, message, action_id=actions.SKIP))
            return
        await _pressed(slack.press_button(user, message, action_id=actions.COMMENT))
        modal = await slack.wait_for_modal(user, within=WITHIN)
        await _pressed(slack.submit_view(user, modal, {actions.COMMENT_BLOCK: script.text}))
        return
    answers = [b for b in message.buttons if str(b.get("action_id")).startswith(actions.ANSWER)]
    texts = [b.get("text", {}).get("text", "") for b in answers]
    if texts and all(_is_digit(t) for t in texts):
        wanted = str(script.rating())
        [button] = [b for b, t in zip(answers, texts, strict=True) if t == wanted]
    else:
        button = answers[0 if script.yes else 1]
    await _pressed(slack.press_button(user, message, action_id=str(button["action_id"])))


async def _pressed(request: Awaitable[AppResponse]) -> None:
    """Await a signed request to the app and insist that it was accepted."""
    response = await request
    if response.status != 200:
        raise AssertionError(f"the Slack app answered {response.status} to a customer's action")
