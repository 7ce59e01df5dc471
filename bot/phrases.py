"""A channel's own words per language: the one lookup the Telegram bot and the Slack app share.

Survey wording and what every channel says alike live in the engine (``surveys.messages``,
``surveys.privacy``). What only one channel says (its commands, its buttons, its modal) stays
in that channel's ``texts.py`` and is looked up here: a language the table does not have, or a
key not translated into it, falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

FALLBACK: Final = "en"

Phrasebook = Mapping[str, Mapping[str, str]]
"""Language code, then key, then the text (with ``str.format`` fields)."""


def phrase(book: Phrasebook, language: str | None, key: str, /, **values: object) -> str:
    table = book.get(language or FALLBACK, book[FALLBACK])
    return table.get(key, book[FALLBACK][key]).format(**values)
