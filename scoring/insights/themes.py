"""Themes: what customers write about, and which themes detractors raise more than promoters.

Comments (any free-text answer in the window) stream from the database with their customer's
language and the score of the same invitation: NPS 0-6 is a detractor and 9-10 a promoter, or
else CSAT 1-2 and 4-5. Themes are found per language (``topics``); then, per group (agent,
team, week, month or all) and language, the log-odds ratio with an informative Dirichlet prior
(``logodds``) compares how often detractors and promoters write about each theme, the prior
being what all customers of that language write about. A theme with z > ``FLAG_Z`` is flagged:
with eight themes per language, a z of 3 keeps chance findings rare (see the shuffled-data test).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoring import questions as qk
from scoring.errors import InvalidParameter
from scoring.insights.logodds import dirichlet_prior, log_odds
from scoring.insights.topics import NO_THEME, Corpus, FittedThemes
from scoring.periods import PERIODS, Window, period_start
from storage.models import SQLModel

GROUPINGS = ("all", "agent", "team", *PERIODS)
FLAG_Z = 3.0
DETRACTOR, PASSIVE, PROMOTER, UNSCORED = 0, 1, 2, 3
QUOTE_LENGTH = 240
STREAM_BATCH = 2000
T = SQLModel.metadata.tables


@dataclass(frozen=True)
class Theme:
    id: str
    language: str
    words: list[str]
    quotes: list[str]
    comments: int

    def to_json(self) -> dict[str, Any]:
        return vars(self).copy()


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    language: str
    words: list[str]
    comments: int
    detractors: int
    promoters: int
    log_odds: float | None
    z: float | None
    quote: str | None

    @property
    def flagged(self) -> bool:
        return self.z is not None and self.z > FLAG_Z

    def to_json(self) -> dict[str, Any]:
        data = vars(self).copy()
        for name in ("log_odds", "z"):
            data[name] = None if data[name] is None else round(data[name], 3)
        data["flagged"] = self.flagged
        return data


@dataclass(frozen=True)
class ThemeRow:
    key: str | None
    comments: int
    detractors: int
    promoters: int
    themes: list[ThemeScore]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "comments": self.comments,
            "detractors": self.detractors,
            "promoters": self.promoters,
            "themes": [t.to_json() for t in self.themes],
        }


@dataclass(frozen=True)
class Themes:
    by: str
    window: Window
    comments: int
    themes: list[Theme] = field(default_factory=list)
    rows: list[ThemeRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "analysis": "themes",
            "by": self.by,
            **self.window.to_json(),
            "comments": self.comments,
            "flag_z": FLAG_Z,
            "themes": [t.to_json() for t in self.themes],
            "rows": [row.to_json() for row in self.rows],
        }


def _comment_query(by: str, window: Window, default_language: str) -> sa.Select[Any]:
    comment = T["answer"].alias("comment")
    score = T["answer"].alias("score")
    customer, agent = T["customer"], T["agent"]

    def score_of(question: str) -> Any:
        return (
            sa.select(score.c.value)
            .where(
                score.c.invitation_id == comment.c.invitation_id, score.c.question_key == question
            )
            .scalar_subquery()
        )

    key: Any = sa.literal(None, sa.String)
    if by == "agent":
        key = agent.c.external_id
    elif by == "team":
        key = agent.c.team
    elif by in PERIODS:
        key = period_start(by, comment.c.answered_at)
    return (
        sa.select(
            comment.c.id,
            comment.c.text,
            sa.func.coalesce(customer.c.language, default_language),
            key,
            score_of(qk.NPS),
            score_of(qk.CSAT),
        )
        .select_from(comment)
        .join(customer, customer.c.id == comment.c.customer_id)
        .outerjoin(agent, agent.c.id == comment.c.agent_id)
        .where(
            comment.c.text.is_not(None),
            comment.c.text != "",
            window.contains(comment.c.answered_at),
        )
        .order_by(comment.c.id)
    )


def band(nps: int | None, csat: int | None) -> int:
    if nps is not None:
        return (
            PROMOTER
            if nps >= qk.NPS_PROMOTER
            else DETRACTOR
            if nps <= qk.NPS_DETRACTOR
            else PASSIVE
        )
    if csat is not None:
        return PROMOTER if csat >= qk.CSAT_GOOD else DETRACTOR if csat <= 2 else PASSIVE
    return UNSCORED


@dataclass
class _Language:
    """One language's comments as they stream in: compact arrays, never the texts."""

    corpus: Corpus
    ids: array[int] = field(default_factory=lambda: array("q"))
    bands: array[int] = field(default_factory=lambda: array("b"))
    groups: array[int] = field(default_factory=lambda: array("i"))


