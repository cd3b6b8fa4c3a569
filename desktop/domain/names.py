"""Search keys for Chinese names: pinyin initials (张三明 → "zsm")."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, pinyin


@lru_cache(maxsize=20_000)
def _char_initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    got = pinyin(ch, style=Style.FIRST_LETTER, heteronym=False, errors="ignore", strict=False)
    return got[0][0].lower() if got and got[0] else ""


def name_initials(name: str) -> str:
    """Lower-case first letters of each character's pinyin; unknown characters are skipped."""
    return "".join(_char_initial(ch) for ch in name.strip())
