"""GET /metrics: Prometheus text behind the API token, and the counters move as work is done.

The run is the real ``serve()`` with Slack against the stand-in: a survey send refused once
with 429, a low score answered in Slack, the agent's alert; the scrape is parsed with
prometheus-client's own parser and compared with the database.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.standins.slack import SlackWebAPI
from storage.engine import open_engine, session_factory
from storage.models import Invitation
from storage.types import utcnow
from tests.bot.slack.test_serve import running
from tests.serving import API_TOKEN, post_case

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(base: str, token: str | None = API_TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{base}/metrics", headers=headers) as response,
    ):
        return response.status, await response.text()


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def now() -> str:
    return utcnow().isoformat()


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def statuses(url: str) -> Counter[str]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = await session.execute(
            select(Invitation.status, func.count()).group_by(Invitation.status)
        )
        return Counter({status.value: count for status, count in rows.all()})


async def test_metrics_need_the_token_and_count_sends_429s_answers_and_alert_latency(
    empty_database_url: str,
) -> None:
    async with SlackWebAPI() as slack:
        async with running(empty_database_url, slack) as base:
            assert (await scrape(base, token=None))[0] == 401
            assert (await scrape(base, token="wrong"))[0] == 401
            status, text = await scrape(base)
            assert status == 200
            before = samples(text)

            boris, dana = slack.create_user("boris"), slack.create_user("dana")
            slack.fail_next("chat.postMessage", retry_after=1)  # the survey's first try: 429
            customer = {"id": "boris", "slack_user_id": boris.id}
            agent = {"id": "dana", "slack_user_id": dana.id}
            await post_case(
                base,
                {"case_id": "CASE-9", "customer": customer, "agent": agent, "closed_at": now()},
            )
            [question] = await slack.wait_for_messages(boris, 1, within=15)
            assert (await slack.press_button(boris, question, text="1")).status == 200
            await slack.wait_for_messages(dana, 1, within=10)  # the low-score alert
            alerts = "feedbackbot_low_score_alert_latency_seconds_count"
            for _ in range(100):  # the alert is recorded right after Slack took it
                after = samples((await scrape(base))[1])
                sent = ("feedbackbot_sends_total", {"platform": "slack", "outcome": "sent"})
                if value(after, alerts) > value(before, alerts) and value(
                    after, sent[0], **sent[1]
                ) > value(before, sent[0], **sent[1]):
                    break  # a send's outcome is counted right after it is recorded
                await asyncio.sleep(0.05)
            in_database = await statuses(empty_database_url)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("feedbackbot_sends_total", platform="slack", outcome="rate_limited") == 1
    assert moved("feedbackbot_sends_total", platform="slack", outcome="sent") == 1
    assert moved("feedbackbot_rate_limited_total", platform="slack") == 1
    assert moved("feedbackbot_rate_limit_wait_seconds_total", platform="slack") == 1
    assert moved("feedbackbot_answers_recorded_total", channel="slack") == 1
    assert moved("feedbackbot_low_score_alert_latency_seconds_count") == 1
    assert 0 <= moved("feedbackbot_low_score_alert_latency_seconds_sum") < 10
    assert value(after, "feedbackbot_database_up") == 1
    shown = {
        status: value(after, "feedbackbot_invitations", status=status)
        for status in ("pending", "sending", "sent", "answered", "expired", "failed")
    }
    assert shown == {status: in_database[status] for status in shown}
    assert sum(in_database.values()) == 1
    leases = {
        dict(labels)["lease"]
        for (name, labels), held in after.items()
        if name == "feedbackbot_lease_held" and held == 1
    }
    assert "dispatch:slack" in leases
    assert value(after, "feedbackbot_part_up", part="dispatch") == 1
    assert ("feedbackbot_part_restarts_total", frozenset({("part", "dispatch")})) in after
