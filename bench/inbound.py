"""Inbound benchmark: N survey button presses through the real aiogram Dispatcher into the database.

    .venv/bin/python bench/inbound.py [--presses 2000] [--concurrency 1] [--database-url URL]

Set-up (not timed): closed cases go through the real ingestion (``surveys.intake.record_case``,
which pins the survey version), and the real outbox dispatcher sends each CSAT question through
``TelegramChannel``, so every invitation is ``sent`` with its message remembered. Each customer
then presses the buttons of the keyboard the bot sent: a CSAT score, the FCR yes/no, and Skip on
the optional comment after a low score. Every tenth customer double-taps the score: a second
callback query with the same data, which must be answered and counted once.

Three runs feed the very same updates through ``Dispatcher.feed_update``:

* **ceiling**: a Dispatcher shaped like ``build_dispatcher`` (same routers in the same order,
  same workflow data, same error handler) whose answer router only answers the callback query:
  what aiogram itself can do, storing nothing;
* **engine**: the Dispatcher ``bot/telegram/app.py`` builds, through the conversation engine
  into the database (answer row, status, follow-ups, next question, message reference).

* **replies**: the same shape whose answer router makes exactly the engine's Bot API calls
  (answer, edit the question, send the next step worked out by the engine's own functions from
  answers held in memory) and stores nothing: what any engine must spend besides storing.

A fourth run stores the very same presses without any of our code:

* **floor**: per press, one hand-written transaction on the same database, through the same
  SQLAlchemy engine and driver: read the invitation (locked on PostgreSQL), insert the answer
  (``ON CONFLICT DO NOTHING``), update the invitation. The least storage work a press can take.
  Its rows are removed again before the other runs.

The scores are engine answers/s as a ratio of the ceiling (what aiogram costs) and of the
floor (what storing costs). One press at a time, an engine that replies and stores a press can
take no less than replies + floor, so ceiling / (replies + floor) is the best engine/ceiling any
engine could reach at the floor's cost; it is printed beside the ratios.

By default updates are fed one at a time: the cost of a press with nothing else running. The
bot itself handles chats side by side, each chat in order
(``bot.telegram.inbound.UpdateRunner``, up to 16 at once, in polling and webhook mode alike);
``--concurrency K`` lets K customers press at once as it does, and then a double tap arrives
as two concurrent updates.

Outgoing Bot API calls go to ``RecordingSession``, an aiogram session that builds each request
the way the HTTP session does (``prepare_value``) and parses a Bot API-shaped answer with
``check_response``, but never leaves the process. Not the HTTP stand-in because it would put an
aiohttp server in the same event loop as the thing measured, and the engine run makes three
calls per press where the ceiling makes one: the stand-in's own request handling would then
weigh on one side only and the ratio would measure the stand-in. The recording session costs
every run the same per call, and it records what was sent, so the bench can check that each
pressed button was one the bot really offered and that every press was answered exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.base import BaseSession
from aiogram.methods.base import TelegramMethod, TelegramType
from aiogram.types import CallbackQuery, Message, Update
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.dispatch.dispatcher import DispatchConfig
from bot.dispatch.dispatcher import Dispatcher as Outbox
from bot.settings import load_settings
from bot.telegram import commands, fallback, privacy, start
from bot.telegram.app import build_dispatcher
from bot.telegram.callbacks import AnswerData, SkipData
from bot.telegram.channel import TelegramChannel, send_step
from storage import migrate
from storage.engine import open_engine, session_factory
from storage.models import Answer, Invitation, InvitationStatus
from storage.types import utcnow
from surveys.catalog import load_catalog
from surveys.conversation import AnswerCommand, Outcome, Prompt, Rejected, normalize
from surveys.definitions import Survey
from surveys.events import CaseClosed
from surveys.intake import record_case
from surveys.messages import say
from surveys.policy import PolicyConfig
from surveys.refs import find_question, option_ref, option_values, question_ref, resolve_option
from surveys.steps import Given, progress
from surveys.steps import step as step_of

TOKEN = "424242:BENCH-inbound-token"
BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Feedback", "username": "bench_bot"}
POLICY = PolicyConfig(csat_delay=timedelta(0), quiet_hours=None, throttle=timedelta(0))
SCORES = {5: 45, 4: 25, 3: 12, 2: 10, 1: 8}
"""CSAT spread in percent (a realistic skew towards satisfied customers)."""
AGENTS = ("dana", "eli", "fay")
FIRST_CHAT = 500_000_001
SHORT = {"answerCallbackQuery": "answer", "editMessageText": "edit", "sendMessage": "send"}
"""Bot API method names as the table shows them."""


class RecordingSession(BaseSession):
    """Answers Bot API calls in-process, the way the Bot API would, and remembers them."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.answers: dict[str, list[str | None]] = {}
        """callbackQueryId -> the texts it was answered with (exactly one expected)."""
        self.keyboards: dict[int, set[str]] = {}
        """chat id -> every callback_data on buttons the bot sent there."""
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def reset(self) -> None:
        self.calls.clear()
        self.answers.clear()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        name = method.__api_method__
        files: dict[str, Any] = {}
        params = {
            key: prepared
            for key, value in method.model_dump(warnings=False).items()
            if (prepared := self.prepare_value(value, bot=bot, files=files))
        }
        self.calls[name] += 1
        content = self.json_dumps({"ok": True, "result": self._result(name, params)})
        return self.check_response(bot, method, 200, content).result  # type: ignore[return-value]

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "answerCallbackQuery":
            self.answers.setdefault(params["callback_query_id"], []).append(params.get("text"))
            return True
        if name == "sendMessage":
            chat_id = int(params["chat_id"])
            message = _message(chat_id, next(self._ids), params["text"], params.get("reply_markup"))
            self.messages[(chat_id, message["message_id"])] = message
            markup = message.get("reply_markup", {}).get("inline_keyboard", [])
            self.keyboards.setdefault(chat_id, set()).update(
                button["callback_data"] for row in markup for button in row
            )
            return message
        if name in ("editMessageText", "editMessageReplyMarkup"):
            return _message(int(params["chat_id"]), int(params["message_id"]), params.get("text"))
        return True

    async def close(self) -> None:
        return None

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncIterator[bytes]:
        raise NotImplementedError("the bench downloads nothing")
        yield b""  # pragma: no cover


