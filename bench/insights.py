"""Benchmark: insights drivers and themes against plain pandas + scikit-learn, in the same run.

    .venv/bin/python bench/insights.py [--answers 1000000] [--comments 100000] [--repeat 3]
                                       [--quick] [--database-url URL]

Fills an empty database (a temporary SQLite file unless ``--database-url`` names an empty
PostgreSQL one) with value surveys and NPS answers (``--answers`` in all, 13 per customer) and
with NPS reasons (``--comments``, in en/es/de/ru, with a large made-up vocabulary besides the
demo's sentences). Then times ``build_drivers`` (relative weights, 1,000 bootstrap replicates)
and ``build_themes`` (per agent) against a script that does the same computation the plain way:
all rows read at once (``pandas.read_sql`` on SQLite, asyncpg on PostgreSQL), pivot, bootstrap
by resampling rows; CountVectorizer with the same stemming, TF-IDF, the same NMF, log-odds in
pandas. The two run in turn ``--repeat`` times and the medians are shown, then once more each
for the peak Python memory (tracemalloc); with their ratios (goal: time <= 1.0, memory <= 0.5)
and whether the results agree.

Agreement is exact on purpose: drivers' weights within 1e-9, and for every agent and language
the largest theme z within 1e-6, because both sides factorise the same matrix with the same
NMF. That holds only with the same column order: CountVectorizer sorts its vocabulary, and
``scoring.insights.topics`` puts the stems in alphabetical order too. In the order of first use
(as before) NMF stopped within its tolerance about 1e-5 away, 2 of 25,000 Spanish comments
changed theme at 100,000 comments, and this check said "no".

Measured 2026-11-30 on 2 shared cores (load average 2-4), 1,000,000 answers and 100,000
comments, medians of 3:

    database    analysis  ours    plain   time ratio  ours peak  plain peak  memory ratio  agree
    SQLite      drivers   10.2 s  57.5 s  0.18        12.0 MiB   549.2 MiB   0.02          yes
    SQLite      themes     9.7 s  11.6 s  0.84        34.7 MiB    76.9 MiB   0.45          yes
    PostgreSQL  drivers    6.4 s  36.4 s  0.18        13.6 MiB   656.9 MiB   0.02          yes
    PostgreSQL  themes     9.1 s   9.9 s  0.91        35.0 MiB    77.1 MiB   0.45          yes

About half of the themes' time, on both sides, is Snowball stemming (pure Python; each distinct
word once) and NMF; ours streams the comments and keeps word ids, not texts.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scoring import _chunks, timed
from bot.demo.comments import comment, nps_and_theme
from scoring.insights.drivers import NOISE_MODULUS, NOISE_MULTIPLIER, build_drivers
from scoring.insights.logodds import dirichlet_prior, log_odds
from scoring.insights.relative_weights import correlations, relative_weights
from scoring.insights.text import LANGUAGES, Stemmer, language_of
from scoring.insights.themes import build_themes
from scoring.periods import Window
from scoring.value import DIMENSIONS
from storage import migrate
from storage.engine import create_engine, session_factory
from storage.models import SQLModel

console = Console()
END = datetime(2026, 11, 1, tzinfo=UTC)
CHUNK = 20_000
AGENTS = 50
REPLICATES = 1000
T = SQLModel.metadata.tables


# ---------------------------------------------------------------- data


def _made_up_words(rng: random.Random, count: int) -> list[str]:
    letters = "abcdefghiklmnoprstuvwyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(count)]


def generate(answers: int, comments: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Rows for customer, agent, invitation and answer: value + NPS customers, then commenters."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    rows: dict[str, list[dict[str, Any]]] = {
        "customer": [],
        "agent": [],
        "invitation": [],
        "answer": [],
    }
    rows["agent"] = [
        {
            "id": a,
            "external_id": f"agent{a:03d}",
            "team": f"team{a % 5}",
            "created_at": END,
            "updated_at": END,
        }
        for a in range(1, AGENTS + 1)
    ]
    vocabulary = _made_up_words(rng, 20_000)
    zipf = np.minimum(nprng.zipf(1.3, size=comments * 6), len(vocabulary)) - 1
    valued = answers // (len(DIMENSIONS) + 1)
    customer_id = invitation_id = 0

    def invitation(customer: int, agent: int, survey: str, at: datetime) -> int:
        nonlocal invitation_id
        invitation_id += 1
        rows["invitation"].append(
            {
                "id": invitation_id,
                "customer_id": customer,
                "agent_id": agent,
                "survey_key": survey,
                "survey_version": "1",
                "status": "answered",
                "created_at": at,
                "due_at": at,
                "sent_at": at,
                "answered_at": at,
                "attempts": 1,
            }
        )
        return invitation_id

    def answer(
        invitation: int,
        customer: int,
        agent: int,
        survey: str,
        question: str,
        value: int | None,
        text: str | None,
        at: datetime,
    ) -> None:
        rows["answer"].append(
            {
                "invitation_id": invitation,
                "customer_id": customer,
                "agent_id": agent,
                "survey_key": survey,
                "question_key": question,
                "value": value,
                "choice": None,
                "text": text,
                "skipped": False,
                "answered_at": at,
            }
        )

    for _ in range(valued):
        customer_id += 1
        agent = rng.randint(1, AGENTS)
        at = END - timedelta(seconds=rng.randint(60, 80 * 86400))
        rows["customer"].append(
            {
                "id": customer_id,
                "external_id": f"c{customer_id}",
                "language": "en",
                "created_at": END,
                "updated_at": END,
            }
        )
        ratings = {d: rng.randint(1, 5) for d in DIMENSIONS}
        score = round(
            7 - 1.5 * (ratings["price"] - 3) + 0.5 * (ratings["quality"] - 3) + rng.gauss(0, 1.5)
        )
        value_invitation = invitation(customer_id, agent, "value", at)
        for name, rating in ratings.items():
            answer(value_invitation, customer_id, agent, "value", name, rating, None, at)
        nps_invitation = invitation(customer_id, agent, "nps", at)
        answer(nps_invitation, customer_id, agent, "nps", "nps", max(0, min(10, score)), None, at)
    languages = list(LANGUAGES)
    for index in range(comments):
        customer_id += 1
        agent = rng.randint(1, AGENTS)
        language = rng.choice(languages)
        at = END - timedelta(seconds=rng.randint(60, 80 * 86400))
        rows["customer"].append(
            {
                "id": customer_id,
                "external_id": f"c{customer_id}",
                "language": language,
                "created_at": END,
                "updated_at": END,
            }
        )
        score, theme = nps_and_theme(rng, "refund" if agent % 10 == 0 else None)
        extra = " ".join(vocabulary[i] for i in zipf[index * 6 : index * 6 + rng.randint(1, 6)])
        text = f"{comment(rng, language, theme)} {extra}"
        nps_invitation = invitation(customer_id, agent, "nps", at)
        answer(nps_invitation, customer_id, agent, "nps", "nps", score, None, at)
        answer(nps_invitation, customer_id, agent, "nps", "reason", None, text, at)
    return rows


async def load(engine: AsyncEngine, rows: dict[str, list[dict[str, Any]]]) -> None:
    with console.status("Inserting rows") as status:
        for name in ("agent", "customer", "invitation", "answer"):
            for number, chunk in enumerate(_chunks(rows[name], CHUNK)):
                status.update(f"Inserting {name} ({number * CHUNK:,} of {len(rows[name]):,})")
                async with engine.begin() as connection:
                    await connection.execute(sa.insert(T[name]), chunk)
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                for name in ("agent", "customer", "invitation", "answer"):
                    await connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
                    await connection.execute(sa.text(f"ANALYZE {name}"))
            else:
                await connection.execute(sa.text("ANALYZE"))


# ---------------------------------------------------------------- the plain way


async def _read(url: str, sql: str) -> pd.DataFrame:
    """The rows, read the fastest plain way for each database (as ``bench/scoring.py`` does)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database)) as connection:
            return pd.read_sql_query(sql, connection)
    import asyncpg

    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        records = await connection.fetch(sql)
    finally:
        await connection.close()
    columns = list(records[0].keys()) if records else []
    return pd.DataFrame.from_records(records, columns=columns)


