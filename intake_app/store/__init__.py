"""Persistence: encrypted engine, key vault, models and migrations."""


class StoreError(Exception):
    """A storage problem to show the user as one line; never carries patient data."""


class WrongPassword(StoreError):
    """Wrong user name or password; `retry_after` seconds must pass before the next try."""

    def __init__(self, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SignInThrottled(WrongPassword):
    """Refused without trying the password: too many wrong ones for this name just now."""


class KeyFileDamaged(StoreError):
    pass


class NotOurDatabase(StoreError):
    pass


class DatabaseTooNew(StoreError):
    pass


class DatabaseMissing(StoreError):
    pass


class DatabaseExists(StoreError):
    pass


class DatabaseDamaged(StoreError):
    """Pages fail their checks: only a backup brings the data back."""

    def __init__(self, detail: str = "") -> None:
        where = f" ({detail})" if detail else ""
        super().__init__(
            f"the database is damaged{where}; run 'intake-app check', and restore it from a backup"
        )


class MigrationFailed(StoreError):
    pass
