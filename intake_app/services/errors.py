"""Errors a front end shows to the user as they are: one line, no patient values."""


class ServiceError(Exception):
    """A user's error: the message says what to change."""


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class ConcurrentEdit(ServiceError):
    """Someone else changed the record since it was read; nothing was saved."""


class ValidationFailed(ServiceError):
    """One or more fields are wrong; `problems` lists them, each naming its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class DatabaseBusy(ServiceError):
    """Another action held the write lock for longer than the busy timeout; nothing changed."""
