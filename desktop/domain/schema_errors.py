"""One translator from pydantic validation errors to Chinese, for the policy and calendar files.

A pydantic error has a location (``("deadlines", "county_confirm", "default")``), a type
(``int_type``) and the input. :func:`chinese_errors` turns each into one line a clerk or county IT
can act on::

    政策表 620102-2026-07-01.json：办理时限 → 县级审核确认 → 默认值（deadlines.county_confirm.default）：应为整数，而不是 "10"

The Chinese names of the fields sit next to the models (:class:`Labels`); the texts for the error
types are here, once. Checks the schema cannot express (a referral to a department that is not
defined, …) name their place with :func:`place` so every message reads the same way. Errors the
models raise themselves (``PydanticCustomError`` with a type starting ``yimen_``) carry their Chinese
text already.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import ValidationError

__all__ = ["CUSTOM_PREFIX", "Labels", "chinese_errors", "describe", "place"]

CUSTOM_PREFIX = "yimen_"   # PydanticCustomError types whose message is already Chinese
MAX_SHOWN = 5              # errors listed in one message; the rest are counted

Loc = Sequence[str | int]


@dataclass(frozen=True)
class Labels:
    """Chinese names for one file format.

    ``names``: field name → label. ``keys``: for a mapping field, how its keys read (e.g. the
    categories under ``by_category``). ``patterns``: regex of a constrained string → what it allows.
    ``enums``: enum → its noun (``救助类别``), for "未知的救助类别 "pension""."""

    names: Mapping[str, str]
    keys: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    patterns: Mapping[str, str] = field(default_factory=dict)
    enums: Sequence[tuple[type[Enum], str]] = ()


def _show(value: Any) -> str:
    """The input as its JSON author wrote it (``true``, ``"10"``), cut short."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def place(loc: Loc, labels: Labels) -> str:
    """``办理时限 → 县级审核确认 → 默认值（deadlines.county_confirm.default）``; "" for the whole file."""
    dotted = ""
    named: list[str] = []
    parent: str | None = None
    for part in loc:
        if isinstance(part, int):
            dotted += f"[{part}]"
            named.append(f"第{part + 1}项")
            continue
        dotted += f".{part}" if dotted else part
        key_label = labels.keys.get(parent) if parent is not None else None
        named.append(key_label(part) if key_label else labels.names.get(part, part))
        parent = part
    if not dotted:
        return ""
    return f"{' → '.join(named)}（{dotted}）"


def _enum_noun(expected: str, labels: Labels) -> tuple[str, set[str]]:
    values = set(re.findall(r"'([^']*)'", expected))
    for enum, noun in labels.enums:
        if values == {str(m.value) for m in enum}:
            return noun, values
    return "", values


def describe(error: Mapping[str, Any], labels: Labels) -> str:
    """The Chinese reason for one pydantic error (without its place)."""
    kind: str = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    given = _show(error.get("input"))
    if kind.startswith(CUSTOM_PREFIX):
        return str(error["msg"])
    if kind == "enum":
        noun, values = _enum_noun(str(ctx.get("expected", "")), labels)
        choices = " 或 ".join(sorted(values)) if len(values) <= 4 else ""
        head = f"未知的{noun} {given}" if noun else f"不是可用的取值：{given}"
        return f"{head}（应为 {choices}）" if choices else head
    if kind == "string_pattern_mismatch":
        rule = labels.patterns.get(str(ctx.get("pattern", "")), f"格式不正确（应符合 {ctx.get('pattern')}）")
        return f"{rule}，而不是 {given}"
    simple: dict[str, str] = {
        "missing": "缺少此字段",
        "extra_forbidden": "未知字段",
        "int_type": f"应为整数，而不是 {given}",
        "int_parsing": f"应为整数，而不是 {given}",
        "int_from_float": f"应为整数，而不是 {given}",
        "bool_type": f"应为 true 或 false，而不是 {given}",
        "bool_parsing": f"应为 true 或 false，而不是 {given}",
        "string_type": f"应为文字（字符串），而不是 {given}",
        "string_too_short": "应为非空文字",
        "list_type": f"应为列表（JSON 数组），而不是 {given}",
        "dict_type": f"应为 JSON 对象，而不是 {given}",
        "model_type": f"应为 JSON 对象，而不是 {given}",
        "model_attributes_type": f"应为 JSON 对象，而不是 {given}",
        "date_type": f"日期应写作 YYYY-MM-DD，而不是 {given}",
        "date_parsing": f"无效日期 {given}（应为 YYYY-MM-DD）",
        "date_from_datetime_parsing": f"无效日期 {given}（应为 YYYY-MM-DD）",
        "date_from_datetime_inexact": f"无效日期 {given}（应为 YYYY-MM-DD）",
        "literal_error": f"应为 {str(ctx.get('expected')).replace(' or ', ' 或 ')}，而不是 {given}",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}（当前为 {given}）",
        "greater_than": f"应大于 {ctx.get('gt')}（当前为 {given}）",
        "less_than_equal": f"不能大于 {ctx.get('le')}（当前为 {given}）",
        "less_than": f"应小于 {ctx.get('lt')}（当前为 {given}）",
        "too_short": f"至少应有 {ctx.get('min_length')} 项",
        "too_long": f"最多只能有 {ctx.get('max_length')} 项",
    }
    return simple.get(kind, f"不符合要求（{kind}：{error.get('msg', '')}）")


def _loc(error: Mapping[str, Any]) -> tuple[str | int, ...]:
    """The error's place; a bad mapping key (``…, "pension", "[key]"``) is named by the key itself."""
    return tuple(p for p in error["loc"] if p != "[key]")


def chinese_errors(exc: ValidationError, origin: str, labels: Labels) -> str:
    """``{origin}：{place}：{reason}`` for each error (up to :data:`MAX_SHOWN`, then a count)."""
    errors = exc.errors(include_url=False)
    # a bad key also fails its value against the key's siblings; the key is the one to name
    bad_keys = {_loc(e) for e in errors if "[key]" in e["loc"]}
    errors = [e for e in errors if "[key]" in e["loc"] or _loc(e) not in bad_keys]
    items = []
    for e in errors[:MAX_SHOWN]:
        where = place(_loc(e), labels)
        items.append(f"{where}：{describe(e, labels)}" if where else describe(e, labels))
    more = f"；……共 {len(errors)} 处错误" if len(errors) > MAX_SHOWN else ""
    return f"{origin}：{'；'.join(items)}{more}"
