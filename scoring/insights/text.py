"""Comments into word stems, per language: stop words dropped, Snowball stems, cached.

The stop-word lists ship with the package (``stopwords/<language>.txt``), so nothing is
downloaded at run time. A language other than en, es, de and ru is read as English. Stemming is
the slow part (pure-Python Snowball), and comments repeat the same few thousand words, so each
distinct word is stemmed once.
"""

from __future__ import annotations

import re
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
    """Turns comments into words and words into stems; remembers each word's stem."""

    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self._stemmer = snowballstemmer.stemmer(LANGUAGES[self.language])
        self._stop = stop_words(self.language)
        self._stems: dict[str, str | None] = {}

    def _stem(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or word in self._stop:
            return None
        stem = self._stemmer.stemWord(word.replace("’", "'"))
        return None if stem in self._stop else stem

    @staticmethod
    def words(text: str) -> list[str]:
        """The comment's words, lower case."""
        return _WORD.findall(text.lower())

    def stem(self, word: str) -> str | None:
        """The stem of one word from ``words``, or None for a stop word."""
        known = self._stems
        return known[word] if word in known else known.setdefault(word, self._stem(word))

    def stems(self, text: str) -> list[str]:
        """The comment's stems, stop words left out."""
        known = self._stems
        found: list[str] = []
        for word in self.words(text):
            stem = known[word] if word in known else known.setdefault(word, self._stem(word))
            if stem is not None:
                found.append(stem)
        return found
