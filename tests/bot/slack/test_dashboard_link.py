"""``/feedback dashboard``: a one-time sign-in link in a DM, for an admin or an agent."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.dashboard.signin import Viewer, redeem_link
from tests.bot.slack.conftest import SlackHarness
from tests.factories import Factory

SECRET = "dashboard-secret"


def _token(text: str) -> str:
    match = re.search(r"<(http://dash\.example/dashboard/signin\?token=([^|>]+))\|sign in>", text)
    assert match, text
    return match.group(2)


async def test_agents_and_admins_get_their_own_link_in_a_dm(
    harness: SlackHarness, factory: Factory
) -> None:
    slack, services = harness.slack, harness.runtime.services
    services.link_secret, services.dashboard_url = SECRET, "http://dash.example"
    dana, lead, stranger = (slack.create_user(n) for n in ("dana", "lead", "stranger"))
    services.admin_users = frozenset({lead.id})
    await factory.agent("dana", slack_user_id=dana.id)

    for user in (dana, lead, stranger):
        await slack.slash_command(user, "/feedback", "dashboard")
    await harness.settle()

    viewers = []
    for user in (dana, lead):
        [dm] = slack.messages_in(user)
        assert dm.params.get("unfurl_links") in (False, "false", "0", 0)
        [told] = slack.ephemerals_for(user)
        assert "sent you a sign-in link" in told.text
        async with harness.sessions() as session, session.begin():
            viewers.append(await redeem_link(session, SECRET, _token(dm.text), datetime.now(UTC)))
    assert viewers == [Viewer(False, "dana"), Viewer(True, None)]
    assert slack.messages_in(stranger) == []
    [refused] = slack.ephemerals_for(stranger)
    assert "not an agent feedbackbot knows" in refused.text


async def test_without_link_secret_the_command_says_so(harness: SlackHarness) -> None:
    slack = harness.slack
    dana = slack.create_user("dana")
    await slack.slash_command(dana, "/feedback", "dashboard")
    await harness.settle()
    [told] = slack.ephemerals_for(dana)
    assert "LINK_SECRET" in told.text
    assert slack.messages_in(dana) == []
