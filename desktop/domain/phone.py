"""The contact phone given with an application: what may be typed, how it is stored, how it is masked.

Every notice says 请保持电话畅通, so the window asks for a phone with every application. An
applicant without one must still be able to apply: the clerk then types ``无`` (stored as is, so
"asked, has none" is told from "not asked" — the empty string of cases taken before the field).

Accepted (full-width digits, spaces, hyphens, brackets and a leading +86 are normalised):

- a mainland mobile number: 11 digits ``1[3-9]xxxxxxxxx`` → stored ``13912345678``;
- a fixed line with its area code: ``0`` + 2 or 3 digits (010 and 020–029 are three digits long,
  every other area code four), then a 7- or 8-digit number, optionally an extension of up to 6
  digits → stored ``0931-5550123`` or ``0931-5550123-12``.

Who sees it: the applicant's own receipt prints it in full; the 公示 never shows it (DOMAIN.md:
phone numbers of 低保 families were once published — the failure to make impossible); screens show
it masked (``139****5678``) to roles that may not see full ID numbers. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata

from desktop.domain.text_rules import LIMITS, TextKind, characters_problem

__all__ = ["NO_PHONE", "mask_phone", "normalize_phone", "phone_problem"]

NO_PHONE = "无"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_FIXED = re.compile(r"^(?P<area>0(?:10|2\d|[3-9]\d\d))(?P<number>[2-9]\d{6,7})(?P<ext>\d{1,6})?$")
_SEPARATORS = re.compile(r"[\s\-—–－()（）]+")


def _digits(text: str) -> str:
    raw = unicodedata.normalize("NFKC", text).strip()
    raw = _SEPARATORS.sub("", raw)
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("86") and len(raw) == 13:
        raw = raw[2:]
    return raw


def _split_fixed(text: str) -> tuple[str, str, str] | None:
    """(area code, number, extension) of a fixed line typed with or without separators."""
    raw = unicodedata.normalize("NFKC", text).strip()
    parts = [p for p in re.split(r"[\s\-—–－()（）]+", raw) if p]
    if len(parts) >= 2 and all(p.isdigit() for p in parts) and parts[0].startswith("0"):
        area, number, ext = parts[0], parts[1], "".join(parts[2:])
        if re.fullmatch(r"0\d{2,3}", area) and re.fullmatch(r"[2-9]\d{6,7}", number) and len(ext) <= 6:
            return area, number, ext
        return None
    m = _FIXED.match(_digits(text))
    if m is None:
        return None
    return m.group("area"), m.group("number"), m.group("ext") or ""


def normalize_phone(text: str) -> str:
    """The stored form of an accepted phone (see the module); raises ValueError when it is not one."""
    bad = phone_problem(text)
    if bad is not None:
        raise ValueError(bad)
    trimmed = unicodedata.normalize("NFKC", text).strip()
    if trimmed == NO_PHONE:
        return NO_PHONE
    if not trimmed:
        return ""
    digits = _digits(text)
    if _MOBILE.match(digits):
        return digits
    fixed = _split_fixed(text)
    assert fixed is not None     # phone_problem accepted it: a mobile or a fixed line
    return "-".join(p for p in fixed if p)


def phone_problem(text: str, *, required: bool = False) -> str | None:
    """Why ``text`` is not a contact phone (Chinese), or None. ``required``: the empty field is refused too."""
    if not isinstance(text, str):
        return "联系电话应为文字。"
    bad = characters_problem(text, TextKind.PHONE, "联系电话")
    if bad is not None:
        return bad
    trimmed = unicodedata.normalize("NFKC", text).strip()
    if not trimmed:
        return "请填写联系电话；申请人没有电话时填“无”。" if required else None
    if trimmed == NO_PHONE:
        return None
    if len(trimmed) > LIMITS[TextKind.PHONE] + 10:   # separators are dropped; a pasted paragraph is not a phone
        return f"联系电话过长：最多{LIMITS[TextKind.PHONE]}个字符。"
    digits = _digits(text)
    if not digits.isdigit():
        return "联系电话只能由数字组成（可用空格或“-”分隔）；没有电话时填“无”。"
    if _MOBILE.match(digits) or _split_fixed(text) is not None:
        return None
    if digits.startswith("1"):
        if len(digits) != 11:
            return f"手机号码应为11位，现输入了{len(digits)}位。"
        return "手机号码应以13–19开头，请核对。"
    if digits.startswith("0"):
        return "固定电话应为区号加7或8位号码，如 0931-5550123。"
    return "请填写11位手机号码，或带区号的固定电话（如 0931-5550123）；没有电话时填“无”。"


def mask_phone(phone: str) -> str:
    """A stored phone as a screen shows it to roles without full-record access: ``139****5678``,
    ``0931-***0123``; ``无`` and "" as they are."""
    if not phone or phone == NO_PHONE:
        return phone
    if _MOBILE.match(phone):
        return phone[:3] + "****" + phone[-4:]
    parts = phone.split("-")
    if len(parts) >= 2:
        number = parts[1]
        return f"{parts[0]}-{'*' * (len(number) - 4)}{number[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]
