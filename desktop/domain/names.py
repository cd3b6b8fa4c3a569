"""Search keys for Chinese names: pinyin initials (张三明 → "zsm")."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, load_single_dict, pinyin

# Characters of people's names that pypinyin's tables lack (CJK Extension B and beyond), with their
# reading, so their initials are found like any other (张𠮷祥 → "zjx"). Add a name's character here
# when a clerk reports that its initials are not found.
RARE_NAME_READINGS: dict[str, str] = {
    "𠮷": "jí",      # U+20BB7, the 吉 with 土 on top, common in family names
}
load_single_dict({ord(ch): reading for ch, reading in RARE_NAME_READINGS.items()})


@lru_cache(maxsize=20_000)
def _char_initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    got = pinyin(ch, style=Style.FIRST_LETTER, heteronym=False, errors="ignore", strict=False)
    return got[0][0].lower() if got and got[0] else ""


def name_initials(name: str) -> str:
    """Lower-case first letters of each character's pinyin; unknown characters are skipped."""
    return "".join(_char_initial(ch) for ch in name.strip())