async def plain_drivers(url: str, seed: int) -> dict[str, float]:
    """Relative weights and bootstrap intervals by resampling rows, as a notebook would."""
    answers = await _read(
        url,
        "SELECT id, invitation_id, customer_id, survey_key, question_key, value, "
        "answered_at FROM answer WHERE value IS NOT NULL AND survey_key IN "
        "('value', 'nps')",
    )
    value = answers[answers["survey_key"] == "value"]
    wide = value.pivot_table(
        index=["invitation_id", "customer_id"],
        columns="question_key",
        values="value",
        aggfunc="max",
    ).reset_index()
    moments = value.groupby("invitation_id")["answered_at"].max()
    wide["at"] = wide["invitation_id"].map(moments)
    wide = wide.sort_values(["at", "invitation_id"]).groupby("customer_id").tail(1)
    nps = answers[answers["question_key"] == "nps"].sort_values(["answered_at", "id"])
    nps = (
        nps.groupby("customer_id")
        .tail(1)[["customer_id", "value"]]
        .rename(columns={"value": "nps"})
    )
    data = wide.merge(nps, on="customer_id").dropna(subset=list(DIMENSIONS))
    data["noise"] = (
        data["customer_id"].astype("int64") * NOISE_MULTIPLIER % NOISE_MODULUS
    ) / NOISE_MODULUS
    matrix = data[["nps", *DIMENSIONS, "noise"]].to_numpy(float)
    rng = np.random.default_rng(seed)
    draws = [np.corrcoef(matrix, rowvar=False)]
    for _ in range(REPLICATES):
        sample = matrix[rng.integers(0, len(matrix), len(matrix))]
        draws.append(np.corrcoef(sample, rowvar=False))
    stacked = correlations(np.stack(draws))
    weights, _ = relative_weights(stacked[:, :-1, :-1])
    relative_weights(stacked)
    return dict(zip(DIMENSIONS, weights[0], strict=True))


