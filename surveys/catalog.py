"""The surveys this deployment can send: the built-ins, then the custom file (``SURVEYS_FILE``).

A custom survey with a built-in's key replaces it; any other key adds a survey. Built-ins ship
as YAML inside the package (``surveys/builtin``) and are validated like any custom file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path

from surveys.definitions import Survey
from surveys.errors import Problem, SurveyFileError, UnknownSurvey
from surveys.loader import LoadResult, load_text

BUILTIN_ORDER = ("csat", "nps", "ces", "fcr", "value")


class Origin(StrEnum):
    BUILTIN = "built-in"
    CUSTOM = "custom"
    OVERRIDE = "custom (replaces built-in)"


@dataclass(frozen=True)
class Entry:
    survey: Survey
    origin: Origin
    source: str
    """The file the survey came from (``builtin/csat.yaml`` or the custom file's path)."""


class Catalog:
    """Surveys by key, built-ins first in their fixed order, then custom ones as written."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = {entry.survey.key: entry for entry in entries}

    def get(self, key: str) -> Survey:
        """The survey with ``key``; raises ``UnknownSurvey`` naming the known keys."""
        entry = self._entries.get(key)
        if entry is None:
            raise UnknownSurvey(key, list(self._entries))
        return entry.survey

    def entry(self, key: str) -> Entry:
        self.get(key)
        return self._entries[key]

    @property
    def surveys(self) -> tuple[Survey, ...]:
        return tuple(entry.survey for entry in self._entries.values())

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries.values())

    def keys(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Survey]:
        return iter(self.surveys)

    def __len__(self) -> int:
        return len(self._entries)


def read_file(path: Path) -> LoadResult:
    """Load one survey file; an unreadable file is a problem, like a mistake inside it."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadResult([], [Problem(name, None, "", "file not found")], {})
    except IsADirectoryError:
        return LoadResult([], [Problem(name, None, "", "is a directory, not a YAML file")], {})
    except UnicodeDecodeError as error:
        message = f"is not UTF-8 text (byte {error.start})"
        return LoadResult([], [Problem(name, None, "", message)], {})
    except OSError as error:
        return LoadResult([], [Problem(name, None, "", f"cannot be read ({error.strerror})")], {})
    return load_text(text, name)


def builtin_entries() -> list[Entry]:
    """The built-in surveys; a mistake in them is a bug, reported like any file's."""
    folder = resources.files("surveys") / "builtin"
    entries: list[Entry] = []
    problems: list[Problem] = []
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if not item.name.endswith(".yaml"):
            continue
        result = load_text(item.read_text(encoding="utf-8"), f"builtin/{item.name}")
        problems += result.problems
        entries += [Entry(s, Origin.BUILTIN, f"builtin/{item.name}") for s in result.surveys]
    if problems:
        raise SurveyFileError(problems)
    rank = {key: index for index, key in enumerate(BUILTIN_ORDER)}
    return sorted(entries, key=lambda e: (rank.get(e.survey.key, len(rank)), e.survey.key))


def load_catalog(surveys_file: Path | None) -> Catalog:
    """The built-ins plus ``surveys_file`` (which may add surveys or replace built-ins).

    Raises ``SurveyFileError`` listing every problem of the custom file.
    """
    entries = {entry.survey.key: entry for entry in builtin_entries()}
    if surveys_file is not None:
        result = read_file(Path(surveys_file))
        if result.problems:
            raise SurveyFileError(result.problems)
        for survey in result.surveys:
            origin = Origin.OVERRIDE if survey.key in entries else Origin.CUSTOM
            entries[survey.key] = Entry(survey, origin, str(surveys_file))
    return Catalog(list(entries.values()))
