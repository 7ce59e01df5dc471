"""/start with and without a link, /stop, /language, /mydata, /forget, /help, the menu."""

import pytest

from bot.standins.telegram import TelegramBotAPI
from bot.telegram.app import register_commands
from bot.telegram.links import make_link_token, read_link_token
from storage.models import IdentityState, InvitationStatus
from tests.bot.telegram.conftest import LINK_SECRET, Harness


async def test_a_signed_link_connects_the_chat_to_the_customer(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann", language_code="de-AT")
    await telegram.send_command(ann, "/start", await polling.link_token("C-42"))
    [welcome] = await telegram.wait_for_messages(ann, 1)
    assert welcome.plain_text.startswith("Danke! Dieser Chat ist jetzt")
    [identity] = await polling.identities()
    assert (identity.external_id, identity.state, identity.language) == (
        str(ann.id),
        IdentityState.LINKED,
        "de",
    )
    await telegram.send_command(ann, "/mydata")
    mydata = (await telegram.wait_for_messages(ann, 2))[-1]
    assert "Kundennummer: C-42" in mydata.plain_text


@pytest.mark.parametrize("tamper", ["flip", "truncate", "other-secret"])
async def test_a_tampered_link_is_refused_and_links_nothing(polling: Harness, tamper: str) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    token = await polling.link_token("C-42")
    link_id = read_link_token(LINK_SECRET, token)
    assert link_id is not None
    token = {
        "flip": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "truncate": token[:-2],
        "other-secret": make_link_token("not-the-secret", link_id),
    }[tamper]
    await telegram.send_command(ann, "/start", token)
    [reply] = await telegram.wait_for_messages(ann, 1)
    assert reply.plain_text.startswith("Sorry, this link is not valid.")
    assert await polling.identities() == []


async def test_start_without_a_link_greets_and_explains(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann", language_code="es")
    await telegram.send_command(ann, "/start")
    [reply] = await telegram.wait_for_messages(ann, 1)
    assert reply.plain_text.startswith("¡Hola!")
    assert await polling.identities() == []


async def test_stop_confirmed_opts_out_and_cancels_open_invitations(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann)
    await polling.dispatch()
    await polling.close_case(ann, case_id="CASE-2")
    await telegram.wait_for_messages(ann, 1)
    await telegram.send_command(ann, "/stop")
    confirm = (await telegram.wait_for_messages(ann, 2))[-1]
    assert confirm.buttons == [["Yes", "No"]]
    await telegram.press_button(ann, confirm, "No")
    await telegram.wait_for_edit(confirm)
    assert confirm.plain_text == "OK, nothing changed."
    assert {i.status for i in await polling.invitations()} == {
        InvitationStatus.SENT,
        InvitationStatus.PENDING,
    }

    await telegram.send_command(ann, "/stop")
    confirm = (await telegram.wait_for_messages(ann, 3))[-1]
    await telegram.press_button(ann, confirm, "Yes")
    await telegram.wait_for_edit(confirm)
    assert confirm.plain_text.startswith("Done: you will get no more surveys.")
    assert {i.status for i in await polling.invitations()} == {InvitationStatus.CANCELLED}
    [identity] = await polling.identities()
    assert identity.state is IdentityState.OPTED_OUT

    await telegram.send_command(ann, "/start")
    await telegram.wait_for_messages(ann, 4)
    [identity] = await polling.identities()
    assert identity.state is IdentityState.LINKED, "starting the bot again turns surveys on"


async def test_a_link_re_opts_in_a_customer_who_stopped(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann, customer="C-42")
    await telegram.send_command(ann, "/stop")
    confirm = (await telegram.wait_for_messages(ann, 1))[-1]
    await telegram.press_button(ann, confirm, "Yes")
    await telegram.wait_for_edit(confirm)
    [identity] = await polling.identities()
    assert identity.state is IdentityState.OPTED_OUT
    await telegram.send_command(ann, "/start", await polling.link_token("C-42"))
    await telegram.wait_for_messages(ann, 2)
    [identity] = await polling.identities()
    assert identity.state is IdentityState.LINKED


async def test_forget_erases_identities_and_comments_but_keeps_scores(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann, name="Ann Example", email="ann@example.com")
    await polling.dispatch()
    [question] = await telegram.wait_for_messages(ann, 1)
    await telegram.press_button(ann, question, "1")
    fcr = (await telegram.wait_for_messages(ann, 2))[-1]
    await telegram.press_button(ann, fcr, "No")
    await telegram.wait_for_messages(ann, 3)
    await telegram.send_text(ann, "Nobody called me back.")
    await telegram.wait_for_messages(ann, 4)

    await telegram.send_command(ann, "/mydata")
    mydata = (await telegram.wait_for_messages(ann, 5))[-1]
    assert "Name: Ann Example" in mydata.plain_text
    assert "Answers: 3 (1 with a written comment)" in mydata.plain_text

    await telegram.send_command(ann, "/forget")
    confirm = (await telegram.wait_for_messages(ann, 6))[-1]
    await telegram.press_button(ann, confirm, "Yes")
    await telegram.wait_for_edit(confirm)
    assert confirm.plain_text.startswith("Your data has been erased")
    assert await polling.identities() == []
    answers = await polling.answers()
    assert [(a.question_key, a.value, a.text) for a in answers] == [
        ("csat", 1, None),
        ("fcr", 0, None),
        ("comment", None, None),
    ]
    await telegram.send_command(ann, "/mydata")
    after = (await telegram.wait_for_messages(ann, 7))[-1]
    assert after.plain_text.startswith("This chat is not connected")


async def test_language_buttons_switch_the_bot_and_the_surveys(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann", language_code="en")
    await polling.close_case(ann, case_id="CASE-0")
    await telegram.send_command(ann, "/language")
    [choose] = await telegram.wait_for_messages(ann, 1)
    assert choose.buttons == [["English", "Español", "Deutsch", "Русский"]]
    await telegram.press_button(ann, choose, "Русский")
    await telegram.wait_for_edit(choose)
    assert choose.plain_text == "Язык изменён на русский."
    await polling.dispatch()
    question = (await telegram.wait_for_messages(ann, 2))[-1]
    assert question.plain_text.startswith("Насколько вы довольны")


async def test_commands_for_an_unlinked_chat_say_so(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    for count, command in enumerate(("/stop", "/forget", "/mydata"), start=1):
        await telegram.send_command(ann, command)
        reply = (await telegram.wait_for_messages(ann, count))[-1]
        assert reply.plain_text.startswith("This chat is not connected"), command
    await telegram.send_command(ann, "/help")
    reply = (await telegram.wait_for_messages(ann, 4))[-1]
    assert "/forget" in reply.plain_text


async def test_the_command_menu_exists_in_every_language(harness: Harness) -> None:
    telegram: TelegramBotAPI = harness.telegram
    await register_commands(harness.bot, "en")
    default = telegram.commands_for()
    assert [c["command"] for c in default] == [
        "start",
        "language",
        "stop",
        "mydata",
        "forget",
        "help",
    ]
    assert telegram.commands_for(language_code="ru")[2]["description"] == "Отключить опросы"
    assert telegram.commands_for(language_code="es")[4]["description"] == "Borrar mis datos"
    assert telegram.commands_for(language_code="de")[3]["description"]


async def test_blocking_the_bot_marks_the_chat_unreachable_until_start(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    await polling.close_case(ann)
    member = {"id": ann.id, "is_bot": False, "first_name": "Ann"}
    bot_user = {"id": 123456789, "is_bot": True, "first_name": "Feedback"}
    await telegram.send_update(
        "my_chat_member",
        {
            "chat": {"id": ann.id, "type": "private", "first_name": "Ann"},
            "from": member,
            "date": 0,
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
        },
    )
    await telegram.wait_for_updates_consumed()
    [identity] = await polling.identities()
    assert identity.state is IdentityState.UNREACHABLE
    await telegram.send_command(ann, "/start")
    await telegram.wait_for_messages(ann, 1)
    [identity] = await polling.identities()
    assert identity.state is IdentityState.LINKED