async def plain_themes(url: str) -> dict[tuple[str, str], float]:
    """CountVectorizer with the same stems, TF-IDF, the same NMF, log-odds per agent in pandas."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    frame = await _read(
        url,
        "SELECT c.id, c.text, cu.language, ag.external_id AS agent, "
        "(SELECT s.value FROM answer s WHERE s.invitation_id = c.invitation_id "
        "AND s.question_key = 'nps') AS nps FROM answer c "
        "JOIN customer cu ON cu.id = c.customer_id "
        "LEFT JOIN agent ag ON ag.id = c.agent_id "
        "WHERE c.text IS NOT NULL AND c.text != '' ORDER BY c.id",
    )
    frame["language"] = frame["language"].map(language_of)
    frame["band"] = np.select(
        [frame["nps"] >= 9, frame["nps"] <= 6], ["promoter", "detractor"], "passive"
    )
    z_scores: dict[tuple[str, str], float] = {}
    for language, part in frame.groupby("language"):
        stemmer = Stemmer(str(language))
        n = len(part)
        vectorizer = CountVectorizer(
            analyzer=stemmer.stems, min_df=max(2, math.ceil(0.002 * n)), max_df=0.6
        )
        counts = vectorizer.fit_transform(part["text"])
        k = min(8, max(2, round(math.sqrt(n / 10))))
        weighted = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
        doc = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=400).fit_transform(
            weighted
        )
        part = part.assign(theme=np.where(doc.max(axis=1) > 0, doc.argmax(axis=1), -1))
        themed = part[part["theme"] >= 0]
        background = themed["theme"].value_counts().reindex(range(k), fill_value=0).to_numpy()
        prior = dirichlet_prior(background)
        table = pd.crosstab([themed["agent"], themed["band"]], themed["theme"]).reindex(
            columns=range(k), fill_value=0
        )
        for agent in themed["agent"].unique():
            rows = table.loc[agent]
            if "detractor" in rows.index and "promoter" in rows.index:
                _, z = log_odds(
                    rows.loc["detractor"].to_numpy(float),
                    rows.loc["promoter"].to_numpy(float),
                    prior,
                )
                z_scores[(str(agent), f"{language}-max")] = float(z.max())
    return z_scores


# ---------------------------------------------------------------- runs


async def main(arguments: argparse.Namespace) -> int:
    folder = tempfile.TemporaryDirectory(prefix="fb-bench-insights-")
    url = arguments.database_url or f"sqlite+aiosqlite:///{folder.name}/bench.db"
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            present = (await connection.execute(sa.text("SELECT count(*) FROM answer"))).scalar()
        if present:
            console.print(f"Reusing the {present:,} answers already in the database.")
        else:
            started = time.perf_counter()
            with console.status("Generating rows"):
                rows = generate(arguments.answers, arguments.comments, arguments.seed)
            await load(engine, rows)
            console.print(
                f"{len(rows['answer']):,} answers ({arguments.answers:,} value + NPS, "
                f"{arguments.comments:,} comments), {len(rows['customer']):,} customers, "
                f"{AGENTS} agents ({engine.dialect.name}, loaded in "
                f"{time.perf_counter() - started:.1f}s)"
            )
            del rows
        everything = Window(None, END + timedelta(days=1))
        sessions = session_factory(engine)
        import sklearn.decomposition
        import sklearn.feature_extraction.text  # noqa: F401  (imported before the clocks start)

        async def drivers() -> Any:
            async with sessions() as session:
                return await build_drivers(
                    session,
                    target="nps",
                    by="all",
                    window=everything,
                    replicates=REPLICATES,
                    seed=arguments.seed,
                )

        async def themes() -> Any:
            async with sessions() as session:
                return await build_themes(session, by="agent", window=everything)

        async def drivers_plain() -> Any:
            return await plain_drivers(url, arguments.seed)

        async def themes_plain() -> Any:
            return await plain_themes(url)

        table = Table(title="Insights against pandas + scikit-learn, same data, same run")
        for column in (
            "analysis",
            "ours",
            "plain",
            "time ratio",
            "ours peak",
            "plain peak",
            "memory ratio",
            "agree",
        ):
            table.add_column(column, justify="right")
        for name, ours_work, plain_work in (
            ("drivers", drivers, drivers_plain),
            ("themes", themes, themes_plain),
        ):
            ours_times, their_times = [], []
            for _ in range(arguments.repeat):
                ours, ours_time, _ = await timed(ours_work, trace=False)
                theirs, their_time, _ = await timed(plain_work, trace=False)
                ours_times.append(ours_time)
                their_times.append(their_time)
            ours_time, their_time = statistics.median(ours_times), statistics.median(their_times)
            _, _, ours_peak = await timed(ours_work, trace=True)
            _, _, their_peak = await timed(plain_work, trace=True)
            agree = _agree(name, ours, theirs)
            table.add_row(
                name,
                f"{ours_time:.2f}s",
                f"{their_time:.2f}s",
                f"{ours_time / their_time:.2f}",
                f"{ours_peak / 2**20:.1f} MiB",
                f"{their_peak / 2**20:.1f} MiB",
                f"{ours_peak / their_peak:.2f}",
                "yes" if agree else "[red]no[/red]",
            )
        console.print(table)
        return 0
    finally:
        await engine.dispose()
        folder.cleanup()


def _agree(name: str, ours: Any, theirs: Any) -> bool:
    if name == "drivers":
        found = {d.name: d.weight.value for d in ours.rows[0].drivers}
        return all(abs(found[k] - v) < 1e-9 for k, v in theirs.items())
    found = {}
    for row in ours.rows:
        for language in LANGUAGES:
            zs = [s.z for s in row.themes if s.language == language and s.z is not None]
            if zs:
                found[(row.key, f"{language}-max")] = max(zs)
    return found.keys() == theirs.keys() and all(abs(found[k] - theirs[k]) < 1e-6 for k in theirs)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="100,000 answers, 10,000 comments")
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; medians shown")
    parsed = parser.parse_args()
    if parsed.quick:
        parsed.answers, parsed.comments = 100_000, 10_000
    return parsed


if __name__ == "__main__":
    sys.exit(asyncio.run(main(arguments())))
