"""Issue 12: at LOG_LEVEL=DEBUG a whole Slack survey, comment and alert included, logs no
customer text: slack_sdk's request and response bodies, bolt's payloads and SQLAlchemy's
parameters never reach the log."""

from __future__ import annotations

import io

from bot.slack import actions
from tests.bot.slack.conftest import SlackHarness

COMMENT = "Refund-never-arrived-4411"
NAME = "Boris Pseudonymovich"


async def test_a_survey_at_debug_level_logs_no_comment_or_name(
    harness: SlackHarness, debug_log: io.StringIO
) -> None:
    slack = harness.slack
    customer = slack.create_user("boris")
    agent = slack.create_user("dana", real_name="Dana Agent")
    await harness.close_case(customer, agent, name=NAME)
    await harness.dispatch()
    [question] = await slack.wait_for_messages(customer, 1)
    await slack.press_button(customer, question, text="1")
    await harness.settle()
    fcr = (await slack.wait_for_messages(customer, 2))[-1]
    await slack.press_button(customer, fcr, text="No")
    await harness.settle()
    comment = (await slack.wait_for_messages(customer, 3))[-1]
    await slack.press_button(customer, comment, action_id=actions.COMMENT)
    await harness.settle()
    modal = await slack.wait_for_modal(customer)
    await slack.submit_view(customer, modal, {actions.COMMENT_BLOCK: COMMENT})
    await harness.settle()
    [alert] = await slack.wait_for_messages(agent, 1)
    assert COMMENT in str(alert.blocks) and NAME in str(alert.blocks)

    log = debug_log.getvalue()
    assert "answer recorded" in log
    assert COMMENT not in log
    assert NAME not in log
