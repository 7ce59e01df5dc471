"""Benchmark: the SQL reports against pandas on the same rows, in the same run.

    .venv/bin/python bench/scoring.py [--answers 1000000] [--database-url URL]

Generates answers (default 1,000,000) over 100,000 customers and 200 agents in an empty
database (a temporary SQLite file unless ``--database-url`` names an empty PostgreSQL one),
runs the per-agent and per-customer reports, computes the same figures with pandas from the
same database (loading the rows counts toward pandas' time), and prints both times, their
ratio, the peak Python memory of each (tracemalloc, in a second, traced run) and whether every
figure agrees.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.periods import Window
from scoring.report import Report, build_report
from scoring.value import BENEFITS, COSTS, DIMENSIONS
from storage import migrate
from storage.engine import create_engine, session_factory
from storage.models import Agent, Answer, Customer, Invitation, SupportCase

console = Console()
END = datetime(2026, 3, 1, tzinfo=UTC)
DAYS = 90
CHUNK = 20_000
SURVEYS = {"csat": ("csat", "fcr"), "nps": ("nps",), "ces": ("ces",), "value": DIMENSIONS}
SHARE = {"csat": 0.55, "nps": 0.2, "ces": 0.1, "value": 0.15}
SCALE = {"csat": (1, 5), "fcr": (0, 1), "nps": (0, 10), "ces": (1, 7)}
UNANSWERED_SHARE = 0.2


# ---------------------------------------------------------------- data


def _moments(rng: np.random.Generator, count: int) -> list[datetime]:
    seconds = rng.integers(0, DAYS * 86_400, count)
    start = END - timedelta(days=DAYS)
    return [start + timedelta(seconds=int(s)) for s in seconds]


def generate(answers: int, customers: int, agents: int, seed: int) -> dict[str, list[dict]]:
    """Rows for every table: cases each with one invitation; answered ones with answers."""
    rng = np.random.default_rng(seed)
    names = list(SURVEYS)
    per = np.array([len(SURVEYS[n]) for n in names])
    mean = float(np.dot(per, [SHARE[n] for n in names]))
    guess = int(answers / mean * 1.1) + 20
    kinds = rng.choice(len(names), size=guess, p=[SHARE[n] for n in names])
    total = np.cumsum(per[kinds])
    answered = int(np.searchsorted(total, answers) + 1)
    unanswered = int(answered * UNANSWERED_SHARE)
    count = answered + unanswered
    shares = [SHARE[n] for n in names]
    kinds = np.concatenate([kinds[:answered], rng.choice(len(names), size=unanswered, p=shares)])
    customer_of = rng.integers(1, customers + 1, count)
    agent_of = rng.integers(1, agents + 1, count)
    sent = _moments(rng, count)
    channels = rng.choice(
        ["chat", "email", "phone", "self_service"], count, p=[0.5, 0.25, 0.1, 0.15]
    )
    contacts = rng.choice([1, 2, 3], count, p=[0.7, 0.2, 0.1])
    resolved = rng.random(count) < 0.9
    handle = rng.integers(60, 3_600, count)

    rows: dict[str, list[dict]] = {
        "customer": [{"id": i, "external_id": f"c{i:06d}"} for i in range(1, customers + 1)],
        "agent": [
            {"id": i, "external_id": f"a{i:03d}", "team": f"team-{i % 10}"}
            for i in range(1, agents + 1)
        ],
        "support_case": [],
        "invitation": [],
        "answer": [],
    }
    left = answers
    for i in range(count):
        case_id = i + 1
        rows["support_case"].append(
            {
                "id": case_id,
                "external_id": f"case-{case_id}",
                "customer_id": int(customer_of[i]),
                "agent_id": int(agent_of[i]),
                "closed_at": sent[i] - timedelta(minutes=30),
                "contacts": int(contacts[i]),
                "resolved": bool(resolved[i]),
                "handle_seconds": int(handle[i]),
                "channel": str(channels[i]),
            }
        )
        survey = names[kinds[i]]
        is_answered = i < answered
        rows["invitation"].append(
            {
                "id": case_id,
                "customer_id": int(customer_of[i]),
                "case_id": case_id,
                "agent_id": int(agent_of[i]),
                "survey_key": survey,
                "survey_version": "1",
                "status": "answered" if is_answered else "expired",
                "due_at": sent[i],
                "sent_at": sent[i],
                "answered_at": sent[i] + timedelta(minutes=5) if is_answered else None,
            }
        )
        if not is_answered or left <= 0:
            continue
        questions = SURVEYS[survey][:left]
        left -= len(questions)
        for question in questions:
            low, high = SCALE.get(question, (1, 5))
            skipped = survey == "value" and rng.random() < 0.05
            rows["answer"].append(
                {
                    "invitation_id": case_id,
                    "customer_id": int(customer_of[i]),
                    "agent_id": int(agent_of[i]),
                    "survey_key": survey,
                    "question_key": question,
                    "value": None if skipped else int(rng.integers(low, high + 1)),
                    "skipped": skipped,
                    "answered_at": sent[i] + timedelta(minutes=5),
                }
            )
    return rows


TABLES = {
    "customer": Customer,
    "agent": Agent,
    "support_case": SupportCase,
    "invitation": Invitation,
    "answer": Answer,
}


def _chunks(items: list[dict], size: int) -> Iterator[list[dict]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def load(engine: AsyncEngine, rows: dict[str, list[dict]]) -> None:
    total = sum(len(v) for v in rows.values())
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("Inserting rows", total=total)
        for name, model in TABLES.items():
            table = model.__table__
            progress.update(task, description=f"Inserting {name}")
            for chunk in _chunks(rows[name], CHUNK):
                async with engine.begin() as connection:
                    await connection.execute(sa.insert(table), chunk)
                progress.advance(task, len(chunk))
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            for name in TABLES:
                await connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
                await connection.execute(sa.text(f"ANALYZE {name}"))
    else:
        async with engine.begin() as connection:
            await connection.execute(sa.text("ANALYZE"))


# ---------------------------------------------------------------- pandas


ANSWERS_SQL = (
    "SELECT invitation_id, customer_id, agent_id, survey_key, question_key, value, answered_at "
    "FROM answer WHERE value IS NOT NULL"
)
CASES_SQL = (
    "SELECT customer_id, agent_id, contacts, resolved, handle_seconds, channel FROM support_case"
)
INVITATIONS_SQL = (
    "SELECT customer_id, agent_id, status FROM invitation "
    "WHERE status IN ('sent', 'answered', 'expired') AND sent_at IS NOT NULL"
)
NAMES_SQL = "SELECT id, external_id FROM {table}"


async def read_frames(url: str) -> dict[str, pd.DataFrame]:
    """The rows pandas needs, read the fastest plain way for each database."""
    parsed = make_url(url)
    queries = {
        "answers": ANSWERS_SQL,
        "cases": CASES_SQL,
        "invitations": INVITATIONS_SQL,
        "agents": NAMES_SQL.format(table="agent"),
        "customers": NAMES_SQL.format(table="customer"),
    }
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(parsed.database or "") as connection:
            return {name: pd.read_sql_query(sql, connection) for name, sql in queries.items()}
    import asyncpg

    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        frames = {}
        for name, sql in queries.items():
            records = await connection.fetch(sql)
            columns = list(records[0].keys()) if records else []
            frames[name] = pd.DataFrame.from_records(records, columns=columns)
        return frames
    finally:
        await connection.close()


def pandas_figures(frames: dict[str, pd.DataFrame], by: str) -> dict[str, dict[str, Any]]:
    """The same figures as the SQL report, computed in pandas; keyed by external id."""
    group = f"{by}_id"
    answers = frames["answers"]
    q, v = answers["question_key"], answers["value"]
    scored = answers.assign(
        csat=(q == "csat").astype(int),
        csat_good=((q == "csat") & (v >= 4)).astype(int),
        nps=(q == "nps").astype(int),
        promoter=((q == "nps") & (v >= 9)).astype(int),
        detractor=((q == "nps") & (v <= 6)).astype(int),
        ces=(q == "ces").astype(int),
        ces_sum=v.where(q == "ces", 0),
        fcr=(q == "fcr").astype(int),
        fcr_yes=((q == "fcr") & (v == 1)).astype(int),
    )
    a = scored.groupby(group)[
        ["csat", "csat_good", "nps", "promoter", "detractor", "ces", "ces_sum", "fcr", "fcr_yes"]
    ].sum()

    cases = frames["cases"]
    c = (
        cases.assign(
            one=(cases["resolved"].astype(bool) & (cases["contacts"] == 1)).astype(int),
            deflected=(
                cases["resolved"].astype(bool) & (cases["channel"] == "self_service")
            ).astype(int),
        )
        .groupby(group)
        .agg(
            cases=("one", "size"),
            one=("one", "sum"),
            deflected=("deflected", "sum"),
            aht=("handle_seconds", "mean"),
            aht_n=("handle_seconds", "count"),
        )
    )
    invitations = frames["invitations"]
    i = (
        invitations.assign(answered=(invitations["status"] == "answered").astype(int))
        .groupby(group)
        .agg(sent=("answered", "size"), answered=("answered", "sum"))
    )

    value_rows = answers[answers["survey_key"] == "value"]
    value_rows = value_rows[value_rows["question_key"].isin(DIMENSIONS)]
    latest_at = value_rows.groupby("invitation_id").agg(
        at=("answered_at", "max"),
        customer_id=("customer_id", "first"),
        agent_id=("agent_id", "first"),
    )
    latest_at = latest_at.reset_index().sort_values(["at", "invitation_id"])
    latest = latest_at.drop_duplicates("customer_id", keep="last")
    wide = value_rows[value_rows["invitation_id"].isin(latest["invitation_id"])].pivot(
        index="invitation_id", columns="question_key", values="value"
    )
    benefit = wide[[d for d in BENEFITS if d in wide]].mean(axis=1)
    cost = wide[[d for d in COSTS if d in wide]].mean(axis=1)
    per_customer = latest.set_index("invitation_id").assign(cv=benefit / cost)
    val = per_customer.groupby(group).agg(cv=("cv", "mean"), cv_n=("cv", "count"))

    table = a.join(c, how="outer").join(i, how="outer").join(val, how="outer")
    names = frames[f"{by}s"].set_index("id")["external_id"]
    table.index = table.index.map(names)
    return {str(key): row for key, row in table.to_dict("index").items()}


def _ratio(hits: Any, n: Any) -> tuple[float | None, int]:
    n = 0 if n is None or (isinstance(n, float) and math.isnan(n)) else int(n)
    return ((100 * float(hits) / n) if n else None), n


def compare(report: Report, expected: dict[str, dict[str, Any]]) -> list[str]:
    """Differences between the SQL report and pandas' figures (empty: they agree)."""
    problems: list[str] = []

    def check(
        key: str, name: str, got: float | None, n: int, want: float | None, want_n: int
    ) -> None:
        if n != want_n or (got is None) != (want is None):
            problems.append(f"{key} {name}: n {n} vs {want_n}, {got} vs {want}")
        elif got is not None and want is not None and not math.isclose(got, want, abs_tol=1e-6):
            problems.append(f"{key} {name}: {got} vs {want}")

    if {str(r.key) for r in report.rows} != set(expected):
        problems.append("the two computations have different keys")
    for row in report.rows:
        e = expected.get(str(row.key))
        if e is None:
            continue
        check(row.key, "csat", row.csat.value, row.csat.n, *_ratio(e["csat_good"], e["csat"]))
        nps_n = int(e["nps"]) if not math.isnan(e["nps"]) else 0
        nps = 100 * (e["promoter"] - e["detractor"]) / nps_n if nps_n else None
        check(row.key, "nps", row.nps.value, row.nps.n, nps, nps_n)
        ces_n = int(e["ces"]) if not math.isnan(e["ces"]) else 0
        check(
            row.key,
            "ces",
            row.ces.mean.value,
            row.ces.n,
            e["ces_sum"] / ces_n if ces_n else None,
            ces_n,
        )
        check(row.key, "fcr", row.fcr.value, row.fcr.n, *_ratio(e["fcr_yes"], e["fcr"]))
        check(
            row.key,
            "fcr_operational",
            row.fcr_operational.value,
            row.fcr_operational.n,
            *_ratio(e["one"], e["cases"]),
        )
        check(
            row.key,
            "deflection",
            row.deflection.value,
            row.deflection.n,
            *_ratio(e["deflected"], e["cases"]),
        )
        aht_n = 0 if math.isnan(e["aht_n"]) else int(e["aht_n"])
        check(row.key, "aht", row.aht.value, row.aht.n, e["aht"] if aht_n else None, aht_n)
        check(
            row.key,
            "response_rate",
            row.response_rate.value,
            row.response_rate.n,
            *_ratio(e["answered"], e["sent"]),
        )
        cv_n = 0 if math.isnan(e["cv_n"]) else int(e["cv_n"])
        check(row.key, "value", row.value.value, row.value.n, e["cv"] if cv_n else None, cv_n)
    return problems


