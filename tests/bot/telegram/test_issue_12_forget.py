"""Issue 12: /forget leaves no personal data in any table, keeps the scores under a pseudonym,
and the low-score alert already in the agent's Slack DM is edited to drop name and comment:
at once through the shared answer desk, or by the Slack side's next sweep."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.slack.app import create_runtime
from bot.standins.slack import SlackWebAPI
from scoring.periods import Window
from scoring.report import build_report
from storage.models import Answer, Customer, Invitation
from storage.types import utcnow
from surveys.catalog import load_catalog
from surveys.events import CaseClosed
from surveys.intake import record_case
from tests.bot.slack.conftest import make_settings as slack_settings
from tests.bot.telegram.conftest import POLICY, Harness
from tests.factories import stored_values_containing

COMMENT = "The courier 'Bob' lost my parcel twice"


async def report_rows(harness: Harness, until: datetime) -> list[dict]:
    async with harness.sessions() as session:
        report = await build_report(session, "agent", Window(None, until))
    return report.to_json()["rows"]


async def test_forget_leaves_no_personal_data_and_edits_the_agents_alert(
    polling: Harness,
) -> None:
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    async with SlackWebAPI() as slack:
        dana = slack.create_user("dana", real_name="Dana Agent")
        slack_side = create_runtime(slack_settings(slack), polling.sessions, "test-slack")
        assert slack_side is not None
        body = {
            "case_id": "CASE-9",
            "customer": {
                "id": "alice-7781",
                "telegram_chat_id": ann.id,
                "name": "Ann Example",
                "email": "ann@example.com",
            },
            "agent": {"id": "dana", "slack_user_id": dana.id},
            "closed_at": utcnow().isoformat(),
        }
        async with polling.sessions() as session, session.begin():
            await record_case(
                session,
                CaseClosed.model_validate(body),
                catalog=load_catalog(None),
                config=POLICY,
                now=utcnow(),
            )
        await polling.dispatch()
        [question] = await telegram.wait_for_messages(ann, 1)
        await telegram.press_button(ann, question, "1")
        fcr = (await telegram.wait_for_messages(ann, 2))[-1]
        await telegram.press_button(ann, fcr, "No")
        await telegram.wait_for_messages(ann, 3)
        await telegram.send_text(ann, COMMENT)
        await telegram.wait_for_messages(ann, 4)
        assert await slack_side.send_pending_alerts() == 1
        [alert] = await slack.wait_for_messages(dana, 1)
        assert "Ann Example" in json.dumps(alert.blocks)
        assert "lost my parcel" in json.dumps(alert.blocks)
        until = utcnow() + timedelta(days=1)
        before = await report_rows(polling, until)
        async with polling.sessions() as session:
            [refs] = list(await session.scalars(select(Invitation.message_ref)))
        assert refs is not None

        personal = ["Ann Example", "ann@example.com", "alice-7781", str(ann.id), refs, COMMENT]
        found = {
            hit.split("=")[0] for hit in await stored_values_containing(polling.sessions, personal)
        }
        assert found >= {
            "customer.name",
            "customer.email",
            "customer.external_id",
            "identity.external_id",
            "invitation.message_ref",
            "answer.text",
        }

        # one answer desk for both channels, as ``feedbackbot run`` builds it
        polling.dispatcher["answers"] = slack_side.services.answers
        await telegram.send_command(ann, "/forget")
        confirm = (await telegram.wait_for_messages(ann, 5))[-1]
        await telegram.press_button(ann, confirm, "Yes")
        await telegram.wait_for_edit(confirm)

        assert await stored_values_containing(polling.sessions, personal) == []
        async with polling.sessions() as session:
            [customer] = list(await session.scalars(select(Customer)))
            answers = list(await session.scalars(select(Answer).order_by(Answer.id)))
        assert customer.external_id.startswith("erased-") and customer.erased_at is not None
        assert [(a.question_key, a.value) for a in answers] == [
            ("csat", 1),
            ("fcr", 0),
            ("comment", None),
        ]
        assert all(a.customer_id == customer.id for a in answers)
        assert await report_rows(polling, until) == before

        # the agent's alert: edited at once by the Slack side, name and comment gone
        await slack_side.services.work.join()
        edited = slack.find_message(alert.channel, alert.ts)
        assert edited is not None
        shown = json.dumps(edited.blocks) + edited.text
        for gone in ("Ann Example", "alice-7781", "lost my parcel"):
            assert gone not in shown
        assert "erased their personal data" in shown
        assert "CASE-9" in shown
        assert await slack_side.sweep_alerts() == 0
        await slack_side.stop()


async def test_an_alert_left_unedited_is_edited_by_the_next_sweep(polling: Harness) -> None:
    """Forgotten with no Slack side running (a Telegram-only worker): the mark stays until
    the Slack side's sweep edits the alert."""
    telegram = polling.telegram
    ann = telegram.create_user("Ann")
    async with SlackWebAPI() as slack:
        dana = slack.create_user("dana")
        slack_side = create_runtime(slack_settings(slack), polling.sessions, "test-slack")
        assert slack_side is not None
        body = {
            "case_id": "CASE-3",
            "customer": {"id": "alice-1", "telegram_chat_id": ann.id, "name": "Ann Example"},
            "agent": {"id": "dana", "slack_user_id": dana.id},
            "closed_at": utcnow().isoformat(),
        }
        async with polling.sessions() as session, session.begin():
            await record_case(
                session,
                CaseClosed.model_validate(body),
                catalog=load_catalog(None),
                config=POLICY,
                now=utcnow(),
            )
        await polling.dispatch()
        [question] = await telegram.wait_for_messages(ann, 1)
        await telegram.press_button(ann, question, "1")
        await telegram.wait_for_messages(ann, 2)
        assert await slack_side.send_pending_alerts() == 1
        [alert] = await slack.wait_for_messages(dana, 1)
        await telegram.send_command(ann, "/forget")
        confirm = (await telegram.wait_for_messages(ann, 3))[-1]
        await telegram.press_button(ann, confirm, "Yes")
        await telegram.wait_for_edit(confirm)
        assert "Ann Example" in shown_of(slack, alert)

        assert await slack_side.sweep_alerts() == 1
        assert "Ann Example" not in shown_of(slack, alert)
        assert await slack_side.sweep_alerts() == 0
        await slack_side.stop()


def shown_of(slack: SlackWebAPI, alert: object) -> str:
    message = slack.find_message(alert.channel, alert.ts)  # type: ignore[attr-defined]
    assert message is not None
    return json.dumps(message.blocks) + message.text