def _message(chat_id: int, message_id: int, text: str | None, markup: Any = None) -> dict:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Customer"},
        "from": BOT_USER,
        "text": text or "",
    }
    if markup:
        message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
    return message


@dataclass
class Script:
    """One customer's presses, in order; a group of two is a double tap."""

    chat_id: int
    groups: list[list[dict[str, Any]]] = field(default_factory=list)


@dataclass
class Plan:
    scripts: list[Script]
    presses: int
    double_taps: list[tuple[str, str]]
    """The callback query ids of each double tap."""
    buttons: list[tuple[int, str]]
    """(chat id, callback data) of every press, to check against the keyboards sent."""


def plan_presses(total: int, rng: random.Random) -> list[list[tuple[str, str]]]:
    """Per customer, the (question, option) pressed; exactly ``total`` presses in all."""
    customers: list[list[tuple[str, str]]] = []
    left = total
    while left > 0:
        score = rng.choices(list(SCORES), weights=list(SCORES.values()))[0]
        presses = [("csat", str(score)), ("fcr", "yes" if rng.random() < 0.7 else "no")]
        # A low score adds the optional comment; the customer presses its Skip button.
        if score <= 2:
            presses.append(("comment", "skip"))
        customers.append(presses[:left])
        left -= len(customers[-1])
    return customers


async def record_cases(
    sessions: async_sessionmaker[AsyncSession], count: int, progress: Progress
) -> None:
    """Closed cases through the real ingestion: customer, identity, case, pinned CSAT invite."""
    catalog = load_catalog(None)
    task = progress.add_task("recording closed cases", total=count)
    for first in range(0, count, 100):
        async with sessions() as session, session.begin():
            for n in range(first, min(first + 100, count)):
                now = utcnow()
                event = CaseClosed.model_validate(
                    {
                        "case_id": f"BENCH-{n}",
                        "customer": {
                            "id": f"customer-{n}",
                            "telegram_chat_id": FIRST_CHAT + n,
                            "language": "en",
                        },
                        "agent": {"id": AGENTS[n % len(AGENTS)], "team": "tier1"},
                        "closed_at": now.isoformat(),
                    }
                )
                await record_case(session, event, catalog=catalog, config=POLICY, now=now)
                progress.advance(task)


