"""Checks every form field of the services shares: required text with a length limit and the
characters :mod:`desktop.domain.text_rules` allows, text the print font can draw, a day that is not
in the future (nor before an earlier step), and the type of an uploaded file judged by its first
bytes. Each failure is an :class:`InvalidInput` naming the field, with a Chinese message."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from desktop.domain.text_rules import TextKind, characters_problem
from desktop.services.errors import InvalidInput

PDF, JPEG, PNG, WEBP = "application/pdf", "image/jpeg", "image/png", "image/webp"
IMAGES = frozenset({JPEG, PNG, WEBP})
_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


def text(value: Any, what: str, field: str, limit: int, *, required: bool = True, squash: bool = False) -> str:
    """``value`` stripped (``squash``: inner runs of white space made one space); refused when
    required and empty, or longer than ``limit`` characters."""
    raw = value if isinstance(value, str) else ""
    bad = characters_problem(raw, TextKind.FREE_TEXT, what)
    if bad is not None:
        raise InvalidInput(bad, field)
    out = " ".join(raw.split()) if squash else raw.strip()
    if required and not out:
        raise InvalidInput(f"请填写{what}。", field)
    if len(out) > limit:
        raise InvalidInput(f"{what}最多{limit}字。", field)
    printable(out, what, field)
    return out


def unprintable(value: str, what: str) -> str | None:
    """Why ``value`` cannot be printed — a character no shipped font draws — or None."""
    from forms import fonts  # noqa: PLC0415 — the font tables are read on first use, not at sign-in

    missing = sorted(fonts.missing_glyphs(value))
    if not missing:
        return None
    shown = "”“".join(missing[:3]) + ("”等" if len(missing) > 3 else "”")
    return f"{what}中的“{shown}无法打印（打印字体中没有这个字），请改用规范汉字，或联系县级信息管理员。"


def printable(value: str, what: str, field: str) -> str:
    """``value`` as is, or :class:`InvalidInput` before anything is saved when it cannot be printed."""
    bad = unprintable(value, what)
    if bad is not None:
        raise InvalidInput(bad, field)
    return value


def day(value: Any, today: date, what: str, field: str, *, not_before: date | None = None,
        before_what: str = "") -> date:
    """A calendar day, not after ``today`` and not before ``not_before`` (the earlier step)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"请填写{what}。", field)
    if value > today:
        raise InvalidInput(f"{what}不能晚于今天（{today:%Y-%m-%d}）。", field)
    if not_before is not None and value < not_before:
        raise InvalidInput(f"{what}（{value:%Y-%m-%d}）不能早于{before_what}（{not_before:%Y-%m-%d}）。", field)
    return value


def file_type(data: bytes, allowed: Collection[str] = (PDF, JPEG, PNG, WEBP)) -> str | None:
    """The MIME type from the first bytes if it is one of ``allowed``; None for anything else."""
    mime = next((m for magic, m in _MAGIC if data.startswith(magic)), None)
    if mime is None and len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = WEBP
    return mime if mime in allowed else None