# ---------------------------------------------------------------- runs


async def timed(work: Callable[[], Awaitable[Any]], trace: bool) -> tuple[Any, float, int]:
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = await work()
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, elapsed, peak


async def main(arguments: argparse.Namespace) -> int:
    folder = tempfile.TemporaryDirectory(prefix="fb-bench-")
    url = arguments.database_url or f"sqlite+aiosqlite:///{folder.name}/bench.db"
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            if (await connection.execute(sa.text("SELECT count(*) FROM answer"))).scalar():
                console.print("[red]The database already holds answers; give an empty one.[/red]")
                return 2
        started = time.perf_counter()
        with console.status("Generating rows"):
            rows = generate(
                arguments.answers, arguments.customers, arguments.agents, arguments.seed
            )
        await load(engine, rows)
        console.print(
            f"{len(rows['answer']):,} answers, {len(rows['invitation']):,} invitations and cases, "
            f"{arguments.customers:,} customers, {arguments.agents} agents "
            f"({engine.dialect.name}, loaded in {time.perf_counter() - started:.1f}s)"
        )
        del rows
        everything = Window(None, END + timedelta(days=1))
        sessions = session_factory(engine)

        async def sql_reports() -> dict[str, Report]:
            async with sessions() as session:
                return {
                    by: await build_report(session, by, everything) for by in ("agent", "customer")
                }

        async def pandas_reports() -> dict[str, dict[str, dict[str, Any]]]:
            frames = await read_frames(url)
            return {by: pandas_figures(frames, by) for by in ("agent", "customer")}

        ours, our_time, _ = await timed(sql_reports, trace=False)
        theirs, their_time, _ = await timed(pandas_reports, trace=False)
        _, _, our_peak = await timed(sql_reports, trace=True)
        _, _, their_peak = await timed(pandas_reports, trace=True)

        table = Table(
            title=f"Per-agent and per-customer reports over {arguments.answers:,} answers"
        )
        for column in ("", "time", "peak memory"):
            table.add_column(column, justify="right")
        table.add_row("SQL (scoring)", f"{our_time:.2f}s", f"{our_peak / 2**20:.1f} MiB")
        table.add_row("pandas", f"{their_time:.2f}s", f"{their_peak / 2**20:.1f} MiB")
        table.add_row(
            "ratio SQL / pandas", f"{our_time / their_time:.2f}", f"{our_peak / their_peak:.2f}"
        )
        console.print(table)
        problems = [p for by in ("agent", "customer") for p in compare(ours[by], theirs[by])]
        if problems:
            console.print(f"[red]Figures differ in {len(problems)} places[/red], e.g.:")
            for problem in problems[:10]:
                console.print(f"  {problem}", highlight=False)
            return 1
        rows_checked = sum(len(ours[by].rows) for by in ("agent", "customer"))
        console.print(f"[green]Figures agree[/green] ({rows_checked:,} rows, every figure and n).")
        return 0
    finally:
        await engine.dispose()
        folder.cleanup()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000, help="answers to generate")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", help="an empty database (default: a temporary SQLite file)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(arguments())))
