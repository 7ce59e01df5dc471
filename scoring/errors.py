"""Scoring's exceptions; each names the parameter that is wrong."""

from __future__ import annotations

from feedbackbot.errors import FeedbackbotError


class InvalidParameter(FeedbackbotError):
    """A report parameter has a wrong value."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem
