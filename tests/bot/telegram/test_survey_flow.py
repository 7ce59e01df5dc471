"""A survey in a Telegram chat, from the closed case to the stored answers."""

import asyncio

import pytest
from sqlalchemy import update

from bot.standins.telegram import TelegramBotAPI
from bot.telegram.callbacks import AnswerData
from storage.models import Invitation, InvitationStatus
from tests.bot.telegram.conftest import Harness, polling_bot


async def test_low_csat_asks_fcr_and_a_comment_then_thanks(polling: Harness) -> None:
    telegram: TelegramBotAPI = polling.telegram
    ann = telegram.create_user("Ann", language_code="en")
    outcome = await polling.close_case(ann)
    assert [i.survey for i in outcome.invitations if i.status == "pending"] == ["csat"]
    assert (await polling.dispatch()).outcomes["sent"] == 1

    [question] = await telegram.wait_for_messages(ann, 1)
    assert "How satisfied are you" in question.plain_text
    assert "1 = Very dissatisfied" in question.plain_text
    assert question.buttons == [["1", "2", "3", "4", "5"]]

    query = await telegram.press_button(ann, question, "2")
    await telegram.wait_for_answer(query)
    await telegram.wait_for_edit(question)
    assert question.buttons == []
    assert question.plain_text.endswith("Your answer: 2")

    fcr = (await telegram.wait_for_messages(ann, 2))[-1]
    assert "single contact" in fcr.plain_text
    assert fcr.buttons == [["Yes", "No"]]
    await telegram.press_button(ann, fcr, "No")
    await telegram.wait_for_edit(fcr)

    comment = (await telegram.wait_for_messages(ann, 3))[-1]
    assert "done better" in comment.plain_text
    assert comment.buttons == [["Skip"]]
    await telegram.send_text(ann, "It took three days to get an answer.")

    thanks = (await telegram.wait_for_messages(ann, 4))[-1]
    assert "Thank you" in thanks.plain_text
    assert comment.buttons == [], "a typed comment removes the Skip button"
    answers = await polling.answers()
    assert [(a.question_key, a.value, a.choice, a.text) for a in answers] == [
        ("csat", 2, None, None),
        ("fcr", 0, "no", None),
        ("comment", None, None, "It took three days to get an answer."),
    ]
    [invitation] = [i for i in await polling.invitations() if i.survey_key == "csat"]
    assert invitation.status is InvitationStatus.ANSWERED
    assert invitation.message_ref == f"{ann.id}:{comment.message_id}"


