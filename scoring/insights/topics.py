"""Comments of one language into themes: a stem-count matrix built while streaming, then NMF.

Each comment becomes one row of a sparse count matrix as it arrives (the text itself is not
kept, only its id), so memory grows with the number of stems, not with the text. Themes are a
non-negative matrix factorisation (scikit-learn's NMF, deterministic NNDSVDa start) of the
TF-IDF weighted counts; a comment belongs to the theme with its largest weight, and a theme is
shown by its heaviest stems (as the word customers wrote most often for each).

The matrix's columns are the stems in alphabetical order, not in the order they first
appeared. NMF's coordinate descent stops within a tolerance (1e-4), so the same matrix
with its columns permuted converges to weights about 1e-5 apart, enough to move a comment nearly
tied between two themes (2 of 25,000 in the benchmark). In a fixed order the themes depend only
on which comments there are, not on which of them first used a word.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.insights.relative_weights import Array
from scoring.insights.text import Stemmer

MIN_COMMENTS = 30
MAX_THEMES = 8
KEY_WORDS = 6
QUOTES = 3
NO_THEME = -1
NDArrayInt = np.ndarray


@dataclass(frozen=True)
class FittedThemes:
    """Per comment (in arrival order): its theme (or ``NO_THEME``) and its weight in it."""

    assignment: NDArrayInt
    weight: Array
    words: list[list[str]]
    quotes: list[list[int]]
    """Per theme, the positions of its most typical comments."""


class Corpus:
    """The comments of one language, as they stream in: each a row of word ids.

    Words, not stems, are counted while streaming (one dictionary look-up per word, in C); each
    distinct word is stemmed once, when the themes are fitted, and its uses then count for its
    stem and say which spelling to show for it.
    """

    def __init__(self, language: str) -> None:
        self.stemmer = Stemmer(language)
        self.words: dict[str, int] = {}
        """Each distinct word (lower case) -> its id, in order of first use."""
        self.indices = array("i")
        self.indptr = array("q", [0])

    def add(self, text: str) -> None:
        words = self.stemmer.words(text)
        ids = self.words
        try:
            found = list(map(ids.__getitem__, words))
        except KeyError:
            for word in words:
                ids.setdefault(word, len(ids))
            found = list(map(ids.__getitem__, words))
        self.indices.extend(found)
        self.indptr.append(len(self.indices))

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def counts(self) -> tuple[Any, list[str]]:
        """The comments x stems count matrix (scipy CSR; the stems in alphabetical order) and,
        per stem, the word written most often for it (key words people can read)."""
        from scipy.sparse import csr_matrix

        stem_of = [self.stemmer.stem(word) for word in self.words]
        stems = sorted({stem for stem in stem_of if stem is not None})
        column = {stem: i for i, stem in enumerate(stems)}
        word_column = np.array(
            [-1 if stem is None else column[stem] for stem in stem_of], dtype=np.int32
        )
        word_ids = np.frombuffer(self.indices, dtype=np.int32)
        uses = np.bincount(word_ids, minlength=len(stem_of))
        spelling: list[tuple[int, str]] = [(0, stem) for stem in stems]
        for word, stem, count in zip(self.words, stem_of, uses.tolist(), strict=True):
            if stem is not None and (count, word) > spelling[column[stem]]:
                spelling[column[stem]] = (count, word)
        columns = word_column[word_ids]
        kept = columns >= 0
        before = np.concatenate(([0], np.cumsum(kept, dtype=np.int64)))
        matrix = csr_matrix(
            (
                np.ones(int(before[-1]), dtype=np.float64),
                columns[kept],
                before[np.frombuffer(self.indptr, dtype=np.int64)],
            ),
            shape=(len(self), max(1, len(stems))),
        )
        matrix.sum_duplicates()
        return matrix, [word for _, word in spelling]

    def fit(self, max_themes: int = MAX_THEMES) -> FittedThemes | None:
        """The themes, or None when there are too few comments or words to find any."""
        n = len(self)
        if n < MIN_COMMENTS:
            return None
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer

        counts, spelling = self.counts()
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = np.flatnonzero(
            (document_frequency >= max(2, math.ceil(0.002 * n))) & (document_frequency <= 0.6 * n)
        )
        themes = min(max_themes, max(2, round(math.sqrt(n / 10))))
        if len(keep) < themes:
            return None
        kept = counts[:, keep]
        weighted = TfidfTransformer(sublinear_tf=True).fit_transform(kept)
        model = NMF(n_components=themes, init="nndsvda", random_state=0, max_iter=400)
        doc_weights = model.fit_transform(weighted)
        best = doc_weights.argmax(axis=1)
        strength = doc_weights[np.arange(n), best]
        assignment = np.where(strength > 0, best, NO_THEME)
        words = [
            [spelling[keep[i]] for i in np.argsort(-row)[:KEY_WORDS] if row[i] > 0]
            for row in model.components_
        ]
        quotes = []
        for theme in range(themes):
            members = np.flatnonzero(assignment == theme)
            top = members[np.argsort(-strength[members], kind="stable")[:QUOTES]]
            quotes.append([int(i) for i in top])
        return FittedThemes(assignment, strength, words, quotes)
