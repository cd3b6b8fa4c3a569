"""Pinyin initials for the search: every character of a name counts, the rare ones too."""

from __future__ import annotations

import pytest

from desktop.domain.names import RARE_NAME_READINGS, name_initials


@pytest.mark.parametrize(("name", "initials"), [
    ("张三明", "zsm"),
    ("张𠮷祥", "zjx"),           # 𠮷 (Extension B) was skipped: "zx"
    ("阿依古丽·买买提", "aygl" + "mmt"),
    ("李堃", "lk"),
    ("Li Ming", "liming"),
])
def test_initials(name, initials):
    assert name_initials(name) == initials


def test_every_rare_reading_gives_its_initial():
    for ch, reading in RARE_NAME_READINGS.items():
        assert len(ch) == 1 and reading and reading.isalpha()
        assert name_initials(ch) == reading[0]
