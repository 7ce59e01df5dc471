import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli.app import app
from bot.demo.comments import comment, nps_and_theme
from scoring.value import DIMENSIONS
from storage.models import OutcomeType
from storage.privacy import erase_customer
from tests.factories import Factory
from tests.scoring.insights.seed import Population, Survey, seed

runner = CliRunner()


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def _import(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["import", "events", str(path)])
    return result.exit_code, result.output


@pytest.fixture
async def alice(factory: Factory, database: str) -> None:
    await factory.customer("alice")


def test_import_events_is_idempotent_and_names_bad_lines(alice: None, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "customer_id,type,at,amount,id\n"
        "alice,renewal,2026-10-01T10:00:00Z,99.50,r-1\n"
        "alice,purchase,2026-10-02,15,\n"
        "alice,upsell,2026-10-03,1,\n"
        "nobody,churn,2026-10-03,,\n"
        "alice,refund,not a time,-3,\n",
        encoding="utf-8",
    )
    code, output = _import(path)
    assert code == 1
    assert "recorded" in output and "2" in output
    assert "4" in output and "type must be one of" in output
    assert "5" in output and "'nobody' is not known" in output
    assert "at 'not a time' is not an ISO 8601" in output and "amount must be" in output
    code, output = _import(path)
    assert code == 1
    assert [line.split("│")[1:3] for line in output.splitlines() if "present" in line] == [
        [" already present ", " 2 "]
    ]


@pytest.fixture
async def erased_alice(factory: Factory, database: str, now: datetime) -> str:
    alice = await factory.customer("alice")
    async with factory.sessions() as session, session.begin():
        return (await erase_customer(session, alice.id, now)).pseudonym