async def test_a_double_press_is_counted_once(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    await harness.close_case(ann)
    await harness.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    first = await telegram.press_button(ann, question, "5")
    second = await telegram.press_button(ann, question, "5")
    async with polling_bot(harness):
        await telegram.wait_for_answer(first)
        answer = await telegram.wait_for_answer(second)
        await telegram.wait_for_messages(ann, 2)
        await telegram.wait_for_updates_consumed()
    assert answer.text == "Thank you, your answer is recorded."
    assert [(a.question_key, a.value) for a in await harness.answers()] == [("csat", 5)]
    assert len(telegram.chat(ann).bot_messages) == 2, "the next question is asked once"


async def test_a_forged_button_for_another_chats_invitation_is_refused(
    polling: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = polling.telegram
    ann, bob = telegram.create_user("Ann"), telegram.create_user("Bob")
    await polling.close_case(ann)
    await polling.close_case(bob, case_id="CASE-2", customer="boris")
    await polling.dispatch()
    [anns] = await telegram.wait_for_messages(ann, 1)
    [bobs] = await telegram.wait_for_messages(bob, 1)
    ann_invitation = next(i for i in await polling.invitations() if i.customer_id == 1)
    forged = AnswerData(i=ann_invitation.id, q="csat", v="1").pack()
    query = await telegram.send_callback(bob, bobs, forged)
    answer = await telegram.wait_for_answer(query)
    assert answer.show_alert
    assert (
        answer.text
        == "Sorry, this survey was sent to someone else, so your answer was not counted."
    )
    assert await polling.answers() == []
    assert anns.edits == [] and bobs.edits == []
    [record] = [r for r in caplog.records if "not the invitation's customer" in r.getMessage()]
    assert (record.invitation_id, record.sender) == (ann_invitation.id, str(bob.id))


async def test_garbage_buttons_get_a_polite_answer(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann)
    await polling.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    for data in ("a:x:y", "a:999999:csat:1", "a:1:csat:9", "zz", "a:1:~nope:1", "lang:xx"):
        query = await telegram.send_callback(ann, question, data)
        answer = await telegram.wait_for_answer(query)
        assert answer.text, data
    assert await polling.answers() == []
    assert question.edits == []


async def test_skip_answers_an_optional_question(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann)
    await polling.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    await telegram.press_button(ann, question, "1")
    fcr = (await telegram.wait_for_messages(ann, 2))[-1]
    await telegram.press_button(ann, fcr, "Yes")
    comment = (await telegram.wait_for_messages(ann, 3))[-1]
    await telegram.press_button(ann, comment, "Skip")
    await telegram.wait_for_edit(comment)
    assert comment.plain_text.endswith("Skipped.")
    thanks = (await telegram.wait_for_messages(ann, 4))[-1]
    assert thanks.plain_text.startswith("Thank you")
    answers = await polling.answers()
    assert [(a.question_key, a.skipped) for a in answers] == [
        ("csat", False),
        ("fcr", False),
        ("comment", True),
    ]


async def test_a_button_of_an_expired_invitation_changes_nothing(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann)
    await polling.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    async with polling.sessions() as session, session.begin():
        await session.execute(update(Invitation).values(status=InvitationStatus.EXPIRED))
    query = await telegram.press_button(ann, question, "4")
    answer = await telegram.wait_for_answer(query)
    assert answer.text == "This survey is closed. Thank you all the same!"
    assert await polling.answers() == []
    assert question.edits == []


async def test_text_without_an_open_question_and_stickers_get_polite_replies(
    polling: Harness,
) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await telegram.send_text(ann, "hello?")
    [reply] = await telegram.wait_for_messages(ann, 1)
    assert reply.plain_text.startswith("Thank you! There is no open question")
    await polling.close_case(ann)
    await polling.dispatch()
    question = (await telegram.wait_for_messages(ann, 2))[-1]
    await telegram.send_sticker(ann)
    reply = (await telegram.wait_for_messages(ann, 3))[-1]
    assert reply.plain_text == "Please answer with the buttons under the question above."
    await telegram.send_text(ann, "5")
    reply = (await telegram.wait_for_messages(ann, 4))[-1]
    assert reply.plain_text == "Please answer with the buttons under the question above."
    edited = await telegram.send_text(ann, "typo")
    await telegram.wait_for_messages(ann, 5)
    await telegram.edit_text(ann, edited, "fixed")
    await telegram.send_command(ann, "/nonsense")
    help_text = (await telegram.wait_for_messages(ann, 6))[-1]
    assert "/mydata" in help_text.plain_text
    assert question.edits == []
    assert await polling.answers() == []


async def test_nps_is_two_rows_and_ces_one_row_with_their_end_labels(harness: Harness) -> None:
    telegram = harness.telegram
    ann, bob = telegram.create_user("Ann"), telegram.create_user("Bob")
    await harness.invite(ann, "nps")
    await harness.invite(bob, "ces", customer="boris")
    await harness.dispatch()
    [nps] = await telegram.wait_for_messages(ann, 1)
    assert nps.buttons == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]
    assert "0 = " in nps.plain_text and "10 = " in nps.plain_text
    [ces] = await telegram.wait_for_messages(bob, 1)
    assert ces.buttons == [["1", "2", "3", "4", "5", "6", "7"]]


async def test_two_presses_handled_at_the_same_time_are_counted_once(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    await harness.close_case(ann)
    await harness.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    queries = [await telegram.press_button(ann, question, "3") for _ in range(2)]
    updates = list(telegram.updates.pending)
    await asyncio.gather(
        *(harness.dispatcher.feed_raw_update(harness.bot, update) for update in updates)
    )
    answers = [await telegram.wait_for_answer(query) for query in queries]
    assert sorted(a.text or "" for a in answers)[0] == ""
    assert [(a.question_key, a.value) for a in await harness.answers()] == [("csat", 3)]
    await telegram.wait_for_messages(ann, 2)
    assert len(telegram.chat(ann).bot_messages) == 2, "the next question is asked once"


async def test_a_ces_survey_is_sent_and_answered_through_telegram(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann", language_code="en")
    outcome = await polling.close_case(ann, surveys=["ces"])
    assert [(i.survey, i.status) for i in outcome.invitations] == [("ces", "pending")]
    assert (await polling.dispatch()).outcomes["sent"] == 1
    [question] = await telegram.wait_for_messages(ann, 1)
    assert "made it easy to handle my issue" in question.plain_text
    assert question.buttons == [["1", "2", "3", "4", "5", "6", "7"]]
    await telegram.press_button(ann, question, "6")
    thanks = (await telegram.wait_for_messages(ann, 2))[-1]
    assert "Thank you" in thanks.plain_text
    assert [(a.survey_key, a.question_key, a.value) for a in await polling.answers()] == [
        ("ces", "ces", 6)
    ]
    [invitation] = await polling.invitations()
    assert invitation.status is InvitationStatus.ANSWERED
