"""The conversation engine on a real database: every built-in walked in every language."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.engine import session_factory
from storage.models import Answer, FollowUp, Invitation, InvitationStatus
from surveys.catalog import Catalog
from surveys.conversation import (
    AlertRule,
    AnswerCommand,
    Complete,
    Outcome,
    Prompt,
    Rejected,
    RejectReason,
    UnknownInvitation,
    answer,
    next_step,
)
from surveys.definitions import QuestionType
from surveys.errors import DefinitionNotPinned
from surveys.messages import LANGUAGES, MESSAGES
from tests.surveys.conftest import Invite

ALERTS = AlertRule()


async def give(session: AsyncSession, command: AnswerCommand, **options: object) -> Outcome:
    async with session.begin():
        return await answer(session, command, alerts=ALERTS, **options)  # type: ignore[arg-type]


async def current(session: AsyncSession, invitation_id: int, **options: str) -> Prompt | Complete:
    async with session.begin():
        return await next_step(session, invitation_id, **options)


async def stored(session: AsyncSession, invitation_id: int) -> dict[str, Answer]:
    async with session.begin():
        rows = await session.scalars(select(Answer).where(Answer.invitation_id == invitation_id))
        return {a.question_key: a for a in rows}


async def invitation(session: AsyncSession, invitation_id: int) -> Invitation:
    async with session.begin():
        row = await session.get(Invitation, invitation_id, populate_existing=True)
        assert row is not None
        return row


def answer_for(prompt: Prompt, score: int) -> AnswerCommand:
    """A valid answer to ``prompt``: ``score`` for ratings, yes, the first choice, a comment."""
    key = (prompt.invitation_id, prompt.question_key)
    if prompt.type is QuestionType.RATING:
        return AnswerCommand(*key, value=score)
    if prompt.type is QuestionType.TEXT:
        return AnswerCommand(*key, text="  Faster replies, please.  ")
    return AnswerCommand(*key, choice=prompt.options[0].value)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_key", ["csat", "nps", "ces", "fcr", "value"])
async def test_every_builtin_survey_walks_to_completion_in_every_language(
    session: AsyncSession, catalog: Catalog, invite: Invite, survey_key: str, language: str
) -> None:
    survey = catalog.get(survey_key)
    sent = await invite(survey, language=language)
    english = {q.key: q.texts["en"] for q in survey.questions}
    asked: list[str] = []
    step = await current(session, sent.id)
    while isinstance(step, Prompt):
        assert step.language == language
        assert step.text == survey.question(step.question_key).texts[language]  # type: ignore[union-attr]
        if language != "en":
            assert step.text != english[step.question_key]
        assert step.number == len(asked) + 1
        assert step.options or step.type is QuestionType.TEXT
        if step.type is QuestionType.RATING:
            assert step.min_label and step.max_label
        assert (step.skip_label == MESSAGES["skip"][language]) is step.optional
        asked.append(step.question_key)
        low = 1 if survey_key == "csat" else 5
        outcome = await give(session, answer_for(step, low if step.number == 1 else 3))
        assert outcome.recorded, outcome
        step = outcome.step  # type: ignore[assignment]
    assert isinstance(step, Complete)
    assert step.text == MESSAGES["thank_you"][language]
    expected = [q.key for q in survey.questions]
    assert asked == expected
    row = await invitation(session, sent.id)
    assert row.status is InvitationStatus.ANSWERED
    assert row.answered_at is not None
    assert set(await stored(session, sent.id)) == set(expected)


async def test_low_csat_asks_for_a_comment_and_queues_one_follow_up(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"))
    first = await give(session, AnswerCommand(sent.id, "csat", value=2))
    assert isinstance(first.step, Prompt) and first.step.question_key == "fcr"
    assert (first.step.number, first.step.total) == (2, 3)
    second = await give(session, AnswerCommand(sent.id, "fcr", choice="no"))
    assert isinstance(second.step, Prompt)
    assert second.step.question_key == "comment"
    assert second.step.text == "What could we have done better?"
    assert second.step.optional and second.step.skip_label == "Skip"
    # Required questions are done: the invitation counts as answered while the comment is open.
    assert (await invitation(session, sent.id)).status is InvitationStatus.ANSWERED
    third = await give(session, AnswerCommand(sent.id, "comment", text="  Too slow. \x00 "))
    assert isinstance(third.step, Complete)
    answers = await stored(session, sent.id)
    assert answers["fcr"].value == 0 and answers["fcr"].choice == "no"
    assert answers["comment"].text == "Too slow."
    assert answers["csat"].customer_id == sent.customer_id
    assert answers["csat"].agent_id == sent.agent_id
    assert answers["csat"].survey_key == "csat"
    async with session.begin():
        follow_ups = list(await session.scalars(select(FollowUp)))
    assert [(f.invitation_id, f.agent_id, f.reason) for f in follow_ups] == [
        (sent.id, sent.agent_id, "CSAT 2")
    ]


async def test_high_csat_skips_the_comment_and_raises_no_alert(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"))
    first = await give(session, AnswerCommand(sent.id, "csat", value=5))
    assert isinstance(first.step, Prompt) and (first.step.number, first.step.total) == (2, 2)
    last = await give(session, AnswerCommand(sent.id, "fcr", value=1))
    assert isinstance(last.step, Complete)
    assert set(await stored(session, sent.id)) == {"csat", "fcr"}
    async with session.begin():
        assert await session.scalar(select(func.count()).select_from(FollowUp)) == 0


async def test_skipping_the_optional_question_completes_with_a_skipped_row(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("nps"))
    outcome = await give(session, AnswerCommand(sent.id, "nps", value=6))
    assert isinstance(outcome.step, Prompt) and outcome.step.question_key == "reason"
    skipped = await give(session, AnswerCommand(sent.id, "reason", skip=True))
    assert isinstance(skipped.step, Complete) and skipped.recorded
    reason = (await stored(session, sent.id))["reason"]
    assert reason.skipped and reason.value is None and reason.text is None
    again = await give(session, AnswerCommand(sent.id, "reason", skip=True))
    assert again.step == skipped.step and not again.recorded and again.refused is None
    assert again.notice == "Thank you, your answer is recorded."
    async with session.begin():
        assert await session.scalar(select(FollowUp.reason)) == "NPS 6"


async def test_a_required_question_cannot_be_skipped(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"), language="de")
    outcome = await give(session, AnswerCommand(sent.id, "csat", skip=True))
    assert isinstance(outcome.step, Rejected)
    assert outcome.step.reason is RejectReason.NOT_OPTIONAL
    assert outcome.step.text == MESSAGES["not_optional"]["de"]
    assert isinstance(outcome.step.current, Prompt)
    assert outcome.step.current.question_key == "csat"


async def test_the_same_answer_twice_is_stored_once_with_the_same_next_step(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"))
    first = await give(session, AnswerCommand(sent.id, "csat", value=1))
    second = await give(session, AnswerCommand(sent.id, "csat", value=1))
    assert first.recorded and not second.recorded
    assert second.step == first.step
    async with session.begin():
        assert await session.scalar(select(func.count()).select_from(Answer)) == 1
        assert await session.scalar(select(func.count()).select_from(FollowUp)) == 1


async def test_a_different_answer_to_an_answered_question_is_refused(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"))
    await give(session, AnswerCommand(sent.id, "csat", value=4))
    outcome = await give(session, AnswerCommand(sent.id, "csat", value=1))
    assert isinstance(outcome.step, Rejected) and not outcome.recorded
    assert outcome.step.reason is RejectReason.ALREADY_ANSWERED
    assert (await stored(session, sent.id))["csat"].value == 4


async def test_an_answer_to_a_later_question_is_refused_with_a_reason(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"), language="es")
    outcome = await give(session, AnswerCommand(sent.id, "fcr", choice="yes"))
    assert isinstance(outcome.step, Rejected)
    assert outcome.step.reason is RejectReason.NOT_CURRENT_QUESTION
    assert outcome.step.text == MESSAGES["not_current_question"]["es"]
    unknown = await give(session, AnswerCommand(sent.id, "colour", choice="red"))
    assert isinstance(unknown.step, Rejected)
    assert unknown.step.reason is RejectReason.NOT_CURRENT_QUESTION
    assert await stored(session, sent.id) == {}


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (AnswerCommand(0, "csat", value=6), RejectReason.OUT_OF_RANGE),
        (AnswerCommand(0, "csat", value=0), RejectReason.OUT_OF_RANGE),
        (AnswerCommand(0, "csat", text="five"), RejectReason.INVALID_ANSWER),
        (AnswerCommand(0, "csat"), RejectReason.INVALID_ANSWER),
    ],
)
async def test_invalid_ratings_are_refused(
    session: AsyncSession,
    catalog: Catalog,
    invite: Invite,
    command: AnswerCommand,
    reason: RejectReason,
) -> None:
    sent = await invite(catalog.get("csat"))
    refused = AnswerCommand(sent.id, command.question_key, command.value, text=command.text)
    outcome = await give(session, refused)
    assert isinstance(outcome.step, Rejected) and outcome.step.reason is reason
    assert await stored(session, sent.id) == {}


async def test_yes_no_and_text_answers_are_validated(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"))
    await give(session, AnswerCommand(sent.id, "csat", value=1))
    maybe = await give(session, AnswerCommand(sent.id, "fcr", choice="maybe"))
    assert isinstance(maybe.step, Rejected) and maybe.step.reason is RejectReason.UNKNOWN_CHOICE
    await give(session, AnswerCommand(sent.id, "fcr", choice="Yes"))
    assert (await stored(session, sent.id))["fcr"].value == 1
    blank = await give(session, AnswerCommand(sent.id, "comment", text=" \n\t "))
    assert isinstance(blank.step, Rejected) and blank.step.reason is RejectReason.EMPTY_TEXT
    long = await give(session, AnswerCommand(sent.id, "comment", text="x" * 5000))
    assert long.recorded
    assert (await stored(session, sent.id))["comment"].text == "x" * 2000


@pytest.mark.parametrize(
    "status",
    [
        InvitationStatus.EXPIRED,
        InvitationStatus.CANCELLED,
        InvitationStatus.FAILED,
        InvitationStatus.SKIPPED,
    ],
)
async def test_closed_invitations_refuse_answers(
    session: AsyncSession, catalog: Catalog, invite: Invite, status: InvitationStatus
) -> None:
    sent = await invite(catalog.get("csat"), status=status)
    outcome = await give(session, AnswerCommand(sent.id, "csat", value=5))
    assert isinstance(outcome.step, Rejected) and outcome.step.reason is RejectReason.CLOSED
    assert await stored(session, sent.id) == {}
    assert (await invitation(session, sent.id)).status is status


@pytest.mark.parametrize("status", [InvitationStatus.PENDING, InvitationStatus.SENDING])
async def test_an_answer_racing_a_reminder_is_kept(
    session: AsyncSession, catalog: Catalog, invite: Invite, status: InvitationStatus
) -> None:
    sent = await invite(catalog.get("ces"), status=status)
    outcome = await give(session, AnswerCommand(sent.id, "ces", value=6))
    assert outcome.recorded and isinstance(outcome.step, Complete)
    assert (await invitation(session, sent.id)).status is InvitationStatus.ANSWERED


async def test_a_finished_survey_refuses_new_answers_as_closed(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("fcr"))
    done = await give(session, AnswerCommand(sent.id, "fcr", choice="yes"))
    assert isinstance(done.step, Complete)
    bogus = await give(session, AnswerCommand(sent.id, "comment", text="hello"))
    assert isinstance(bogus.step, Rejected) and bogus.step.reason is RejectReason.CLOSED


async def test_unknown_and_forged_invitations_are_refused(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"))
    missing = await give(session, AnswerCommand(sent.id + 999, "csat", value=5))
    assert isinstance(missing.step, Rejected)
    assert missing.step.reason is RejectReason.UNKNOWN_INVITATION
    forged = await give(
        session, AnswerCommand(sent.id, "csat", value=5, customer_id=sent.customer_id + 1)
    )
    assert isinstance(forged.step, Rejected)
    assert forged.step.reason is RejectReason.NOT_YOURS
    assert await stored(session, sent.id) == {}
    with pytest.raises(UnknownInvitation):
        await current(session, sent.id + 999)


@pytest.mark.parametrize(
    ("identity", "customer", "default", "expected"),
    [
        ("ru", "de", "es", "ru"),
        (None, "de", "es", "de"),
        (None, None, "es", "es"),
        ("pt-BR", "de", "es", "en"),
        ("es-MX", None, "en", "es"),
        (None, None, "en", "en"),
    ],
)
async def test_the_language_comes_from_identity_then_customer_then_default(
    session: AsyncSession,
    catalog: Catalog,
    invite: Invite,
    identity: str | None,
    customer: str | None,
    default: str,
    expected: str,
) -> None:
    sent = await invite(catalog.get("nps"), language=identity, customer_language=customer)
    step = await current(session, sent.id, default_language=default)
    assert isinstance(step, Prompt) and step.language == expected
    assert step.min_label == catalog.get("nps").questions[0].scale.min_label[expected]  # type: ignore[union-attr]


async def test_nps_prompt_offers_eleven_points_with_end_labels(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("nps"))
    step = await current(session, sent.id)
    assert isinstance(step, Prompt)
    assert [o.value for o in step.options] == [str(n) for n in range(11)]
    assert (step.min_label, step.max_label) == ("Not at all likely", "Extremely likely")
    assert (step.number, step.total, step.optional, step.skip_label) == (1, 2, False, None)


async def test_an_invitation_without_a_pinned_definition_is_an_error(
    session: AsyncSession, factory: object, invite: Invite, catalog: Catalog
) -> None:
    sent = await invite(catalog.get("csat"), survey_version="never-pinned")
    with pytest.raises(DefinitionNotPinned, match="never pinned"):
        await current(session, sent.id)


async def test_concurrent_identical_answers_store_one_row(
    engine: AsyncEngine, catalog: Catalog, invite: Invite
) -> None:
    sent = await invite(catalog.get("csat"))
    sessions = session_factory(engine)

    async def tap() -> Outcome:
        async with sessions() as session, session.begin():
            return await answer(session, AnswerCommand(sent.id, "csat", value=1), alerts=ALERTS)

    outcomes = await asyncio.gather(*(tap() for _ in range(4)))
    assert sorted(o.recorded for o in outcomes) == [False, False, False, True]
    assert len({o.step for o in outcomes}) == 1
    async with sessions() as session, session.begin():
        assert await session.scalar(select(func.count()).select_from(Answer)) == 1
        assert await session.scalar(select(func.count()).select_from(FollowUp)) == 1


async def test_answered_at_uses_the_given_clock(
    session: AsyncSession, catalog: Catalog, invite: Invite, now: datetime
) -> None:
    sent = await invite(catalog.get("ces"))
    await give(session, AnswerCommand(sent.id, "ces", value=7), now=now)
    assert (await stored(session, sent.id))["ces"].answered_at == now
    assert (await invitation(session, sent.id)).answered_at == now