def test_import_events_refuses_an_erased_customer_by_old_id_and_by_pseudonym(
    erased_alice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "events.csv"
    path.write_text(
        "customer_id,type,at,amount\n"
        "alice,renewal,2026-10-01T10:00:00Z,99.50\n"
        f"{erased_alice},purchase,2026-10-02,15\n",
        encoding="utf-8",
    )
    code, output = _import(path)
    flat = " ".join(output.split())
    assert code == 1
    assert "'alice' is not known" in flat
    assert f"'{erased_alice}' erased their data: no new events are recorded" in flat


def test_import_events_refuses_a_file_with_the_wrong_columns(database: str, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("customer,type\nalice,renewal\n", encoding="utf-8")
    code, output = _import(path)
    assert code == 2
    assert "events.csv, line 1: missing column(s) customer_id, at" in output.replace("\n", "")


@pytest.fixture
async def scored(engine: AsyncEngine, database: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    old = now - timedelta(days=200)
    await seed(
        engine,
        Population(
            customers={"a": "en", "b": "en", "c": "en"},
            agents={"dana": "tier1"},
            surveys=[
                Survey("a", "dana", "nps", {"nps": 10}, old),
                Survey("b", "dana", "nps", {"nps": 9}, old),
                Survey("c", "dana", "nps", {"nps": 1}, old),
            ],
            events=[("a", OutcomeType.RENEWAL, old + timedelta(days=3), 40.0)],
        ),
        now,
    )


def test_outcomes_json_csv_table_and_chart(scored: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["insights", "outcomes", "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    bands = {b["band"]: b for b in body["rows"][0]["bands"]}
    assert bands["promoter"]["n"] == 2 and bands["promoter"]["repeat"]["value"] == 50.0
    result = runner.invoke(app, ["insights", "outcomes", "--format", "csv"])
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [line["band"] for line in lines] == [
        "promoter",
        "passive",
        "detractor",
        "promoter - detractor",
    ]
    assert lines[0]["revenue"] == "20.0"
    chart = tmp_path / "outcomes.png"
    result = runner.invoke(app, ["insights", "outcomes", "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert "detractor" in result.stdout and "pt" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--horizon", "soon"], "Invalid --horizon"),
        (["--since", "tomorrowish"], "Invalid --since"),
        (["--chart", "out.svg"], "must end in .png"),
    ],
)
def test_outcomes_bad_options(database: str, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["insights", "outcomes", *arguments])
    assert result.exit_code == 2
    assert message in result.output


@pytest.fixture
async def valued(engine: AsyncEngine, database: str) -> None:
    rng = np.random.default_rng(8)
    now = datetime.now(UTC).replace(microsecond=0)
    population = Population(agents={"dana": "tier1"})
    for index in range(60):
        name = f"c{index}"
        ratings = {d: int(rng.integers(1, 6)) for d in DIMENSIONS}
        nps = int(np.clip(10 - 2 * (ratings["price"] - 1) + rng.integers(-1, 2), 0, 10))
        at = now - timedelta(days=3, minutes=index)
        population.customers[name] = "en"
        population.surveys += [
            Survey(name, "dana", "value", ratings, at),
            Survey(name, "dana", "nps", {"nps": nps}, at),
        ]
    await seed(engine, population, now)


def test_drivers_json_csv_table_and_chart(valued: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["insights", "drivers", "--format", "json", "--replicates", "300"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    (row,) = body["rows"]
    assert row["n"] == 60 and row["drivers"][0]["name"] == "price"
    assert row["drivers"][0]["direction"] == -1 and row["drivers"][0]["overlaps_zero"] is False
    result = runner.invoke(app, ["insights", "drivers", "--format", "csv", "--replicates", "300"])
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(lines) == len(DIMENSIONS) and lines[0]["predictor"] == "price"
    chart = tmp_path / "drivers.png"
    result = runner.invoke(
        app, ["insights", "drivers", "--chart", str(chart), "--replicates", "300"]
    )
    assert result.exit_code == 0, result.output
    assert "price" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_drivers_refuses_nps_as_its_own_predictor(database: str) -> None:
    result = runner.invoke(app, ["insights", "drivers", "--with", "nps"])
    assert result.exit_code == 2
    assert "Invalid --with" in result.output


@pytest.fixture
async def commented(engine: AsyncEngine, database: str) -> None:
    rng = random.Random(4)
    now = datetime.now(UTC).replace(microsecond=0)
    population = Population(agents={"dana": "tier1"})
    for index in range(200):
        name = f"c{index}"
        score, theme = nps_and_theme(rng, "refund")
        population.customers[name] = "de"
        population.surveys.append(
            Survey(
                name,
                "dana",
                "nps",
                {"nps": score, "reason": comment(rng, "de", theme)},
                now - timedelta(days=2, minutes=index),
            )
        )
    await seed(engine, population, now)


def test_themes_json_csv_table_and_chart(commented: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["insights", "themes", "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    top = body["rows"][0]["themes"][0]
    assert top["flagged"] is True and top["language"] == "de"
    assert "rückerstattung" in top["words"] or "geld" in top["words"]
    result = runner.invoke(app, ["insights", "themes", "--by", "agent", "--format", "csv"])
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {line["key"] for line in lines} == {"dana"} and lines[0]["flagged"] == "true"
    chart = tmp_path / "themes.png"
    result = runner.invoke(app, ["insights", "themes", "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert "!" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def spread(engine: AsyncEngine, database: str) -> datetime:
    """120 customers, half answered 10 days ago and half 50, with two agents in two teams."""
    rng = random.Random(9)
    ratings_rng = np.random.default_rng(9)
    now = datetime.now(UTC).replace(microsecond=0)
    population = Population(agents={"dana": "tier1", "eli": "tier2"})
    for index in range(120):
        name = f"s{index}"
        agent = "dana" if index % 4 < 2 else "eli"
        at = _spread_time(now, index)
        ratings = {d: int(ratings_rng.integers(1, 6)) for d in DIMENSIONS}
        score, theme = nps_and_theme(rng, "refund")
        population.customers[name] = "en"
        population.surveys += [
            Survey(name, agent, "value", ratings, at),
            Survey(name, agent, "nps", {"nps": score, "reason": comment(rng, "en", theme)}, at),
        ]
        if score >= 9:
            population.events.append((name, OutcomeType.RENEWAL, at + timedelta(days=2), 30.0))
    await seed(engine, population, now)
    return now


def _spread_time(now: datetime, index: int) -> datetime:
    return now - timedelta(days=10 if index % 2 else 50, minutes=index)


def _json(*arguments: str) -> dict[str, Any]:
    result = runner.invoke(app, ["insights", *arguments, "--format", "json"])
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_by_since_and_until_choose_the_groups_and_the_window(spread: datetime) -> None:
    boundary = (spread - timedelta(days=30)).isoformat()
    older = ("--since", "70d", "--until", boundary)

    assert _json("themes", "--since", "30d")["comments"] == 60
    assert _json("themes", *older)["comments"] == 60
    weekly = _json("themes", "--by", "week", "--since", "70d")
    mondays = {
        (moment.date() - timedelta(days=moment.weekday())).isoformat()
        for moment in (_spread_time(spread, i) for i in range(120))
    }
    assert weekly["comments"] == 120
    assert [r["key"] for r in weekly["rows"]] == sorted(mondays)

    recent = _json("drivers", "--since", "30d", "--replicates", "200")
    assert [(r["key"], r["n"]) for r in recent["rows"]] == [(None, 60)]
    teams = _json("drivers", *older, "--by", "team", "--replicates", "200")
    assert [(r["key"], r["n"]) for r in teams["rows"]] == [("tier1", 30), ("tier2", 30)]

    agents = _json("outcomes", *older, "--horizon", "7d", "--by", "agent")
    assert [(r["key"], sum(b["n"] for b in r["bands"])) for r in agents["rows"]] == [
        ("dana", 30),
        ("eli", 30),
    ]
    (row,) = _json("outcomes", "--since", "30d", "--horizon", "7d")["rows"]
    bands = {b["band"]: b for b in row["bands"]}
    assert sum(b["n"] for b in bands.values()) == 60
    assert bands["promoter"]["repeat"]["value"] == 100.0
    assert bands["detractor"]["repeat"]["value"] == 0.0
