"""The one root of the errors a clerk may be shown: :class:`YimenError`.

Every error raised on purpose under ``desktop/`` (store, services, domain, permissions) derives
from it and carries ``message``, Chinese, written for the clerk and shown as is, and optionally
``field``, the form field it is about ("" when none). The UI tells a known error from a bug by
``isinstance(exc, YimenError)``: anything else reaching it is a bug, logged with its traceback
(:mod:`desktop.logs`), and the clerk is told where the log is.

Subclasses keep a standard base where callers catch it (``ValueError``, ``LookupError``):
``class CalendarError(YimenError, ValueError)``.

``forms`` imports nothing of ``desktop`` and has its own small root (:class:`forms.errors.FormsError`);
the services that call forms translate it into a ``ServiceError`` at their boundary.
"""

from __future__ import annotations

__all__ = ["YimenError"]


class YimenError(Exception):
    """An expected failure with a Chinese ``message`` for the clerk and an optional ``field``."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
