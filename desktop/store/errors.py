"""Storage errors. Each carries a `message` in Chinese that can be shown to a clerk as is."""

from __future__ import annotations

from desktop.domain.errors import YimenError


class StoreError(YimenError):
    """Base class: `message` is what the user sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class DatabaseMissing(StoreError):
    pass


class DatabaseDamaged(StoreError):
    pass


class DatabaseFull(StoreError):
    """SQLITE_FULL: the disk (or the database's page limit) is full; the write was rolled back whole."""


class WrongKey(StoreError):
    pass


class WrongPassword(StoreError):
    pass


class AccountLocked(StoreError):
    def __init__(self, message: str, until: str) -> None:
        super().__init__(message)
        self.until = until


class UnknownUser(StoreError):
    pass


class KeySlotError(StoreError):
    pass


class BackupError(StoreError):
    pass


class CipherVersionError(StoreError):
    pass


class AuditChainBroken(StoreError):
    """The log's tail and its recorded head disagree: nothing more is appended until it is looked at."""
