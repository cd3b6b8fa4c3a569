"""What a text field may hold: one place for every form of the window and every service.

Each kind of field has its allowed characters and its length limit (:data:`LIMITS`):

- ``PERSON_NAME`` — Chinese characters of every CJK block (Extension B and beyond included: 张𠮷祥)
  and the middle dot of minority names (阿依古丽·买买提; ``•`` ``・`` ``‧`` are taken as ``·``);
- ``ADDRESS`` and ``SHORT_TEXT`` — one line: printable characters, no line breaks;
- ``FREE_TEXT`` and ``NOTICE_TEXT`` (printed on a notice, shorter) — reasons, notes, findings:
  printable characters and line breaks;
- ``PHONE`` — a contact phone as typed (digits, spaces, hyphens, brackets); its own rules (mobile,
  fixed line with area code, or "无") are :func:`desktop.domain.phone.phone_problem`.

Never allowed anywhere: control characters, zero-width and bidirectional marks, unassigned or
private-use code points, and lone surrogates (what a broken paste or a legacy encoding leaves).
The messages never echo such characters (they would be invisible or rearrange the text around
them); they say where the first one is instead.

Pure functions: whether the print font can draw a character is the services' check
(:func:`desktop.services.validation.printable`), since the font lives in ``forms``.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class TextKind(StrEnum):
    PERSON_NAME = "person_name"
    ADDRESS = "address"
    SHORT_TEXT = "short_text"
    FREE_TEXT = "free_text"
    NOTICE_TEXT = "notice_text"     # free text printed on a notice (不予受理的理由…)
    SEARCH = "search"
    PHONE = "phone"                 # a contact phone (desktop.domain.phone)


# Characters; what the paper forms have room for, and what SQLite's LIKE handles quickly.
LIMITS: dict[TextKind, int] = {
    TextKind.PERSON_NAME: 30,
    TextKind.ADDRESS: 100,
    TextKind.SHORT_TEXT: 60,
    TextKind.FREE_TEXT: 1000,
    TextKind.NOTICE_TEXT: 500,
    TextKind.SEARCH: 50,
    TextKind.PHONE: 20,             # the column's width: 0931-5550123-123456 fits
}

MIDDLE_DOT = "·"
MIDDLE_DOT_VARIANTS = frozenset("·•・‧･")
_ALLOWED_FORMAT = frozenset()          # no Cf character is ever needed in our fields
_LINE_BREAKS = frozenset("\r\n")   # \r of a pasted Windows line break is dropped by clean()
_MULTILINE = frozenset({TextKind.FREE_TEXT, TextKind.NOTICE_TEXT})


def is_cjk(ch: str) -> bool:
    """A Chinese character of any CJK block (Unified, Extensions A–H, compatibility, 〇)."""
    cp = ord(ch)
    return (0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x323AF or 0x2F800 <= cp <= 0x2FA1F or ch == "〇")


def is_lone_surrogate(ch: str) -> bool:
    return 0xD800 <= ord(ch) <= 0xDFFF


def is_invisible(ch: str) -> bool:
    """Control, format (zero-width, bidi, BOM), unassigned, private-use, surrogate."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cn", "Co", "Cs") and ch not in _ALLOWED_FORMAT


def shown(text: str) -> str:
    """``text`` fit to quote in a message: invisible characters and lone surrogates left out."""
    return "".join(c for c in text if not is_invisible(c)).strip()


def normalize_name(name: str) -> str:
    """The stored form of a name: trimmed, every middle-dot variant as ``·``."""
    return "".join(MIDDLE_DOT if c in MIDDLE_DOT_VARIANTS else c for c in name.strip())


def _position(i: int) -> str:
    return f"第{i + 1}个字符"


def problem(value: str, kind: TextKind, what: str, limit: int | None = None) -> str | None:
    """Why ``value`` cannot be taken for a field of this kind (Chinese, naming ``what``), or None.
    ``limit`` overrides the kind's length limit (a field with its own)."""
    if not isinstance(value, str):
        return f"{what}应为文字。"
    bad = characters_problem(value, kind, what)
    if bad is not None:
        return bad
    text = clean(value, kind)
    limit = LIMITS[kind] if limit is None else limit
    if len(text) > limit:
        return f"{what}过长：最多{limit}个字，现有{len(text)}个字。"
    if kind is TextKind.PERSON_NAME and text:
        if any(c.isdigit() for c in text):
            return f"{what}中不能含有数字。"
        bad = next((c for c in text if not (is_cjk(c) or c == MIDDLE_DOT)), None)
        if bad is not None:
            shown = bad if bad.isprintable() and not bad.isspace() else "空格"
            return f"{what}只能由汉字组成（少数民族姓名可用“·”分隔），不能含有“{shown}”。"
        if not any(is_cjk(c) for c in text):
            return f"{what}中没有汉字。"
        if text.startswith(MIDDLE_DOT) or text.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in text:
            return f"{what}中的“·”只能用在两段姓名之间。"
    return None


def characters_problem(value: str, kind: TextKind, what: str) -> str | None:
    """The character rules alone (no length, no name rules): lone surrogates, invisible characters,
    line breaks in a one-line field."""
    for i, ch in enumerate(value):
        if is_lone_surrogate(ch):
            return f"{what}的{_position(i)}无法识别（可能是复制粘贴时损坏的字符），请删除后重新输入。"
        if ch in _LINE_BREAKS and kind in _MULTILINE:
            continue
        if ch in "\r\n" and kind not in _MULTILINE:
            return f"{what}只能填写一行，不能换行。"
        if ch == "\t":
            continue   # a pasted tab is taken as a space (see clean)
        if is_invisible(ch):
            return f"{what}的{_position(i)}是不可见的控制字符（可能来自复制粘贴），请删除后重新输入。"
    return None


def clean(value: str, kind: TextKind) -> str:
    """The stored form: trimmed; tabs as spaces; a name with its middle dots made one."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").strip()
    if kind is TextKind.PERSON_NAME:
        text = normalize_name(text)
    return text
