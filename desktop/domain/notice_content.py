"""What a public notice may show (公示内容): the publishable fields and the ID fragment.

Kept apart from :mod:`desktop.domain.notice` so the policy tables
(:mod:`desktop.domain.policy`) can validate their ``notice_content`` with the
same rule without importing the notice module (which imports the policy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .categories import Category
from .errors import YimenError

__all__ = ["DEFAULT_NOTICE_CONTENT", "FORBIDDEN_FIELDS", "NoticeContent", "NoticeContentError",
           "NoticeContentRule", "NoticeField"]


class NoticeField(StrEnum):
    """The only things a notice row can ever show (besides the optional ID fragment)."""

    HOLDER_NAME = "holder_name"
    VILLAGE = "village"
    HOUSEHOLD_SIZE = "household_size"
    CATEGORY = "category"
    MONTHLY_AMOUNT = "monthly_amount"
    PERIOD = "period"


# Names a policy might try to publish, and why it may not (the error names the rule).
FORBIDDEN_FIELDS: Mapping[str, str] = {
    "id_number": "完整身份证号码", "full_id": "完整身份证号码", "address": "家庭住址", "income": "收入",
    "assets": "财产", "bank_account": "银行账号", "card_number": "银行卡号", "phone": "家庭成员电话",
    "health": "健康状况", "illness": "疾病情况", "disability": "残疾情况", "members": "家庭成员姓名",
    "birth_date": "出生日期", "age": "年龄",
}


class NoticeContentError(YimenError, ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NoticeContent:
    """What the policy lets a notice show: a subset of :class:`NoticeField`, in column order,
    and the ID fragment (characters kept at the head and tail; 0/0 = no ID column)."""

    fields: tuple[NoticeField, ...]
    id_head: int = 0
    id_tail: int = 0

    def __post_init__(self) -> None:
        if not self.fields:
            raise NoticeContentError("公示内容至少应包括一项")
        if len(set(self.fields)) != len(self.fields):
            raise NoticeContentError("公示内容有重复的项目")
        if NoticeField.HOLDER_NAME not in self.fields:
            raise NoticeContentError("公示内容必须包括申请人姓名")
        for n, most in ((self.id_head, 6), (self.id_tail, 4)):
            if type(n) is not int or not 0 <= n <= most:
                raise NoticeContentError("身份证号码最多只能公示前6位和后4位")

    @property
    def shows_id(self) -> bool:
        return self.id_head + self.id_tail > 0

    def to_dict(self) -> dict[str, Any]:
        return {"fields": [f.value for f in self.fields], "id_fragment": {"head": self.id_head,
                                                                           "tail": self.id_tail}}

    @classmethod
    def from_dict(cls, raw: Any) -> NoticeContent:
        """``{"fields": [...], "id_fragment": {"head": 6, "tail": 4}}``; any problem raises
        :class:`NoticeContentError` in Chinese (a forbidden field is named with the rule)."""
        if not isinstance(raw, Mapping):
            raise NoticeContentError("公示内容设置应为 JSON 对象")
        extra = sorted(set(raw) - {"fields", "id_fragment"})
        if extra:
            raise NoticeContentError(f"公示内容设置中有未知项目：{extra[0]}")
        names = raw.get("fields", [f.value for f in DEFAULT_NOTICE_CONTENT.fields])
        if not isinstance(names, list):
            raise NoticeContentError("公示内容 fields 应为列表")
        fields = []
        for name in names:
            if not isinstance(name, str):
                raise NoticeContentError(f"未知的公示项目：{name!r}")
            if name in FORBIDDEN_FIELDS:
                raise NoticeContentError(f"{FORBIDDEN_FIELDS[name]}依规不得公示（fields 中的 {name}）")
            try:
                fields.append(NoticeField(name))
            except ValueError:
                raise NoticeContentError(f"未知的公示项目：{name!r}") from None
        frag = raw.get("id_fragment", {})
        if not isinstance(frag, Mapping) or set(frag) - {"head", "tail"}:
            raise NoticeContentError("id_fragment 应为 {\"head\": 0–6, \"tail\": 0–4}")
        return cls(tuple(fields), frag.get("head", 0), frag.get("tail", 0))


DEFAULT_NOTICE_CONTENT = NoticeContent(tuple(NoticeField))


@dataclass(frozen=True)
class NoticeContentRule:
    """A policy's content rule with per-category exceptions (e.g. 特困 without the amount)."""

    default: NoticeContent
    by_category: Mapping[Category, NoticeContent] = field(default_factory=dict)

    def for_category(self, category: Category | str | None) -> NoticeContent:
        if category is None:
            return self.default
        return self.by_category.get(Category(category), self.default)

    @classmethod
    def from_dict(cls, raw: Any) -> NoticeContent | NoticeContentRule:
        """The JSON of a policy table's ``notice_content``: either one content
        (``{"fields": [...], "id_fragment": {...}}``) or ``{"default": {...}, "by_category":
        {"tekun": {...}}}``. Raises :class:`NoticeContentError` (Chinese) naming what is wrong."""
        if isinstance(raw, Mapping) and "default" in raw:
            extra = sorted(set(raw) - {"default", "by_category"})
            if extra:
                raise NoticeContentError(f"公示内容设置中有未知项目：{extra[0]}")
            by_cat = raw.get("by_category") or {}
            if not isinstance(by_cat, Mapping):
                raise NoticeContentError("公示内容 by_category 应为 JSON 对象")
            default = NoticeContent.from_dict(raw["default"])
            out: dict[Category, NoticeContent] = {}
            for key, value in by_cat.items():
                try:
                    cat = Category(key)
                except ValueError:
                    raise NoticeContentError(f"公示内容 by_category 中有未知的救助类别：{key!r}") from None
                try:
                    out[cat] = NoticeContent.from_dict(value)
                except NoticeContentError as exc:
                    raise NoticeContentError(f"{cat.label}：{exc.message}") from None
            return cls(default, out)
        return NoticeContent.from_dict(raw)
