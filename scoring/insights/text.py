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
        self.spellings: dict[str, Counter[str]] = {}

    def _stem(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or word in self._stop:
            return None
        stem = self._stemmer.stemWord(word.replace("’", "'"))
        return None if stem in self._stop else stem

    def stems(self, text: str) -> list[str]:
        found: list[str] = []
        for match in _WORD.finditer(text.lower()):
            word = match.group()
            if word in self._stems:
                stem = self._stems[word]
            else:
                stem = self._stems[word] = self._stem(word)
                if stem is not None:
                    self.spellings.setdefault(stem, Counter())
            if stem is not None:
                self.spellings[stem][word] += 1
                found.append(stem)
        return found

    def word_for(self, stem: str) -> str:
        """The word most often seen for ``stem`` (for key words people can read)."""
        spellings = self.spellings.get(stem)
        return spellings.most_common(1)[0][0] if spellings else stem
