"""Daily agent digests and the weekly team digest, posted once per period, with a PNG chart."""

from __future__ import annotations

import asyncio
import io
import json
import random
from datetime import datetime, timedelta

from PIL import Image

from bot.demo.comments import comment, nps_and_theme
from bot.standins.slack_objects import SlackUser
from storage.models import Agent, Customer, FollowUp, InvitationStatus
from tests.bot.slack.conftest import SlackHarness
from tests.factories import Factory

# The fixed now is Monday 2026-03-02 12:00 UTC: "yesterday" is Sunday 1 March, "last week"
# is ISO week 9 (Monday 23 February to Sunday 1 March).


class Seed:
    def __init__(self, factory: Factory, customer: Customer) -> None:
        self.factory = factory
        self.customer = customer
        self.cases = 0

    async def csat(
        self, agent: Agent, score: int | None, at: datetime, text: str | None = None
    ) -> int:
        """One invitation sent at ``at``; answered with ``score`` (and a comment) unless None."""
        self.cases += 1
        case = await self.factory.case(self.customer, agent, f"CASE-{self.cases}")
        answered = score is not None
        invitation = await self.factory.invitation(
            case,
            status=InvitationStatus.ANSWERED if answered else InvitationStatus.SENT,
            sent_at=at - timedelta(minutes=5),
            answered_at=at if answered else None,
        )
        if answered:
            await self.factory.answer(invitation, "csat", score, answered_at=at)
        if text is not None:
            await self.factory.answer(invitation, "comment", None, text=text, answered_at=at)
        return invitation.id or 0

    async def nps(self, agent: Agent, score: int, at: datetime) -> None:
        self.cases += 1
        case = await self.factory.case(self.customer, agent, f"CASE-{self.cases}")
        invitation = await self.factory.invitation(
            case,
            "nps",
            status=InvitationStatus.ANSWERED,
            sent_at=at - timedelta(minutes=5),
            answered_at=at,
        )
        await self.factory.answer(invitation, "nps", score, answered_at=at)


async def _agents(factory: Factory, dana: SlackUser, eli: SlackUser) -> tuple[Agent, Agent]:
    return (
        await factory.agent("dana", name="Dana", slack_user_id=dana.id),
        await factory.agent("eli", name="Eli", slack_user_id=eli.id, team="tier1"),
    )


async def test_daily_digest_has_the_right_numbers_and_posts_once(
    harness: SlackHarness, factory: Factory, now: datetime
) -> None:
    slack = harness.slack
    dana_user, eli_user = slack.create_user("dana"), slack.create_user("eli")
    dana, _ = await _agents(factory, dana_user, eli_user)
    seed = Seed(factory, await factory.customer("boris", name="Boris"))
    yesterday = now - timedelta(days=1)
    for score in (5, 4):
        await seed.csat(dana, score, yesterday)
    low = await seed.csat(dana, 2, yesterday, text="<!here> nobody called <@U0BOSS> back")
    await seed.csat(dana, None, yesterday)  # sent, never answered
    await seed.csat(dana, 5, yesterday - timedelta(days=1))  # the day before: 100%
    await seed.csat(dana, 1, now)  # today: not in yesterday's digest
    for score in (10, 9, 3):
        await seed.nps(dana, score, yesterday)
    await factory.save(
        FollowUp(
            invitation_id=low,
            agent_id=dana.id,
            reason="CSAT 2",
            alerted_at=yesterday,
            alert_ref="D1:1.1",
        )
    )

    assert await harness.runtime.send_daily_digests(now) == 1
    assert await harness.runtime.send_daily_digests(now) == 0

    [digest] = slack.app_messages_in(dana_user)
    assert slack.app_messages_in(eli_user) == []  # nothing to report, no DM
    body = json.dumps(digest.blocks, ensure_ascii=False)
    assert "Sunday, 01 March 2026" in body
    assert "*CSAT*\\n67% (n=3, few answers)\\n_▼ 33 pts vs the day before_" in body
    assert "*NPS*\\n+33 (n=3, few answers)" in body  # 2 promoters, 1 detractor of 3
    assert "*Response rate*\\n86% (6 of 7)" in body
    assert "&lt;!here&gt; nobody called &lt;@U0BOSS&gt; back" in body
    assert "<!here>" not in body and "<@U0BOSS>" not in body
    assert "1 low-score alert(s) waiting for a follow-up" in body
    assert "CASE-3" in body


