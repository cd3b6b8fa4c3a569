"""The wire's one error, importable without ``requests`` (the desktop catches it through its port)."""

from __future__ import annotations


class SyncError(Exception):
    """``code``: the hub's error code, or one of ``unreachable``, ``timeout``, ``tls``, ``not_hub``,
    ``bad_answer``, ``busy``, ``server_error``, ``bad_ca``. ``retryable``: trying later may help."""

    def __init__(self, code: str, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.status = status