async def send_questions(sessions: async_sessionmaker[AsyncSession], bot: Bot) -> dict[int, int]:
    """The real outbox sends every CSAT question; returns chat id -> invitation id."""
    outbox = Outbox(sessions, [TelegramChannel(bot)], DispatchConfig(policy=POLICY, limits={}))
    try:
        await outbox.drain()
    finally:
        await outbox.close()
    async with sessions() as session:
        rows = await session.scalars(select(Invitation).order_by(Invitation.id))
        sent = {
            int(row.message_ref.partition(":")[0]): row.id
            for row in rows
            if row.status is InvitationStatus.SENT and row.message_ref and row.id
        }
    return sent


def button_data(survey: Survey, invitation_id: int, key: str, option: str) -> str:
    """The callback data ``bot/telegram/keyboards.py`` puts on this option's button."""
    if option == "skip":
        return SkipData(i=invitation_id, q=question_ref(key)).pack()
    question = survey.question(key)
    assert question is not None
    values = [str(v) for v in question.scale.points] if question.scale else ["yes", "no"]
    ref = option_ref(option, values.index(option))
    return AnswerData(i=invitation_id, q=question_ref(key), v=ref).pack()


def callback_update(update_id: int, query_id: int, message: dict, data: str) -> dict[str, Any]:
    """A callback_query update as getUpdates returns it: the customer pressed ``data``."""
    chat_id = message["chat"]["id"]
    customer = {"id": chat_id, "is_bot": False, "first_name": "Customer", "language_code": "en"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(query_id),
            "from": customer,
            "message": message,
            "chat_instance": str(-chat_id),
            "data": data,
        },
    }


def build_plan(
    pressed: list[list[tuple[str, str]]],
    invitations: dict[int, int],
    session: RecordingSession,
) -> Plan:
    """The updates for each planned press; every tenth customer double-taps the score.

    The first press is on the question message the bot really sent (text and keyboard); later
    questions are sent during the engine run only, so their presses carry a stand-in message
    with the question's text (the handler only uses its chat and id).
    """
    survey = load_catalog(None).get("csat")
    ids, message_ids = itertools.count(1), itertools.count(900_000_000)
    first_message = {chat: m for (chat, _), m in sorted(session.messages.items())}
    scripts, buttons, double_taps = [], [], []
    for n, presses in enumerate(pressed):
        chat_id = FIRST_CHAT + n
        script = Script(chat_id)
        for step, (key, option) in enumerate(presses):
            data = button_data(survey, invitations[chat_id], key, option)
            buttons.append((chat_id, data))
            if step == 0:
                message = first_message[chat_id]
            else:
                text = survey.question(key).texts["en"]  # type: ignore[union-attr]
                message = _message(chat_id, next(message_ids), text)
            taps = 2 if step == 0 and n % 10 == 0 else 1
            group = [callback_update(next(ids), next(ids), message, data) for _ in range(taps)]
            if taps == 2:
                double_taps.append(tuple(u["callback_query"]["id"] for u in group))
            script.groups.append(group)
        scripts.append(script)
    return Plan(scripts, len(buttons), double_taps, buttons)


def replies_dispatcher(real: Dispatcher, survey: Survey) -> Dispatcher:
    """``real``'s shape whose answer router makes the engine's replies and stores nothing.

    Per press: answer it, edit the question to show the answer, send the next question or the
    thank-you, worked out by the engine's own functions from answers kept in memory; a repeated
    press is only answered. The same Bot API calls the engine makes, without the database: what
    any engine must spend on top of storing, so ceiling / (replies + floor) bounds the
    engine/ceiling ratio of one press at a time.
    """
    given: dict[int, dict[str, Given]] = {}

    async def reply(query: CallbackQuery, bot: Bot, command: AnswerCommand) -> None:
        message = query.message
        assert isinstance(message, Message)
        answers = given.setdefault(message.chat.id, {})
        question = find_question(survey, command.question_key)
        assert question is not None
        if question.key in answers:
            await query.answer(say("counted", "en"))
            return
        current = step_of(command.invitation_id, survey, progress(survey, answers), "en")
        choice = command.choice
        if choice is not None:
            choice = resolve_option(choice, option_values(question))
        normalized = normalize(question, replace(command, choice=choice))
        assert isinstance(normalized, Given) and isinstance(current, Prompt)
        answers[question.key] = normalized
        shown = normalized.choice if normalized.choice is not None else str(normalized.value)
        label = next((o.label for o in current.options if o.value == shown), shown)
        note = Outcome(current, True, given=normalized, label=label).note()
        await query.answer()
        await message.edit_text(text=f"{message.text or ''}\n\n{note}", reply_markup=None)
        following = step_of(command.invitation_id, survey, progress(survey, answers), "en")
        assert not isinstance(following, Rejected)
        await send_step(bot, message.chat.id, following)

    async def press(query: CallbackQuery, bot: Bot, callback_data: AnswerData) -> None:
        await reply(
            query, bot, AnswerCommand(callback_data.i, callback_data.q, choice=callback_data.v)
        )

    async def skip(query: CallbackQuery, bot: Bot, callback_data: SkipData) -> None:
        await reply(query, bot, AnswerCommand(callback_data.i, callback_data.q, skip=True))

    answer_router = Router(name="answer")
    answer_router.callback_query.register(press, AnswerData.filter())
    answer_router.callback_query.register(skip, SkipData.filter())
    return _shaped_like(real, answer_router)


def ceiling_dispatcher(real: Dispatcher) -> Dispatcher:
    """``real``'s shape with an answer router that only answers: aiogram's own cost."""

    async def just_answer(query: CallbackQuery) -> None:
        await query.answer()

    null = Router(name="answer")
    null.callback_query.register(just_answer, AnswerData.filter())
    null.callback_query.register(just_answer, SkipData.filter())
    return _shaped_like(real, null)


def _shaped_like(real: Dispatcher, answer_router: Router) -> Dispatcher:
    """A Dispatcher with ``real``'s routers, workflow data and error handler, but whose
    answer router is ``answer_router``."""
    modules = {m.__name__.rsplit(".", 1)[1]: m for m in (start, privacy, commands, fallback)}
    dispatcher = Dispatcher()
    for key, value in real.workflow_data.items():
        dispatcher[key] = value
    names = [router.name for router in real.sub_routers]
    if "answer" not in names or set(names) - {"answer", *modules}:
        raise RuntimeError(f"build_dispatcher changed its routers ({names}); update the bench")
    dispatcher.include_routers(
        *(answer_router if name == "answer" else modules[name].make_router() for name in names)
    )
    dispatcher.errors.register(fallback.on_error)
    return dispatcher


async def feed(
    dispatcher: Dispatcher,
    bot: Bot,
    plan: Plan,
    concurrency: int,
    advance: Callable[[int], None],
) -> float:
    """Feed every script's updates; returns the elapsed seconds."""
    updates = [
        [[Update.model_validate(u, context={"bot": bot}) for u in group] for group in s.groups]
        for s in plan.scripts
    ]
    queue: Iterator[list[list[Update]]] = iter(updates)

    async def customer() -> None:
        for script in queue:
            for group in script:
                if len(group) > 1 and concurrency > 1:
                    await asyncio.gather(*(dispatcher.feed_update(bot, u) for u in group))
                else:
                    for update in group:
                        await dispatcher.feed_update(bot, update)
                advance(len(group))

    started = time.perf_counter()
    await asyncio.gather(*(customer() for _ in range(concurrency)))
    return time.perf_counter() - started


class ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@asynccontextmanager
async def scratch_database(url: str | None) -> AsyncIterator[tuple[str, str]]:
    """A new empty database: a temporary SQLite file, or one created on the given server."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{folder}/inbound.db", "SQLite (scratch file)"
        return
    server = make_url(url)
    if server.get_backend_name() != "postgresql":
        raise SystemExit("--database-url must be postgresql+asyncpg://...; SQLite is the default")
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"fbbench_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        scratch = server.set(database=name).render_as_string(hide_password=False)
        yield scratch, f"PostgreSQL (scratch database {name} on {server.host})"
    finally:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


FLOOR_READ = text(
    "SELECT id, customer_id, agent_id, survey_key, status FROM invitation WHERE id = :id"
)
FLOOR_INSERT = text(
    "INSERT INTO answer (invitation_id, customer_id, agent_id, survey_key, question_key, value,"
    " choice, text, skipped, answered_at) VALUES (:invitation_id, :customer_id, :agent_id,"
    " :survey_key, :question_key, :value, :choice, NULL, :skipped, :at)"
    " ON CONFLICT (invitation_id, question_key) DO NOTHING"
)
FLOOR_UPDATE = text("UPDATE invitation SET answered_at = :at WHERE id = :id")


def floor_presses(
    pressed: list[list[tuple[str, str]]], invitations: dict[int, int]
) -> list[list[tuple[int, str, str]]]:
    """Per customer, (invitation id, question, option) of every press, double taps twice."""
    scripts = []
    for n, presses in enumerate(pressed):
        invitation_id = invitations[FIRST_CHAT + n]
        script = []
        for step, (key, option) in enumerate(presses):
            taps = 2 if step == 0 and n % 10 == 0 else 1
            script += [(invitation_id, key, option)] * taps
        scripts.append(script)
    return scripts


async def store_floor(
    engine: AsyncEngine,
    scripts: list[list[tuple[int, str, str]]],
    concurrency: int,
    advance: Callable[[int], None],
) -> float:
    """The same presses, each in one minimal transaction; returns the elapsed seconds."""
    read = FLOOR_READ
    if engine.dialect.name == "postgresql":
        read = text(f"{FLOOR_READ.text} FOR UPDATE")
    queue = iter(scripts)

    async def customer() -> None:
        for script in queue:
            for invitation_id, key, option in script:
                async with engine.begin() as connection:
                    row = (await connection.execute(read, {"id": invitation_id})).one()
                    now = utcnow()
                    await connection.execute(
                        FLOOR_INSERT,
                        {
                            "invitation_id": row.id,
                            "customer_id": row.customer_id,
                            "agent_id": row.agent_id,
                            "survey_key": row.survey_key,
                            "question_key": key,
                            "value": int(option) if option.isdigit() else None,
                            "choice": None if option.isdigit() or option == "skip" else option,
                            "skipped": option == "skip",
                            "at": now,
                        },
                    )
                    await connection.execute(FLOOR_UPDATE, {"id": invitation_id, "at": now})
                advance(1)

    started = time.perf_counter()
    await asyncio.gather(*(customer() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM answer"))
        await connection.execute(text("UPDATE invitation SET answered_at = NULL"))
    return seconds


@dataclass
class RunResult:
    name: str
    seconds: float
    calls: Counter[str]
    answers: dict[str, list[str | None]]
    statements: int


async def run(args: argparse.Namespace, console: Console) -> int:
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    recording = RecordingSession()
    bot = Bot(TOKEN, session=recording)
    pressed = plan_presses(args.presses, random.Random(args.seed))
    async with scratch_database(args.database_url) as (url, where), open_engine(url) as engine:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        statements = Counter[str]()
        event.listen(
            engine.sync_engine, "before_cursor_execute", lambda *_: statements.update(["sql"])
        )
        settings = load_settings(None, database_url=url, telegram_bot_token=TOKEN)
        with Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            await record_cases(sessions, len(pressed), progress)
            invitations = await send_questions(sessions, bot)
            if len(invitations) != len(pressed):
                console.print(f"[red]only {len(invitations)} of {len(pressed)} questions sent")
                return 1
            plan = build_plan(pressed, invitations, recording)
            total = plan.presses + len(plan.double_taps)
            statements.clear()
            task = progress.add_task("floor: storing presses", total=total)
            floor = await store_floor(
                engine,
                floor_presses(pressed, invitations),
                args.concurrency,
                lambda n, t=task: progress.advance(t, n),
            )
            results = [RunResult("floor", floor, Counter(), {}, statements["sql"])]
            real = build_dispatcher(settings, sessions)
            harnesses = (
                ("ceiling", ceiling_dispatcher(real)),
                ("replies", replies_dispatcher(real, load_catalog(None).get("csat"))),
                ("engine", real),
            )
            for name, dispatcher in harnesses:
                recording.reset()
                statements.clear()
                task = progress.add_task(f"{name}: feeding presses", total=total)
                seconds = await feed(
                    dispatcher,
                    bot,
                    plan,
                    args.concurrency,
                    lambda n, t=task: progress.advance(t, n),
                )
                calls, answers = Counter(recording.calls), dict(recording.answers)
                results.append(RunResult(name, seconds, calls, answers, statements["sql"]))
        async with sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(Answer))
            answered = await session.scalar(
                select(func.count()).where(Invitation.status == InvitationStatus.ANSWERED)
            )
    await bot.session.close()
    return report(
        console, args, where, plan, results, stored or 0, answered or 0, recording, errors
    )


def report(
    console: Console,
    args: argparse.Namespace,
    where: str,
    plan: Plan,
    results: list[RunResult],
    stored: int,
    answered: int,
    recording: RecordingSession,
    errors: ErrorCount,
) -> int:
    table = Table(title=f"{plan.presses} presses + {len(plan.double_taps)} double taps, {where}")
    for column in ("harness", "updates", "seconds", "answers/s", "SQL/press", "Bot API calls"):
        table.add_column(column, justify="left" if column == "harness" else "right")
    for result in results:
        calls = " ".join(f"{SHORT.get(k, k)} {n}" for k, n in sorted(result.calls.items()))
        calls = calls or "none"
        rate = plan.presses / result.seconds
        table.add_row(
            result.name,
            str(plan.presses + len(plan.double_taps)),
            f"{result.seconds:.2f}",
            f"{rate:,.0f}",
            f"{result.statements / plan.presses:.1f}",
            calls,
        )
    console.print(table)
    floor, ceiling, replies, engine = results
    console.print(
        f"ratio engine/ceiling      {ceiling.seconds / engine.seconds:.3f}"
        f" (concurrency {args.concurrency}; goal 0.15)"
    )
    console.print(
        f"ratio engine/floor        {floor.seconds / engine.seconds:.3f}"
        f" (concurrency {args.concurrency}; goal 0.5)"
    )
    if args.concurrency == 1:
        # One press at a time nothing overlaps: an engine that replies as the engine does and
        # stores at the floor's cost takes replies + floor, and can do no better.
        bound = ceiling.seconds / (replies.seconds + floor.seconds)
        console.print(
            f"best engine/ceiling       {bound:.3f} (ceiling / (replies + floor): any engine's"
            " replies, stored at the floor's cost)"
        )
    expected = sum(1 for script in plan.scripts if len(script.groups) >= 2)
    offered = sum(1 for chat, data in plan.buttons if data in recording.keyboards.get(chat, ()))
    queries = plan.presses + len(plan.double_taps)
    once = all(
        len(r.answers) == queries and all(len(t) == 1 for t in r.answers.values())
        for r in (ceiling, replies, engine)
    )
    # Of two taps, the one that stored the answer gets a plain answer; the other is told its
    # answer counted.
    doubles_once = all(
        sorted(engine.answers.get(q, ["missing"])[0] or "" for q in pair)
        == ["", say("counted", "en")]
        for pair in plan.double_taps
    )
    checks = [
        (f"stored answers            {stored} of {plan.presses}", stored == plan.presses),
        (f"double taps counted once  {len(plan.double_taps)}", doubles_once),
        (f"every press answered once {queries} queries, every run", once),
        ("replies make the engine's Bot API calls", replies.calls == engine.calls),
        (f"buttons the bot offered   {offered} of {plan.presses}", offered == plan.presses),
        (f"invitations answered      {answered} of {expected}", answered == expected),
        (f"errors logged             {errors.count}", errors.count == 0),
    ]
    for line, ok in checks:
        console.print(("[green]ok  [/] " if ok else "[red]FAIL[/] ") + line)
    return 0 if all(ok for _, ok in checks) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=2000, help="button presses (default 2000)")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="customers pressing at once (default 1)"
    )
    parser.add_argument("--seed", type=int, default=8, help="seed of the score spread")
    parser.add_argument("--database-url", help="a PostgreSQL server; default: scratch SQLite")
    args = parser.parse_args()
    if args.presses < 1 or args.concurrency < 1:
        parser.error("--presses and --concurrency must be at least 1")
    sys.exit(asyncio.run(run(args, Console())))


if __name__ == "__main__":
    main()