async def build_themes(
    session: AsyncSession,
    *,
    by: str,
    window: Window,
    default_language: str = "en",
    max_themes: int = 8,
) -> Themes:
    """Themes per language and, per group, each theme's detractor-vs-promoter log-odds and z."""
    if by not in GROUPINGS:
        raise InvalidParameter("by", f"{by!r} is not one of {', '.join(GROUPINGS)}")
    from scoring.insights.text import language_of

    languages: dict[str, _Language] = {}
    by_code: dict[str, _Language] = {}
    group_index: dict[str | None, int] = {}
    query = _comment_query(by, window, default_language).execution_options(yield_per=STREAM_BATCH)
    stream = await session.stream(query)
    # A batch at a time: one hop to the database's thread per batch rather than per row.
    async for batch in stream.partitions():
        for ident, text, code, key, nps, csat in batch:
            state = by_code.get(code)
            if state is None:
                language = language_of(code)
                if language not in languages:
                    languages[language] = _Language(Corpus(language))
                state = by_code[code] = languages[language]
            state.corpus.add(text)
            state.ids.append(ident)
            state.bands.append(band(nps, csat))
            state.groups.append(group_index.setdefault(key, len(group_index)))
    total = sum(len(s.ids) for s in languages.values())
    fitted = {
        language: (state, found)
        for language, state in sorted(languages.items())
        if (found := state.corpus.fit(max_themes)) is not None
    }
    return await _score(session, by, window, total, fitted, group_index)


async def _texts(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    answer = T["answer"]
    rows = await session.execute(sa.select(answer.c.id, answer.c.text).where(answer.c.id.in_(ids)))
    return {ident: _shorten(text) for ident, text in rows}


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"


async def _score(
    session: AsyncSession,
    by: str,
    window: Window,
    total: int,
    fitted: Mapping[str, tuple[_Language, FittedThemes]],
    group_index: Mapping[str | None, int],
) -> Themes:
    groups = len(group_index)
    wanted: set[int] = set()
    prepared = []
    for language, (state, found) in fitted.items():
        ids = np.frombuffer(state.ids, dtype=np.int64)
        bands = np.frombuffer(state.bands, dtype=np.int8)
        owners = np.frombuffer(state.groups, dtype=np.int32).astype(np.int64)
        k = len(found.words)
        themed = found.assignment != NO_THEME
        counts = np.zeros((groups, 4, k), dtype=np.int64)
        np.add.at(counts, (owners[themed], bands[themed], found.assignment[themed]), 1)
        best = _best_detractor_quotes(owners, bands, found, groups)
        wanted.update(int(ids[i]) for quotes in found.quotes for i in quotes)
        wanted.update(int(ids[i]) for i in best.values())
        prepared.append((language, ids, found, counts, best))
    texts = await _texts(session, wanted)
    themes: list[Theme] = []
    per_group: list[list[ThemeScore]] = [[] for _ in range(groups)]
    for language, ids, found, counts, best in prepared:
        background = counts.sum(axis=(0, 1))
        prior = dirichlet_prior(background)
        for t, words in enumerate(found.words):
            themes.append(
                Theme(
                    f"{language}-{t + 1}",
                    language,
                    words,
                    [texts[int(ids[i])] for i in found.quotes[t] if int(ids[i]) in texts],
                    int(background[t]),
                )
            )
        for g in range(groups):
            detractors, promoters = counts[g, DETRACTOR], counts[g, PROMOTER]
            comparable = detractors.sum() > 0 and promoters.sum() > 0
            delta, z = log_odds(detractors, promoters, prior) if comparable else (None, None)
            for t, words in enumerate(found.words):
                quote = best.get((g, t))
                per_group[g].append(
                    ThemeScore(
                        f"{language}-{t + 1}",
                        language,
                        words,
                        int(counts[g, :, t].sum()),
                        int(detractors[t]),
                        int(promoters[t]),
                        None if delta is None else float(delta[t]),
                        None if z is None else float(z[t]),
                        texts.get(int(ids[quote])) if quote is not None else None,
                    )
                )
    rows = []
    for key, g in sorted(group_index.items(), key=lambda item: (item[0] is None, item[0] or "")):
        scores = sorted(per_group[g], key=lambda s: (s.z is None, -(s.z or 0.0), -s.comments))
        rows.append(
            ThemeRow(
                key,
                sum(s.comments for s in scores),
                sum(s.detractors for s in scores),
                sum(s.promoters for s in scores),
                scores,
            )
        )
    return Themes(by, window, total, themes, rows)


def _best_detractor_quotes(
    owners: np.ndarray, bands: np.ndarray, found: FittedThemes, groups: int
) -> dict[tuple[int, int], int]:
    """Per (group, theme), the position of the detractor comment most typical of the theme."""
    chosen = np.flatnonzero((bands == DETRACTOR) & (found.assignment != NO_THEME))
    order = np.lexsort((-found.weight[chosen], found.assignment[chosen], owners[chosen]))
    best: dict[tuple[int, int], int] = {}
    for position in chosen[order]:
        best.setdefault((int(owners[position]), int(found.assignment[position])), int(position))
    return best


CSV_COLUMNS = (
    "key",
    "theme",
    "language",
    "words",
    "comments",
    "detractors",
    "promoters",
    "log_odds",
    "z",
    "flagged",
    "quote",
)


def theme_csv_rows(result: Themes) -> list[dict[str, Any]]:
    """One line per group and theme, strongest detractor theme first."""
    return [
        {**score.to_json(), "key": row.key, "words": " ".join(score.words)}
        for row in result.rows
        for score in row.themes
    ]


def low_score_theme(row: ThemeRow, minimum: int = 2) -> ThemeScore | None:
    """The theme a group's low scores share: the flagged theme with the highest z, else the one
    most of its detractor comments are about (at least ``minimum`` of them); None if neither."""
    flagged = [s for s in row.themes if s.flagged]
    if flagged:
        return flagged[0]
    common = max(row.themes, key=lambda s: s.detractors, default=None)
    return common if common is not None and common.detractors >= minimum else None
