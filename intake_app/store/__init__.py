"""Persistence: encrypted engine, key vault, models and migrations."""


class StoreError(Exception):
    """A storage problem to show the user as one line; never carries patient data."""


class WrongPassword(StoreError):
    pass


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
