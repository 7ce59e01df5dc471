"""Issue 12: Slack customers have the same rights as Telegram ones: ``stop``, ``mydata`` and
``forget``, typed in the survey DM or pressed on the App Home, each about their own data only."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.slack import actions
from storage.models import Identity, IdentityState, Invitation, InvitationStatus
from tests.bot.slack.conftest import SlackHarness
from tests.factories import stored_values_containing

COMMENT = "Waited nine days for a callback"


def shown(message: object) -> str:
    return json.dumps(getattr(message, "blocks", None), ensure_ascii=False) + str(
        getattr(message, "text", "")
    )


async def test_mydata_in_the_dm_shows_the_customer_only_their_own_data(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    boris, eve = slack.create_user("boris"), slack.create_user("eve")
    await harness.close_case(boris, None, name="Boris Example", email="boris@example.com")
    await harness.dispatch()
    await slack.wait_for_messages(boris, 1)

    _, ack = await slack.send_dm(boris, "mydata")
    assert ack.status == 200
    await harness.settle()
    mine = (await slack.wait_for_messages(boris, 2))[-1]
    assert "Customer id: boris" in shown(mine)
    assert "Name: Boris Example" in shown(mine) and "boris@example.com" in shown(mine)
    assert "Open surveys: 1" in shown(mine)

    await slack.send_dm(eve, "  MyData ")
    await harness.settle()
    [theirs] = await slack.wait_for_messages(eve, 1)
    assert "Nothing is stored about you here" in shown(theirs)
    assert "Boris" not in shown(theirs)


async def test_stop_in_the_dm_asks_first_then_opts_out_and_start_resumes(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    boris = slack.create_user("boris")
    await harness.close_case(boris, None)
    await harness.dispatch()
    await harness.close_case(boris, None, case_id="CASE-2")

    await slack.send_dm(boris, "stop")
    await harness.settle()
    question = (await slack.wait_for_messages(boris, 2))[-1]
    assert "Stop all surveys?" in shown(question)
    assert question.button_texts == ["Yes", "No"]
    await slack.press_button(boris, question, text="No")
    await harness.settle()
    assert "OK, nothing changed." in shown(slack.find_message(question.channel, question.ts))
    assert {i.status for i in await harness.invitations()} == {
        InvitationStatus.SENT,
        InvitationStatus.PENDING,
    }

    await slack.send_dm(boris, "stop")
    await harness.settle()
    question = (await slack.wait_for_messages(boris, 3))[-1]
    await slack.press_button(boris, question, text="Yes")
    await harness.settle()
    assert "you will get no more surveys" in shown(
        slack.find_message(question.channel, question.ts)
    )
    assert {i.status for i in await harness.invitations()} == {InvitationStatus.CANCELLED}
    async with harness.sessions() as session:
        identity = await session.scalar(select(Identity))
    assert identity is not None and identity.state is IdentityState.OPTED_OUT

    await slack.send_dm(boris, "start")
    await harness.settle()
    assert "Surveys are on again" in shown((await slack.wait_for_messages(boris, 4))[-1])
    async with harness.sessions() as session:
        identity = await session.scalar(select(Identity))
    assert identity is not None and identity.state is IdentityState.LINKED


async def test_forget_from_the_app_home_erases_everything_and_edits_the_alert(
    harness: SlackHarness,
) -> None:
    slack = harness.slack
    boris, eve = slack.create_user("boris"), slack.create_user("eve")
    dana = slack.create_user("dana", real_name="Dana Agent")
    await harness.close_case(
        boris, dana, customer_id="boris-4471", name="Boris Example", email="boris@example.com"
    )
    await harness.dispatch()
    [question] = await slack.wait_for_messages(boris, 1)
    await slack.press_button(boris, question, text="1")
    await harness.settle()
    fcr = (await slack.wait_for_messages(boris, 2))[-1]
    await slack.press_button(boris, fcr, text="No")
    await harness.settle()
    comment = (await slack.wait_for_messages(boris, 3))[-1]
    await slack.press_button(boris, comment, action_id=actions.COMMENT)
    await harness.settle()
    modal = await slack.wait_for_modal(boris)
    await slack.submit_view(boris, modal, {actions.COMMENT_BLOCK: COMMENT})
    await harness.settle()
    [alert] = await slack.wait_for_messages(dana, 1)
    assert "Boris Example" in shown(slack.find_message(alert.channel, alert.ts))
    assert COMMENT in shown(slack.find_message(alert.channel, alert.ts))
    async with harness.sessions() as session:
        refs = list(await session.scalars(select(Invitation.message_ref)))
    personal = ["Boris Example", "boris@example.com", "boris-4471", boris.id, COMMENT, *refs]
    assert await stored_values_containing(harness.sessions, personal) != []

    await slack.open_app_home(boris)
    await harness.settle()
    home = await slack.wait_for_home(boris)
    assert "Your data" in shown(home)
    await slack.press_button(boris, home, text="Erase my data")
    await harness.settle()
    confirm = (await slack.wait_for_messages(boris, 5))[-1]
    assert "Erase your data?" in shown(confirm)

    # someone else pressing the same button erases nothing of Boris's
    await slack.press_button(eve, confirm, text="Yes")
    await harness.settle()
    assert await stored_values_containing(harness.sessions, personal) != []

    await slack.press_button(boris, confirm, text="Yes")
    await harness.settle()
    assert "Your data has been erased" in shown(slack.find_message(confirm.channel, confirm.ts))
    assert await stored_values_containing(harness.sessions, personal) == []
    edited = shown(slack.find_message(alert.channel, alert.ts))
    assert "Boris Example" not in edited and COMMENT not in edited
    assert "erased their personal data" in edited
    home = await slack.wait_for_home(boris)
    assert "Your data" not in shown(home)
