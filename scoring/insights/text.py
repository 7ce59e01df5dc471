"""Comments into word stems, per language: stop words dropped, Snowball stems, cached.

The stop-word lists ship with the package (``stopwords/<language>.txt``), so nothing is
downloaded at run time. A language other than en, es, de and ru is read as English. Stemming is
the slow part (pure-Python Snowball), and comments repeat the same few thousand words, so each
distinct word is stemmed once.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from importlib import resources

import snowballstemmer

LANGUAGES = {"en": "english", "es": "spanish", "de": "german", "ru": "russian"}
DEFAULT_LANGUAGE = "en"
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
MIN_LENGTH = 2


def language_of(code: str | None) -> str:
    """``en``, ``es``, ``de`` or ``ru`` from a language tag such as ``es-MX``; else ``en``."""
    short = (code or "").strip().lower()[:2]
    return short if short in LANGUAGES else DEFAULT_LANGUAGE


@cache
def stop_words(language: str) -> frozenset[str]:
    text = (
        resources.files("scoring.insights")
        .joinpath(f"stopwords/{language}.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        word
        for line in text.splitlines()
        if not line.startswith("#")
        for word in line.lower().split()
    )


class Stemmer:
    """Turns a comment into its stems; remembers each word's stem and how it was written."""

    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self._stemmer = snowballstemmer.stemmer(LANGUAGES[self.language])
        self._stop = stop_words(self.language)
        self._stems: dict[str, str | None] = {}
        self._words: Counter[str] = Counter()
        self._spelling: dict[str, str] | None = None

    def _stem(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or word in self._stop:
            return None
        stem = self._stemmer.stemWord(word.replace("’", "'"))
        return None if stem in self._stop else stem

    def stems(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        self._words.update(words)
        self._spelling = None
        known = self._stems
        found: list[str] = []
        for word in words:
            stem = known[word] if word in known else known.setdefault(word, self._stem(word))
            if stem is not None:
                found.append(stem)
        return found

    def word_for(self, stem: str) -> str:
        """The word written most often for ``stem`` (key words people can read)."""
        if self._spelling is None:
            best: dict[str, tuple[int, str]] = {}
            for word, count in self._words.items():
                found = self._stems.get(word)
                if found is not None and (count, word) > best.get(found, (0, "")):
                    best[found] = (count, word)
            self._spelling = {found: word for found, (_, word) in best.items()}
        return self._spelling.get(stem, stem)
