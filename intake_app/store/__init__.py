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


class MigrationFailed(StoreError):
    pass
