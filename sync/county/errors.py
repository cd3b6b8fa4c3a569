"""Refusals of the hub: a stable code, a Chinese message, the HTTP status it travels with."""

from __future__ import annotations


class HubError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
