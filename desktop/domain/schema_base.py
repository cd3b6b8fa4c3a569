"""What the file schemas (:mod:`policy_schema`, :mod:`calendar_schema`) share: the strict base model and
the field types. Integers are integers (``true`` is not 1), texts are strings, dates are ``YYYY-MM-DD``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt
from pydantic_core import PydanticCustomError

__all__ = ["FileModel", "IsoDate", "NonEmptyText", "NonNegative", "Positive", "Text", "format_version", "read_json"]


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


def read_json(path: Path, what: str, error: Callable[[str], Exception]) -> Any:
    """The JSON in ``path``; a file that cannot be read, is not UTF-8 or not JSON raises ``error(message)``
    with a Chinese message naming ``what`` (e.g. 政策表) and the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"无法读取{what} {path.name}：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path.name} 不是 UTF-8 编码的文本（第{exc.start + 1}个字节）") from exc
    except json.JSONDecodeError as exc:
        raise error(f"{what} {path.name} 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）") from exc
