"""The root of the errors ``forms`` raises on purpose: :class:`FormsError`.

``forms`` imports nothing of ``desktop``, so it has its own small root; ``message`` is Chinese
and may be shown to a clerk. The services that call forms translate a ``FormsError`` into a
``ServiceError`` at their boundary (desktop/services/documents/issue.py, notices/output.py, …).
Errors of the callers' own making (a renderer handed an empty table) stay ``ValueError``: bugs.
"""

from __future__ import annotations

__all__ = ["FormsError"]


class FormsError(Exception):
    """An expected failure with a Chinese ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
