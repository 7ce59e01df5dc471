"""Issue 12: a deep link works once and expires; a chat is never moved to another customer
without its own confirmation, and the customer's previous chat is told when replaced."""

from __future__ import annotations

from datetime import timedelta

from bot.telegram.callbacks import LinkMoveData
from bot.telegram.links import read_link_token
from storage.identities import find_identity
from storage.models import Customer, IdentityState, Platform
from storage.types import utcnow
from tests.bot.telegram.conftest import LINK_SECRET, Harness


async def customer_of_chat(harness: Harness, chat_id: int) -> str | None:
    async with harness.sessions() as session:
        identity = await find_identity(session, Platform.TELEGRAM, str(chat_id))
        if identity is None:
            return None
        customer = await session.get(Customer, identity.customer_id)
        return customer.external_id if customer else None


async def test_a_used_link_is_refused_in_another_chat(polling: Harness) -> None:
    telegram = polling.telegram
    ann, eve = telegram.create_user("Ann"), telegram.create_user("Eve")
    token = await polling.link_token("C-42")
    await telegram.send_command(ann, "/start", token)
    await telegram.wait_for_messages(ann, 1)

    await telegram.send_command(eve, "/start", token)
    [reply] = await telegram.wait_for_messages(eve, 1)
    assert reply.plain_text.startswith("This link has already been used.")
    assert await customer_of_chat(polling, eve.id) is None
    assert await customer_of_chat(polling, ann.id) == "C-42"
    await telegram.send_command(eve, "/mydata")
    mydata = (await telegram.wait_for_messages(eve, 2))[-1]
    assert "C-42" not in mydata.plain_text
    assert mydata.plain_text.startswith("This chat is not connected")


async def test_the_same_link_opened_twice_in_its_own_chat_is_refused_the_second_time(
    polling: Harness,
) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    token = await polling.link_token("C-42")
    await telegram.send_command(ann, "/start", token)
    await telegram.send_command(ann, "/start", token)
    replies = await telegram.wait_for_messages(ann, 2)
    assert replies[1].plain_text.startswith("This link has already been used.")
    assert await customer_of_chat(polling, ann.id) == "C-42"


async def test_an_expired_link_is_refused_and_links_nothing(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    token = await polling.link_token(
        "C-42", issued=utcnow() - timedelta(days=31), valid_for=timedelta(days=30)
    )
    await telegram.send_command(ann, "/start", token)
    [reply] = await telegram.wait_for_messages(ann, 1)
    assert reply.plain_text.startswith("This link has expired.")
    assert await polling.identities() == []


async def test_a_chat_of_one_customer_moves_to_another_only_when_it_confirms(
    polling: Harness,
) -> None:
    telegram = polling.telegram
    ann, eve = telegram.create_user("Ann"), telegram.create_user("Eve")
    await polling.close_case(ann, customer="C-42", name="Ann Example", email="ann@example.com")
    token = await polling.link_token("C-77")
    link_id = read_link_token(LINK_SECRET, token)
    assert link_id is not None

    await telegram.send_command(ann, "/start", token)
    [question] = await telegram.wait_for_messages(ann, 1)
    assert question.plain_text.startswith("This chat is already connected to another")
    assert question.buttons == [["Yes", "No"]]
    assert await customer_of_chat(polling, ann.id) == "C-42"

    # Eve forges the "Yes" button in her own chat: refused, nothing moves
    await telegram.send_command(eve, "/help")
    [eve_help] = await telegram.wait_for_messages(eve, 1)
    forged = await telegram.send_callback(eve, eve_help, LinkMoveData(t=link_id, move=True).pack())
    answer = await telegram.wait_for_answer(forged)
    assert answer.text == "This confirmation is not valid for this chat."
    assert await customer_of_chat(polling, eve.id) is None
    assert await customer_of_chat(polling, ann.id) == "C-42"

    # "No" keeps the chat where it is
    await telegram.press_button(ann, question, "No")
    await telegram.wait_for_edit(question)
    assert question.plain_text == "OK, this chat stays connected to its current account."
    assert await customer_of_chat(polling, ann.id) == "C-42"
    await telegram.send_command(ann, "/mydata")
    mydata = (await telegram.wait_for_messages(ann, 2))[-1]
    assert "Customer id: C-42" in mydata.plain_text

    # opened again and confirmed: now it moves, and the link is used up
    await telegram.send_command(ann, "/start", token)
    question = (await telegram.wait_for_messages(ann, 3))[-1]
    await telegram.press_button(ann, question, "Yes")
    welcome = (await telegram.wait_for_messages(ann, 4))[-1]
    assert welcome.plain_text.startswith("Thank you! This chat is now connected")
    assert await customer_of_chat(polling, ann.id) == "C-77"
    await telegram.send_command(ann, "/mydata")
    mydata = (await telegram.wait_for_messages(ann, 5))[-1]
    assert "Customer id: C-77" in mydata.plain_text
    assert "Ann Example" not in mydata.plain_text and "ann@example.com" not in mydata.plain_text
    await telegram.send_command(ann, "/start", token)
    assert (await telegram.wait_for_messages(ann, 6))[-1].plain_text.startswith(
        "This link has already been used."
    )


async def test_a_confirmation_pressed_after_the_link_was_used_elsewhere_moves_nothing(
    polling: Harness,
) -> None:
    telegram = polling.telegram
    ann, bob = telegram.create_user("Ann"), telegram.create_user("Bob")
    await polling.close_case(ann, customer="C-42")
    token = await polling.link_token("C-77")
    await telegram.send_command(ann, "/start", token)
    [question] = await telegram.wait_for_messages(ann, 1)
    await telegram.send_command(bob, "/start", token)
    await telegram.wait_for_messages(bob, 1)
    assert await customer_of_chat(polling, bob.id) == "C-77"

    query = await telegram.press_button(ann, question, "Yes")
    await telegram.wait_for_answer(query)
    assert (await telegram.wait_for_messages(ann, 2))[-1].plain_text.startswith(
        "This link has already been used."
    )
    assert await customer_of_chat(polling, ann.id) == "C-42"


async def test_a_new_chat_taking_over_a_customer_tells_the_previous_chat(
    polling: Harness,
) -> None:
    telegram = polling.telegram
    ann, ann_new = telegram.create_user("Ann"), telegram.create_user("Ann (new phone)")
    await polling.close_case(ann, customer="C-42")
    await telegram.send_command(ann_new, "/start", await polling.link_token("C-42"))
    await telegram.wait_for_messages(ann_new, 1)
    [notice] = await telegram.wait_for_messages(ann, 1)
    assert notice.plain_text.startswith("Your support account is now connected to another")
    [identity] = await polling.identities()
    assert (identity.external_id, identity.state) == (str(ann_new.id), IdentityState.LINKED)


async def test_a_link_opened_in_a_group_links_nothing_and_stays_usable(polling: Harness) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    token = await polling.link_token("C-42")
    text = f"/start {token}"
    await telegram.send_update(
        "message",
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": -100777, "type": "group", "title": "Support fans"},
            "from": {"id": ann.id, "is_bot": False, "first_name": "Ann"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    )
    await telegram.wait_for_updates_consumed()
    assert await polling.identities() == []

    await telegram.send_command(ann, "/start", token)
    [welcome] = await telegram.wait_for_messages(ann, 1)
    assert welcome.plain_text.startswith("Thank you! This chat is now connected")
