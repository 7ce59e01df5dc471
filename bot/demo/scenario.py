"""The demo's story, from closed cases to the report, through the real product.

Cases go in over HTTP, the real dispatcher sends the surveys, simulated customers answer in the
stand-ins, low scores alert agents in Slack, the real campaign functions invite customers to NPS
and the value survey, an agent's daily digest is posted and the report is built from the
database. Only the clock is compressed (see ``stage.demo_settings``); the one shortcut is the
reminder, whose due time is moved to "now" instead of waiting an hour.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.configs import policy_config
from bot.dashboard.signin import Viewer, create_link
from bot.demo import cast, planted
from bot.demo.cast import Behaviour, Customer, Platform
from bot.demo.customers import WITHIN, Script, answer_slack, answer_telegram, stop_in_telegram
from bot.demo.digest import digest_text
from bot.demo.history import DAYS as HISTORY_DAYS
from bot.demo.history import import_history
from bot.demo.stage import DemoFailed, Stage, staged
from bot.slack import actions
from bot.slack.alerts import send_pending_alerts
from bot.slack.app import services_from_settings, web_client
from bot.slack.digests import send_daily_agent_digests
from bot.slack.services import SlackServices
from bot.standins.slack_objects import SlackUser
from bot.standins.telegram_objects import TelegramUser
from scoring.chart import render_chart, trend_period
from scoring.periods import window
from scoring.report import Report, build_report, customer_values
from storage.engine import create_engine, session_factory
from storage.follow_ups import count_follow_ups
from storage.invitations import answered_by_survey, remind_now
from storage.types import utcnow
from surveys.catalog import load_catalog
from surveys.intake import campaign_batch

REMINDER_TRIES = 100
ALERT_PREFIX = "Low score from"
"""The fallback text of an alert (``bot.slack.blocks.alert_message``)."""
DIGEST_AGENT = "dana"


class Narrator(Protocol):
    """How the story is told (the CLI prints it with rich; tests may ignore it)."""

    def step(self, title: str) -> None: ...

    def note(self, text: str) -> None: ...

    def start(self, description: str, total: int) -> None: ...

    def advance(self) -> None: ...


@dataclass
class Result:
    cases: int = 0
    invitations: dict[str, int] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    alerts: int = 0
    digest: str = ""
    report: Report | None = None
    insights: list[str] = field(default_factory=list)
    chart: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Person:
    """A cast member and their account in the stand-ins; ``seen``: bot messages so far."""

    customer: Customer
    account: TelegramUser | SlackUser | None
    seen: int = 0


KeepServing = Callable[[Result, str], Awaitable[None]]
"""Called after the story with its result and an admin sign-in link; the stand-ins and the
server (dashboard included) run until it returns."""


async def run_demo(
    database_url: str, folder: Path, narrator: Narrator, keep_serving: KeepServing | None = None
) -> Result:
    """Run the whole story against ``database_url``; the chart goes to ``folder``.

    With ``keep_serving``, everything keeps running after the story until it returns.
    """
    result = Result()
    started = time.perf_counter()
    narrator.step("Starting the Telegram and Slack stand-ins and feedbackbot")
    async with staged(database_url) as stage:
        result.seconds["start"] = time.perf_counter() - started
        narrator.note(
            f"feedbackbot serves {stage.base_url} (Telegram bot and Slack app connected to "
            f"local stand-ins at {stage.telegram.base_url} and {stage.slack.base_url})"
        )
        engine = create_engine(database_url)
        try:
            sessions = session_factory(engine)
            narrator.step(f"Importing {HISTORY_DAYS} days of earlier feedback (as import answers)")
            story_start = utcnow()
            imported = await import_history(sessions, story_start)
            narrator.note(f"{imported} answers of earlier customers, so every trend has a shape")
            narrator.step(
                f"Importing {planted.CUSTOMERS} older customers' answers and renewals "
                "(with effects planted for the insights to find)"
            )
            await planted.plant_history(sessions, story_start)
            await _story(stage, sessions, narrator, result, story_start)
            if keep_serving is not None:
                narrator.step("Scoring the answers")
                result.report, result.chart = await _report(database_url, folder)
                result.seconds["total"] = time.perf_counter() - started
                await keep_serving(result, await _admin_link(stage, sessions))
                return result
        finally:
            await engine.dispose()
    narrator.step("Scoring the answers")
    result.report, result.chart = await _report(database_url, folder)
    narrator.step("Insights: what drives NPS, what detractors write about, who renews")
    result.insights = await _insights(database_url)
    result.seconds["total"] = time.perf_counter() - started
    return result


async def _admin_link(stage: Stage, sessions: async_sessionmaker[AsyncSession]) -> str:
    """A one-time admin sign-in link to the demo's dashboard."""
    secret = stage.settings.link_secret
    assert secret is not None
    async with sessions() as session, session.begin():
        return await create_link(
            session,
            secret.get_secret_value(),
            Viewer(admin=True, agent=None),
            utcnow(),
            stage.base_url,
        )


async def _story(
    stage: Stage,
    sessions: async_sessionmaker[AsyncSession],
    narrator: Narrator,
    result: Result,
    started: datetime,
) -> None:
    agents = {a.key: stage.slack.create_user(a.key, real_name=a.name) for a in cast.AGENTS}
    people = [_enrol(stage, customer) for customer in cast.customers()]

    narrator.step(f"The helpdesk closes {len(people)} cases: POST /api/v1/cases/closed")
    result.invitations = await _close_cases(stage, people, agents, narrator)
    result.cases = len(people)
    reachable = [p for p in people if p.account is not None]

    narrator.step("Customers answer the CSAT survey in Telegram and Slack")
    for person in people:
        if person.customer.effort is not None:
            narrator.note(
                f'{person.customer.name}\'s case asked for "surveys": ["ces"]: '
                "they answer the effort question (CES) instead"
            )
    await _in_parallel(narrator, "CSAT answers", reachable, lambda p: _csat(stage, p))
    for person in reachable:
        if person.customer.behaviour is Behaviour.STOPS:
            narrator.note(f"{person.customer.name} sends /stop: no more surveys for them")
    silent = [p.customer.name for p in reachable if p.customer.behaviour is Behaviour.SILENT]
    narrator.note(f"{', '.join(silent)} never answer (their surveys will expire)")
    reminded = [p for p in reachable if p.customer.behaviour is Behaviour.NEEDS_REMINDER]
    for person in reminded:
        narrator.note(f"{person.customer.name} did not answer: an hour later (fast-forwarded)…")
        await _remind(stage, sessions, person)
        narrator.note(f"…the reminder arrives and {person.customer.name} answers it")

    narrator.step("Low scores alert the agents in Slack")
    services = services_from_settings(stage.settings, sessions, "demo")
    client = web_client(stage.slack.token, stage.settings.slack_api_url)
    alerts = await _alerts_delivered(stage, sessions, services, client, agents.values())
    narrator.note(f"{len(alerts)} low-score alerts with a Follow up button in agents' DMs")
    if alerts:
        agent, message = alerts[0]
        response = await stage.slack.press_button(agent, message, action_id=actions.FOLLOW_UP)
        if response.status != 200:
            raise DemoFailed(f"the Slack app answered {response.status} to Follow up")
        narrator.note(f"{agent.real_name} presses Follow up: the loop with the customer is closed")

    answering = [p for p in reachable if p.customer.behaviour in _ANSWERING]
    for survey, script in (("nps", _nps_script), ("value", _value_script)):
        narrator.step(f"The daily campaign invites customers to the {survey.upper()} survey")
        invited = await _campaign(stage, sessions)
        narrator.note(f"{invited} customers invited (opted-out ones are passed over)")
        await _in_parallel(
            narrator,
            f"{survey.upper()} answers",
            answering,
            _answering_with(stage, script),
        )

    result.alerts = len(await _alerts_delivered(stage, sessions, services, client, agents.values()))
    narrator.note(f"{result.alerts} low-score alerts in all, detractors' NPS included")

    narrator.step("The next morning: each agent's daily digest in Slack")
    tomorrow = datetime.combine(utcnow().date() + timedelta(days=1), datetime.min.time(), UTC)
    posted = await send_daily_agent_digests(services, client, now=tomorrow + timedelta(hours=8))
    narrator.note(f"{posted} digests posted")
    result.digest = digest_text(stage.slack, agents[DIGEST_AGENT])
    result.answered = await _answered(sessions, started)


