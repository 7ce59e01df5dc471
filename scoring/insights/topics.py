"""Comments of one language into themes: a stem-count matrix built while streaming, then NMF.

Each comment becomes one row of a sparse count matrix as it arrives (the text itself is not
kept, only its id), so memory grows with the number of stems, not with the text. Themes are a
non-negative matrix factorisation (scikit-learn's NMF, deterministic NNDSVDa start) of the
TF-IDF weighted counts; a comment belongs to the theme with its largest weight, and a theme is
shown by its heaviest stems (as the word customers wrote most often for each).
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
    """The comments of one language, as they stream in."""

    def __init__(self, language: str) -> None:
        self.stemmer = Stemmer(language)
        self.vocabulary: dict[str, int] = {}
        self.indices = array("i")
        self.indptr = array("q", [0])

    def add(self, text: str) -> None:
        vocabulary = self.vocabulary
        for stem in self.stemmer.stems(text):
            index = vocabulary.get(stem)
            if index is None:
                index = vocabulary[stem] = len(vocabulary)
            self.indices.append(index)
        self.indptr.append(len(self.indices))

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def counts(self) -> Any:
        """The comments x stems count matrix (scipy CSR)."""
        from scipy.sparse import csr_matrix

        indices = np.frombuffer(self.indices, dtype=np.int32)
        data = np.ones(len(indices), dtype=np.float64)
        matrix = csr_matrix(
            (data, indices, np.frombuffer(self.indptr, dtype=np.int64)),
            shape=(len(self), max(1, len(self.vocabulary))),
        )
        matrix.sum_duplicates()
        return matrix

    def fit(self, max_themes: int = MAX_THEMES) -> FittedThemes | None:
        """The themes, or None when there are too few comments or words to find any."""
        n = len(self)
        if n < MIN_COMMENTS:
            return None
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer

        counts = self.counts()
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
        stems = np.array(list(self.vocabulary), dtype=object)[keep]
        words = [
            [
                self.stemmer.word_for(str(stems[i]))
                for i in np.argsort(-row)[:KEY_WORDS]
                if row[i] > 0
            ]
            for row in model.components_
        ]
        quotes = []
        for theme in range(themes):
            members = np.flatnonzero(assignment == theme)
            top = members[np.argsort(-strength[members], kind="stable")[:QUOTES]]
            quotes.append([int(i) for i in top])
        return FittedThemes(assignment, strength, words, quotes)
