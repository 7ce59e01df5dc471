"""The one exception root. A subclass's docstring is its default message."""


class FeedbackbotError(Exception):
    """Something went wrong in feedbackbot."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


class ConfigurationError(FeedbackbotError):
    """A setting is missing or has a wrong value."""


class StorageError(FeedbackbotError):
    """The database refused an operation."""


class AlreadyExists(StorageError):
    """A row with the same unique key already exists."""