_ANSWERING = (Behaviour.ANSWERS, Behaviour.NEEDS_REMINDER)
_LOCALES = {"en": "en-US", "de": "de-DE", "es": "es-ES", "ru": "ru-RU"}


def _enrol(stage: Stage, customer: Customer) -> Person:
    first, _, last = customer.name.partition(" ")
    if customer.platform is Platform.TELEGRAM:
        user = stage.telegram.create_user(first, last_name=last, language_code=customer.language)
        return Person(customer, user)
    if customer.platform is Platform.SLACK:
        account = stage.slack.create_user(
            first.lower(),
            real_name=customer.name,
            tz=customer.timezone,
            locale=_LOCALES[customer.language],
        )
        return Person(customer, account)
    return Person(customer, None)


async def _close_cases(
    stage: Stage, people: Sequence[Person], agents: dict[str, SlackUser], narrator: Narrator
) -> dict[str, int]:
    token = stage.settings.api_token
    assert token is not None
    headers = {"Authorization": f"Bearer {token.get_secret_value()}"}
    outcomes: dict[str, int] = {}
    narrator.start("cases closed", len(people))
    now = utcnow()
    async with aiohttp.ClientSession(headers=headers) as http:
        for number, person in enumerate(people):
            address = person.account.id if person.account is not None else None
            agent = agents[person.customer.agent.key].id
            body = cast.case_event(number, person.customer, address, agent, now)
            async with http.post(f"{stage.base_url}/api/v1/cases/closed", json=body) as response:
                if response.status != 202:
                    raise DemoFailed(
                        f"POST /api/v1/cases/closed answered {response.status}: "
                        f"{await response.text()}"
                    )
                for invitation in (await response.json())["invitations"]:
                    label = f"{invitation['survey']} {invitation['status']}"
                    if invitation["status"] == "skipped":
                        label += f" ({invitation['reason']})"
                    outcomes[label] = outcomes.get(label, 0) + 1
            narrator.advance()
    for label, count in sorted(outcomes.items()):
        narrator.note(f"{count:3d} × {label}")
    return outcomes


async def _in_parallel(
    narrator: Narrator,
    description: str,
    people: Sequence[Person],
    act: Callable[[Person], Awaitable[None]],
) -> None:
    narrator.start(description, len(people))

    async def one(person: Person) -> None:
        await act(person)
        narrator.advance()

    await asyncio.gather(*(one(person) for person in people))


async def _csat(stage: Stage, person: Person) -> None:
    customer = person.customer
    match customer.behaviour:
        case Behaviour.ANSWERS if customer.effort is not None:
            await _answer(stage, person, Script.of([customer.effort]))
        case Behaviour.ANSWERS:
            await _answer(stage, person, _csat_script(customer))
        case Behaviour.STOPS:
            assert isinstance(person.account, TelegramUser)
            await stop_in_telegram(stage.telegram, person.account, known=person.seen)
            person.seen += 2
        case _:  # silent, or waiting for the reminder: the survey arrives, nobody answers
            await _wait_for_survey(stage, person)


def _answering_with(
    stage: Stage, script: Callable[[Customer], Script]
) -> Callable[[Person], Awaitable[None]]:
    async def act(person: Person) -> None:
        await _answer(stage, person, script(person.customer))

    return act


def _csat_script(customer: Customer) -> Script:
    return Script.of([customer.csat], yes=customer.csat >= 3, text=customer.comment)


def _nps_script(customer: Customer) -> Script:
    return Script.of([customer.nps], text=customer.comment)


def _value_script(customer: Customer) -> Script:
    return Script.of(customer.ratings)


async def _answer(stage: Stage, person: Person, script: Script) -> None:
    account = person.account
    if isinstance(account, TelegramUser):
        person.seen = await answer_telegram(stage.telegram, account, script, known=person.seen)
    elif isinstance(account, SlackUser):
        person.seen = await answer_slack(stage.slack, account, script, known=person.seen)


async def _wait_for_survey(stage: Stage, person: Person) -> None:
    account = person.account
    if isinstance(account, TelegramUser):
        await stage.telegram.wait_for_messages(account, person.seen + 1, within=20)
    elif isinstance(account, SlackUser):
        await stage.slack.wait_for_messages(account, person.seen + 1, within=20)
    person.seen += 1


async def _remind(stage: Stage, sessions: async_sessionmaker[AsyncSession], person: Person) -> None:
    """Make the unanswered CSAT's reminder due now; the real dispatcher sends it."""
    for _ in range(REMINDER_TRIES):
        async with sessions() as session, session.begin():
            moved = await remind_now(session, person.customer.key, utcnow() - timedelta(seconds=1))
        if moved:
            break
        await asyncio.sleep(0.05)  # the send is recorded a moment after the message arrives
    else:
        raise DemoFailed(f"{person.customer.name}'s survey was never recorded as sent")
    await _answer(stage, person, _csat_script(person.customer))


def _alert_messages(stage: Stage, agents: Iterable[SlackUser]) -> list[tuple[SlackUser, Any]]:
    return [
        (agent, message)
        for agent in agents
        for message in stage.slack.app_messages_in(agent)
        if message.text.startswith(ALERT_PREFIX)
    ]


async def _alerts_delivered(
    stage: Stage,
    sessions: async_sessionmaker[AsyncSession],
    services: SlackServices,
    client: AsyncWebClient,
    agents: Iterable[SlackUser],
) -> list[tuple[SlackUser, Any]]:
    """Send the alerts still pending (Telegram answers wait for the minutely sweep), then wait
    until every low score recorded so far has its alert in the agent's DM."""
    await send_pending_alerts(services, client)
    async with sessions() as session:
        expected = await count_follow_ups(session)
    agents = list(agents)
    await stage.slack.wait_until(
        lambda: len(_alert_messages(stage, agents)) >= expected,
        f"{expected} low-score alerts in the agents' DMs",
        WITHIN,
    )
    return _alert_messages(stage, agents)


async def _campaign(stage: Stage, sessions: async_sessionmaker[AsyncSession]) -> int:
    """One pass of the daily campaign's real batch function (the scheduled job already ran
    today, before there were customers, and runs once a day)."""
    catalog = load_catalog(stage.settings.surveys_file)
    config = policy_config(stage.settings)
    async with sessions() as session, session.begin():
        batch = await campaign_batch(session, catalog=catalog, config=config, now=utcnow())
    return sum(batch.invited.values())


async def _answered(sessions: async_sessionmaker[AsyncSession], since: datetime) -> dict[str, int]:
    async with sessions() as session:
        return await answered_by_survey(session, since)


async def _insights(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return await planted.findings(session, utcnow())
    finally:
        await engine.dispose()


async def _report(database_url: str, folder: Path) -> tuple[Report, Path]:
    """The report of ``feedbackbot report`` (by agent, last 30 days) and its chart."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            span = window("30d", None, datetime.now(UTC) + timedelta(minutes=1))
            report = await build_report(session, "agent", span, {})
            trend = await build_report(session, trend_period(span), span, {})
            values = await customer_values(session, span, {})
    finally:
        await engine.dispose()
    chart = render_chart(folder / "feedbackbot-demo.png", span, trend, report, values)
    return report, chart
