"""Service-level errors: `message` is Chinese and shown to the user as is (root: YimenError)."""

from __future__ import annotations

from desktop.domain.errors import YimenError
from forms.errors import FormsError


class ServiceError(YimenError):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message, field)

    @classmethod
    def from_forms(cls, exc: FormsError) -> ServiceError:
        """The translation at the forms boundary: ``raise ServiceError.from_forms(exc) from exc``."""
        return cls(exc.message)


class InvalidInput(ServiceError):
    """Bad input from a form: nothing was changed."""


class NotFound(ServiceError):
    pass
