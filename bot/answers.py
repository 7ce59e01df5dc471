"""The answer desk: how every channel adapter hands an answer to the engine.

Built once at start-up and shared by the Telegram bot and the Slack app, so an answer from any
channel goes the same way: one transaction through ``surveys.flow``, then, once committed, the
low-score alert is handed to whoever delivers alerts (the Slack app, within seconds, whatever
channel the score came from). The adapters only render the ``Outcome`` and send.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.settings import Settings
from storage import invitations
from storage.engine import engine_of
from storage.models import Platform
from storage.presses import press_connection
from storage.privacy import Erased
from storage.types import utcnow
from surveys import flow, privacy
from surveys.conversation import (
    AlertRule,
    AnswerCommand,
    Complete,
    Outcome,
    Prompt,
    UnknownInvitation,
    next_step,
)
from surveys.flow import AnswerRules, Sender

log = logging.getLogger(__name__)

AlertDelivery = Callable[[int], None]
"""Called with an invitation id whose low-score alert is new or has new answers to show."""


def answer_rules(settings: Settings) -> AnswerRules:
    return AnswerRules(
        AlertRule(low_csat=settings.low_csat_threshold, low_nps=settings.low_nps_threshold),
        settings.default_language,
    )


@dataclass
class AnswerDesk:
    sessions: async_sessionmaker[AsyncSession]
    rules: AnswerRules = field(default_factory=AnswerRules)
    clock: Callable[[], datetime] = utcnow
    alert_deliveries: list[AlertDelivery] = field(default_factory=list)

    def deliver_alerts_with(self, delivery: AlertDelivery) -> None:
        """Hand every alert-raising answer to ``delivery`` (it must not block: it schedules)."""
        self.alert_deliveries.append(delivery)

    async def press(self, sender: Sender, command: AnswerCommand) -> Outcome:
        # A bare connection: the press path builds no ORM objects, so a session is overhead.
        async with press_connection(engine_of(self.sessions)) as connection:
            outcome = await flow.press(connection, sender, command, self.rules, self.clock())
        return self._after(sender, outcome)

    async def type_text(self, sender: Sender, text: str) -> Outcome:
        async with self.sessions() as session, session.begin():
            outcome = await flow.type_text(session, sender, text, self.rules, self.clock())
        return self._after(sender, outcome)

    async def other_content(self, sender: Sender) -> Outcome:
        async with self.sessions() as session, session.begin():
            return await flow.other_content(session, sender, self.rules)

    async def open_step(self, invitation_id: int) -> Prompt | Complete | None:
        """What the invitation asks now (reads only); None for an unknown invitation."""
        async with self.sessions() as session:
            try:
                return await next_step(
                    session, invitation_id, default_language=self.rules.default_language
                )
            except UnknownInvitation:
                return None

    async def question_sent(self, step: Prompt | Complete, ref: str | None) -> None:
        """The next step went out as message ``ref``: a question that takes typed text is
        remembered, so the typed answer can update it (the only time the reference is read)."""
        if isinstance(step, Prompt) and step.type == "text" and ref:
            async with press_connection(engine_of(self.sessions)) as connection:
                await invitations.record_message(connection, step.invitation_id, ref)

    async def forget(self, platform: Platform, address: str) -> Erased | None:
        """Erase the data of the customer at ``address`` (``surveys.privacy.forget``); the
        alerts already posted about them go to the alert delivery, to be edited at once."""
        async with self.sessions() as session, session.begin():
            erased = await privacy.forget(session, platform, address, self.clock())
        for invitation_id in erased.alerted_invitations if erased else ():
            for deliver in self.alert_deliveries:
                deliver(invitation_id)
        return erased

    def _after(self, sender: Sender, outcome: Outcome) -> Outcome:
        if outcome.recorded:
            metrics.answer_recorded(sender.channel.value)
        invitation_id = outcome.step.invitation_id
        if outcome.recorded and outcome.alert and invitation_id is not None:
            for deliver in self.alert_deliveries:
                deliver(invitation_id)
        return outcome
