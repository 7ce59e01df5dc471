"""Themes: planted detractor themes found in four languages; nothing found in shuffled data."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.demo.comments import THEMES, comment, nps_and_theme
from scoring.insights.charts import draw_themes
from scoring.insights.logodds import dirichlet_prior, log_odds
from scoring.insights.text import Stemmer, language_of, stop_words
from scoring.insights.themes import build_themes
from scoring.periods import Window
from storage.engine import session_factory
from tests.conftest import empty_tables
from tests.scoring.insights.seed import Population, Survey, seed

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=30), NOW)


def _population(
    rng: random.Random,
    languages: list[str],
    per_language: int,
    planted: str | None,
    shuffled: bool = False,
    planted_agent: str | None = None,
) -> Population:
    population = Population(agents={"dana": "tier1", "eli": "tier2"})
    rows = []
    for language in languages:
        for index in range(per_language):
            agent = rng.choice(["dana", "eli"])
            plant = planted if planted_agent in (None, agent) else None
            score, theme = nps_and_theme(rng, plant)
            rows.append((language, index, agent, score, comment(rng, language, theme)))
    if shuffled:
        scores = [row[3] for row in rows]
        rng.shuffle(scores)
        rows = [(*row[:3], score, row[4]) for row, score in zip(rows, scores, strict=True)]
    for language, index, agent, score, text in rows:
        name = f"{language}{index:04d}"
        population.customers[name] = language
        at = NOW - timedelta(days=rng.randint(1, 20), seconds=index)
        population.surveys.append(Survey(name, agent, "nps", {"nps": score, "reason": text}, at))
    return population


def test_stemming_and_stop_words_per_language() -> None:
    assert Stemmer("en").stems("The refunds were refunded") == ["refund", "refund"]
    assert Stemmer("es").stems("los reembolsos y el reembolso") == ["reembols", "reembols"]
    assert Stemmer("de").stems("Die Rückerstattungen und keine Rückerstattung") == [
        "ruckerstatt",
        "ruckerstatt",
    ]
    assert Stemmer("ru").stems("возврат и возвраты") == ["возврат", "возврат"]
    assert language_of("es-MX") == "es" and language_of("fr") == "en" and language_of(None) == "en"
    assert {"the", "и", "und", "los"} <= stop_words("en") | stop_words("ru") | stop_words(
        "de"
    ) | stop_words("es")


def test_log_odds_matches_the_formula_by_hand() -> None:
    import numpy as np

    focus, other = np.array([30.0, 5.0, 15.0]), np.array([5.0, 30.0, 15.0])
    prior = dirichlet_prior(np.array([35.0, 35.0, 30.0]), strength=10)
    delta, z = log_odds(focus, other, prior)
    a = prior[0]
    expected = np.log((30 + a) / (50 + 10 - 30 - a)) - np.log((5 + a) / (50 + 10 - 5 - a))
    assert delta[0] == pytest.approx(expected)
    assert z[0] == pytest.approx(expected / np.sqrt(1 / (30 + a) + 1 / (5 + a)))
    assert z[2] == pytest.approx(0.0)


@pytest.mark.parametrize("language", ["en", "es", "de", "ru"])
async def test_a_planted_detractor_theme_comes_out_on_top_in_each_language(
    engine: AsyncEngine, session: AsyncSession, language: str
) -> None:
    await seed(engine, _population(random.Random(1), [language], 400, "refund"), NOW)
    result = await build_themes(session, by="all", window=WINDOW)
    (row,) = result.rows
    top = row.themes[0]
    planted_words = {w.lower() for w in THEMES[language]["refund"]}
    assert planted_words & set(top.words), (top.words, [t.words for t in row.themes])
    assert top.z is not None and top.z > 3 and top.flagged
    assert top.language == language and top.quote is not None
    # NMF may split the planted theme in two; nothing else is flagged.
    assert all(planted_words & set(t.words) for t in row.themes if t.flagged)
    theme = next(t for t in result.themes if t.id == top.theme)
    assert len(theme.quotes) == 3 and theme.comments == top.comments


async def test_four_languages_together_and_per_agent(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    population = _population(
        random.Random(2), ["en", "es", "de", "ru"], 400, "refund", planted_agent="dana"
    )
    await seed(engine, population, NOW)
    result = await build_themes(session, by="agent", window=WINDOW)
    assert {t.language for t in result.themes} == {"en", "es", "de", "ru"}
    dana, eli = result.rows
    assert (dana.key, eli.key) == ("dana", "eli")
    flagged = {t.language for t in dana.themes if t.flagged}
    assert flagged == {"en", "es", "de", "ru"}
    assert not any(t.flagged for t in eli.themes)


async def test_shuffled_scores_flag_nothing(engine: AsyncEngine) -> None:
    tests = flagged = seeds_with_a_flag = 0
    for data_seed in range(20):
        await empty_tables(engine)
        population = _population(random.Random(100 + data_seed), ["en"], 300, "refund", True)
        await seed(engine, population, NOW)
        async with session_factory(engine)() as session:
            result = await build_themes(session, by="all", window=WINDOW)
        scores = [t for t in result.rows[0].themes if t.z is not None]
        tests += len(scores)
        found = sum(t.flagged for t in scores)
        flagged += found
        seeds_with_a_flag += found > 0
    assert tests >= 20 * 4
    assert flagged / tests < 0.05
    assert seeds_with_a_flag / 20 < 0.05 + 1e-9 or seeds_with_a_flag <= 1


async def test_csat_comments_count_and_unscored_comments_are_themed_only(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    population = _population(random.Random(3), ["en"], 60, None)
    population.surveys.append(
        Survey("en0000", "dana", "value", {"comment": "Refund money back please"}, NOW)
    )
    await seed(engine, population, NOW)
    result = await build_themes(session, by="team", window=Window(None, NOW + timedelta(1)))
    assert result.comments == 61
    assert sum(r.comments for r in result.rows) == 61
    assert sum(r.detractors + r.promoters for r in result.rows) < 61


async def test_the_chart_keeps_every_label_inside_the_picture(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    rng = random.Random(6)
    agents = ["dana", "eli", "fay", "gus"]
    population = Population(agents={a: "tier1" for a in agents})
    for index in range(640):
        agent, language = agents[index // 4 % 4], ["en", "es", "de", "ru"][index % 4]
        score, theme = nps_and_theme(rng, "refund" if agent == "fay" else None)
        name = f"{language}{index:04d}"
        population.customers[name] = language
        text = comment(rng, language, theme)
        population.surveys.append(Survey(name, agent, "nps", {"nps": score, "reason": text}, NOW))
    await seed(engine, population, NOW)
    result = await build_themes(session, by="agent", window=Window(None, NOW + timedelta(1)))
    figure = draw_themes(result)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = [figure._suptitle] + [
        text
        for axes in figure.axes
        for text in (axes.title, *axes.get_yticklabels(), axes.xaxis.label)
    ]
    assert len(figure.axes) == 4
    for text in texts:
        box = text.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= figure.bbox.x1, text.get_text()
