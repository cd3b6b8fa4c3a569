"""forms.fonts: bundled font resolution, registration, coverage, font runs."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from forms import fonts
from forms.fonts import FALLBACK, FALLBACK_A, PRIMARY, MissingGlyphError

REPO_FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"


def test_fonts_dir_default_is_repo_resources(monkeypatch, this_checkouts_resources):
    monkeypatch.delenv("YIMEN_FONTS_DIR", raising=False)
    assert fonts.fonts_dir() == REPO_FONTS
    for _, file, _ in fonts.FONT_FILES:
        assert (REPO_FONTS / file).is_file(), file
    assert (REPO_FONTS / "LICENSE-WenQuanYi.txt").is_file()
    assert (REPO_FONTS / "LICENSE-Hanazono.txt").is_file()


def test_fonts_dir_env_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("YIMEN_FONTS_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", "/nonexistent", raising=False)
    assert fonts.fonts_dir() == tmp_path


def test_fonts_dir_frozen_uses_meipass(monkeypatch, tmp_path, this_checkouts_resources):
    monkeypatch.delenv("YIMEN_FONTS_DIR", raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.fonts_dir() == tmp_path / "resources" / "fonts"


def test_register_is_idempotent():
    fonts.register_fonts()
    first = pdfmetrics.getFont(PRIMARY)
    fonts.register_fonts()
    assert pdfmetrics.getFont(PRIMARY) is first
    for name in (PRIMARY, FALLBACK_A, FALLBACK):
        assert pdfmetrics.getFont(name).face.name  # a real embedded TrueType face


@pytest.mark.parametrize("text", ["张三", "堃喆犇昇", "𠮷", "䶮", "✂ 沿此线剪开", "ABC-123（）：；，。《》", "鿏"])
def test_covered(text):
    assert fonts.covers(text)
    assert fonts.missing_glyphs(text) == set()


def test_empty_primary_glyphs_go_to_the_fallback():
    """WenQuanYi maps ǎ ǚ ℃ to empty glyphs: they must not count as covered by it."""
    assert fonts.font_runs("lǚ 37℃") == [(PRIMARY, "l"), (FALLBACK_A, "ǚ"), (PRIMARY, " 37"), (FALLBACK_A, "℃")]
    assert fonts.font_runs("a\u200bb") == [(PRIMARY, "a\u200bb")]  # invisible by design


def test_missing_glyphs_reports_exactly_the_uncovered():
    text = "张😀三\U000e0100\ue000"
    assert fonts.missing_glyphs(text) == {"😀", "\U000e0100", "\ue000"}
    assert not fonts.covers(text)
    assert fonts.missing_glyphs("a\tb\nc\r") == set()  # layout characters are ignored


def test_font_runs_switch_per_character_run():
    assert fonts.font_runs("张𠮷祥䶮✂") == [
        (PRIMARY, "张"),
        (FALLBACK, "𠮷"),
        (PRIMARY, "祥"),
        (FALLBACK_A, "䶮✂"),
    ]
    assert fonts.font_runs("王\n五") == [(PRIMARY, "王 五")]


def test_markup_escapes_and_wraps_fallback_runs():
    assert fonts.markup("A&B<c>") == "A&amp;B&lt;c&gt;"
    assert fonts.markup("张𠮷祥") == f'张<font name="{FALLBACK}">𠮷</font>祥'


def test_unprintable_character_raises_with_the_list():
    with pytest.raises(MissingGlyphError) as ei:
        fonts.font_runs("张😀\ue000")
    assert ei.value.characters == tuple(sorted({"😀", "\ue000"}))
    assert "U+1F600" in str(ei.value) and "U+E000" in str(ei.value)
    with pytest.raises(MissingGlyphError):
        fonts.markup("😀")


def test_draw_string_uses_runs_and_measures():
    fonts.register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, initialFontName=PRIMARY)
    w = fonts.draw_string(c, 100, 100, "张𠮷祥", 12, align="centre")
    expected = (pdfmetrics.stringWidth("张祥", PRIMARY, 12) + pdfmetrics.stringWidth("𠮷", FALLBACK, 12))
    assert w == pytest.approx(expected)
    assert fonts.string_width("张𠮷祥", 12) == pytest.approx(expected)
    with pytest.raises(ValueError):
        fonts.draw_string(c, 0, 0, "x", 12, align="middle")


def test_supplementary_characters_survive_text_extraction():
    """reportlab 5.1 writes <20BB7> in ToUnicode; forms.fonts patches that."""
    import pypdf

    fonts.register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, initialFontName=PRIMARY, invariant=1)
    fonts.draw_string(c, 72, 700, "张𠮷祥 刘䶮", 14)
    c.showPage()
    c.save()
    text = pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text()
    assert "张𠮷祥" in text
    assert "刘䶮" in text