async def test_weekly_team_digest_posts_numbers_and_a_png_chart_once(
    harness: SlackHarness, factory: Factory, now: datetime
) -> None:
    slack = harness.slack
    channel = slack.create_channel("#support-feedback")
    harness.runtime.services.digest_channel = channel.id
    dana, eli = await _agents(factory, slack.create_user("dana"), slack.create_user("eli"))
    seed = Seed(factory, await factory.customer("boris"))
    last_week = now - timedelta(days=3)
    for score in (5, 5, 4, 1):
        await seed.csat(dana, score, last_week)
    for score in (3, 2):
        await seed.csat(eli, score, last_week)
    await seed.csat(eli, 5, last_week - timedelta(weeks=1))
    for score in (9, 0):
        await seed.nps(eli, score, last_week - timedelta(weeks=3))

    assert await harness.runtime.send_weekly_digest(now) is True
    assert await harness.runtime.send_weekly_digest(now) is False

    posts = slack.app_messages_in(channel)
    [digest] = [m for m in posts if not m.files]
    [chart] = [m for m in posts if m.files]
    body = json.dumps(digest.blocks, ensure_ascii=False)
    assert "2026-W09" in body
    assert "*CSAT*\\n50% (n=6)" in body  # 3 of 6 satisfied across the team
    assert "*Dana*: CSAT 75% (n=4, few answers)" in body
    assert "*Eli*: CSAT 0% (n=2, few answers) ▼ 100 pts" in body
    [upload] = list(slack.files.values())
    assert upload.completed and upload.channels == [channel.id]
    assert chart.files[0].id == upload.id
    assert upload.filename == "feedback-2026-W09.png"
    assert upload.content is not None and upload.content.startswith(b"\x89PNG\r\n\x1a\n")
    Image.open(io.BytesIO(upload.content)).verify()


async def test_a_failed_digest_post_is_retried_by_the_next_run(
    harness: SlackHarness, factory: Factory, now: datetime
) -> None:
    slack = harness.slack
    channel = slack.create_channel("#support-feedback")
    harness.runtime.services.digest_channel = channel.id
    dana, _ = await _agents(factory, slack.create_user("dana"), slack.create_user("eli"))
    await Seed(factory, await factory.customer("boris")).csat(dana, 4, now - timedelta(days=3))
    slack.fail_next("chat.postMessage", error="internal_error", status=500)

    assert await harness.runtime.send_weekly_digest(now) is False
    assert slack.app_messages_in(channel) == []
    assert await harness.runtime.send_weekly_digest(now) is True
    assert len([m for m in slack.app_messages_in(channel) if not m.files]) == 1


async def test_no_digest_channel_means_no_team_digest(harness: SlackHarness, now: datetime) -> None:
    assert harness.runtime.services.digest_channel is None
    assert await harness.runtime.send_weekly_digest(now) is False
    assert harness.slack.calls_to("chat.postMessage") == []


async def test_two_workers_running_the_digest_jobs_at_once_post_each_digest_once(
    harness: SlackHarness, factory: Factory, now: datetime
) -> None:
    slack = harness.slack
    channel = slack.create_channel("#support-feedback")
    harness.runtime.services.digest_channel = channel.id
    dana_user = slack.create_user("dana")
    dana, _ = await _agents(factory, dana_user, slack.create_user("eli"))
    seed = Seed(factory, await factory.customer("boris"))
    await seed.csat(dana, 4, now - timedelta(days=1))
    runtime = harness.runtime

    weekly = await asyncio.gather(*(runtime.send_weekly_digest(now) for _ in range(3)))
    daily = await asyncio.gather(*(runtime.send_daily_digests(now) for _ in range(3)))

    assert sorted(weekly) == [False, False, True]
    assert sorted(daily) == [0, 0, 1]
    assert len([m for m in slack.app_messages_in(channel) if not m.files]) == 1
    assert len(slack.app_messages_in(dana_user)) == 1


async def test_digests_name_the_theme_low_scores_share_with_a_quote(
    harness: SlackHarness, factory: Factory, now: datetime
) -> None:
    slack = harness.slack
    dana_user, eli_user = slack.create_user("dana"), slack.create_user("eli")
    dana, _ = await _agents(factory, dana_user, eli_user)
    seed = Seed(factory, await factory.customer("boris", name="Boris"))
    rng = random.Random(6)
    for day in range(1, 25):
        for _ in range(3):
            score, theme = nps_and_theme(rng, "refund")
            csat = 1 if score <= 6 else 5
            await seed.csat(dana, csat, now - timedelta(days=day), text=comment(rng, "en", theme))

    assert await harness.runtime.send_daily_digests(now) == 1
    [digest] = slack.app_messages_in(dana_user)
    body = json.dumps(digest.blocks, ensure_ascii=False)
    assert "What your low scores share (30 days):*" in body
    assert "refund" in body.lower() or "money" in body.lower()
    texts = [b.get("text", {}).get("text", "") for b in digest.blocks]
    [at] = [i for i, text in enumerate(texts) if text.startswith("*What your low scores share")]
    assert texts[at + 1].startswith(">")  # one quote of a low score about it

    channel = slack.create_channel("#support-feedback")
    harness.runtime.services.digest_channel = channel.id
    assert await harness.runtime.send_weekly_digest(now)
    [team] = [m for m in slack.app_messages_in(channel) if not m.files]
    assert "Detractor theme (30 days):*" in json.dumps(team.blocks, ensure_ascii=False)
