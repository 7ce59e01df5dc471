"""The survey engine's exceptions. Each docstring is the default message."""

from __future__ import annotations

from dataclasses import dataclass

from feedbackbot.errors import FeedbackbotError


@dataclass(frozen=True)
class Problem:
    """One mistake in a survey file: where it is (file, line, key path) and what is wrong."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SurveyError(FeedbackbotError):
    """A survey could not be used."""


class SurveyFileError(SurveyError):
    """A survey file has mistakes; ``problems`` lists each one, one line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownSurvey(SurveyError, KeyError):
    """No survey has this key."""

    def __init__(self, key: str, known: list[str]) -> None:
        self.key = key
        super().__init__(f"Unknown survey {key!r}; known surveys: {', '.join(known) or 'none'}")

    def __str__(self) -> str:
        return str(self.args[0])


class DefinitionNotPinned(SurveyError):
    """An invitation names a survey version whose definition was never stored (pin_version)."""
