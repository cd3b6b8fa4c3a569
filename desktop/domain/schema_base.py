"""What the file schemas (:mod:`policy_schema`, :mod:`calendar_schema`) share: the strict base model and
the field types. Integers are integers (``true`` is not 1), texts are strings, dates are ``YYYY-MM-DD``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt
from pydantic_core import PydanticCustomError

__all__ = ["FileModel", "IsoDate", "NonEmptyText", "NonNegative", "Positive", "Text", "format_version"]


class FileModel(BaseModel):
    """Unknown fields are refused; texts are stripped (a code " dibao " is "dibao")."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Text = Annotated[str, Field(strict=True)]                        # may be empty
NonEmptyText = Annotated[str, Field(strict=True, min_length=1)]
Positive = Annotated[StrictInt, Field(ge=1)]
NonNegative = Annotated[StrictInt, Field(ge=0)]


def _iso_text(v: Any) -> Any:
    if isinstance(v, str) and len(v.strip()) != 10:
        raise PydanticCustomError("date_parsing", "bad date")   # only YYYY-MM-DD: no time, no 20260701
    if not isinstance(v, str | date):
        raise PydanticCustomError("date_type", "not a date")
    return v.strip() if isinstance(v, str) else v


IsoDate = Annotated[date, BeforeValidator(_iso_text)]


def format_version(supported: int) -> Any:
    """An integer field that must be ``supported`` (``不支持的格式版本 2（应为 1）`` otherwise)."""

    def check(v: int) -> int:
        if v != supported:
            raise PydanticCustomError("yimen_format", "不支持的格式版本 {v}（应为 {f}）", {"v": v, "f": supported})
        return v

    return Annotated[StrictInt, AfterValidator(check), Field(json_schema_extra={"const": supported})]
