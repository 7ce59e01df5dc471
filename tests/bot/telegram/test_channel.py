"""The dispatcher's Telegram channel: what it sends and how Bot API errors are mapped."""

import pytest

from bot.dispatch.channel import Delivery, DeliveryError
from bot.telegram.channel import TelegramChannel
from storage.models import IdentityState, InvitationStatus
from surveys.conversation import next_step
from tests.bot.telegram.conftest import Harness


async def test_a_blocked_bot_marks_the_identity_unreachable(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    telegram.block(ann)
    await harness.close_case(ann)
    report = await harness.dispatch()
    assert report.outcomes["unreachable"] == 1
    [identity] = await harness.identities()
    assert identity.state is IdentityState.UNREACHABLE
    [invitation] = [i for i in await harness.invitations() if i.survey_key == "csat"]
    assert invitation.status is InvitationStatus.FAILED
    assert telegram.chat(ann).bot_messages == []


async def _send(harness: Harness, chat_id: int, reminder: bool = False) -> str:
    invitation = await harness.invite(harness.telegram.create_user("Zed"), "csat")
    async with harness.sessions() as session:
        prompt = await next_step(session, invitation.id or 0)
    delivery = Delivery(invitation.id or 0, 1, "telegram", str(chat_id), "en", reminder=reminder)
    return await TelegramChannel(harness.bot).send_question(delivery, prompt)  # type: ignore[arg-type]


async def test_the_question_goes_out_with_its_buttons_and_a_message_ref(harness: Harness) -> None:
    telegram = harness.telegram
    ann = telegram.create_user("Ann")
    ref = await _send(harness, ann.id, reminder=True)
    [message] = telegram.chat(ann).bot_messages
    assert ref == f"{ann.id}:{message.message_id}"
    assert message.plain_text.startswith("A gentle reminder")
    assert message.buttons == [["1", "2", "3", "4", "5"]]


@pytest.mark.parametrize(
    ("fault", "permanent", "retry_after"),
    [
        ({"status": 429, "retry_after": 7}, False, 7.0),
        ({"status": 403}, True, None),
        ({"status": 400, "description": "Bad Request: chat not found"}, True, None),
        ({"status": 400, "description": "Bad Request: message is too long"}, False, None),
        ({"status": 500}, False, None),
        ({"status": 502}, False, None),
        ({"status": 500, "disconnect": True}, False, None),
    ],
)
async def test_bot_api_errors_become_delivery_errors(
    harness: Harness, fault: dict, permanent: bool, retry_after: float | None
) -> None:
    ann = harness.telegram.create_user("Ann")
    harness.telegram.fail_next("sendMessage", **fault)
    with pytest.raises(DeliveryError) as raised:
        await _send(harness, ann.id)
    assert (raised.value.permanent, raised.value.retry_after) == (permanent, retry_after)


async def test_a_chat_the_bot_never_saw_is_permanent(harness: Harness) -> None:
    with pytest.raises(DeliveryError) as raised:
        await _send(harness, 42)
    assert raised.value.permanent
