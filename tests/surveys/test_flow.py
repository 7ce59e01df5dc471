"""The one answer flow the channels call: who sent it, compact button references, typed text."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Identity, Invitation, Platform
from surveys.catalog import Catalog
from surveys.conversation import AnswerCommand, Outcome, Prompt, RejectReason
from surveys.definitions import Survey
from surveys.flow import AnswerRules, Sender, other_content, press, type_text
from surveys.refs import option_ref, question_ref
from surveys.steps import Complete
from tests.surveys.conftest import Invite

RULES = AnswerRules()


async def sender_of(session: AsyncSession, invitation: Invitation) -> Sender:
    async with session.begin():
        address = await session.scalar(
            select(Identity.external_id).where(Identity.customer_id == invitation.customer_id)
        )
    assert address is not None
    return Sender(Platform.TELEGRAM, address)


async def pressed(session: AsyncSession, sender: Sender, command: AnswerCommand) -> Outcome:
    async with session.begin():
        return await press(session, sender, command, RULES)


async def typed(session: AsyncSession, sender: Sender, text: str) -> Outcome:
    async with session.begin():
        return await type_text(session, sender, text, RULES)


async def test_a_press_from_someone_else_or_a_stranger_is_not_theirs(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    mine, theirs = await invite(catalog.get("csat")), await invite(catalog.get("csat"))
    other = await sender_of(session, theirs)
    stranger = Sender(Platform.TELEGRAM, "999", language="es-MX")
    for sender, language in ((other, "en"), (stranger, "es")):
        outcome = await pressed(session, sender, AnswerCommand(mine.id or 0, "csat", choice="5"))
        assert outcome.refused is not None and not outcome.recorded
        assert outcome.refused.reason is RejectReason.NOT_YOURS
        assert outcome.language == language
    async with session.begin():
        assert list(await session.scalars(select(Answer))) == []


async def test_compact_references_resolve_against_the_pinned_survey(
    session: AsyncSession, invite: Invite
) -> None:
    long_key = "how_easy_was_it_to_reach_the_right_person_in_our_support_team"
    long_choice = "through the account manager: phone"
    survey = Survey.from_dict(
        {
            "key": "reach",
            "version": "1",
            "title": {"en": "Reach"},
            "questions": [
                {
                    "key": long_key,
                    "type": "choice",
                    "text": {"en": "How did you reach us?"},
                    "choices": [
                        {"key": "chat", "text": {"en": "Chat"}},
                        {"key": long_choice, "text": {"en": "Account manager"}},
                    ],
                }
            ],
        }
    )
    sent = await invite(survey)
    sender = await sender_of(session, sent)
    ref = question_ref(long_key)
    assert ref.startswith("~")
    bad = await pressed(session, sender, AnswerCommand(sent.id or 0, ref, choice="#7"))
    assert bad.refused is not None and bad.refused.reason is RejectReason.UNKNOWN_CHOICE

    command = AnswerCommand(sent.id or 0, ref, choice=option_ref(long_choice, 1))
    outcome = await pressed(session, sender, command)

    assert outcome.recorded and isinstance(outcome.step, Complete)
    assert outcome.label == "Account manager"
    assert outcome.note() == "Your answer: Account manager"
    async with session.begin():
        [row] = await session.scalars(select(Answer))
    assert (row.question_key, row.choice) == (long_key, long_choice)


async def test_typed_text_answers_only_an_open_text_question(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"), language="de")
    sender = await sender_of(session, sent)
    waiting = await typed(session, sender, "schnell")
    assert waiting.refused is not None and waiting.refused.reason is RejectReason.USE_BUTTONS
    assert waiting.notice == "Bitte antworten Sie mit den Schaltflächen unter der Frage."

    for key, choice in (("csat", "1"), ("fcr", "no")):
        assert (
            await pressed(session, sender, AnswerCommand(sent.id or 0, key, choice=choice))
        ).recorded
    async with session.begin():
        sticker = await other_content(session, sender, RULES)
    assert sticker.refused is not None and sticker.refused.reason is RejectReason.TEXT_ONLY

    outcome = await typed(session, sender, "  Zu langsam.  ")
    assert outcome.recorded and outcome.alert and isinstance(outcome.step, Complete)
    assert isinstance(outcome.answered, Prompt) and outcome.answered.question_key == "comment"
    assert outcome.note() == "Danke für Ihren Kommentar."
    again = await typed(session, sender, "noch etwas")
    assert again.refused is not None
    assert again.refused.reason is RejectReason.NO_OPEN_QUESTION
