"""The fonts every printed document uses, and per-character font fallback.

Three font files ship in ``resources/fonts`` (see the README there); no
system font is ever used:

* ``YimenSans`` — WenQuanYi Micro Hei (``wqy-microhei.ttc``, face 0). Covers
  GBK, Latin, punctuation and rare name characters such as 堃 喆 犇 昇.
* ``YimenFallbackA`` — "Yimen Fallback Han A" (``YimenFallbackHanA.ttf``),
  a Hanazono subset: CJK Extension A (e.g. 䶮), late URO additions,
  compatibility ideographs, radicals, and ✂.
* ``YimenFallback`` — "Yimen Fallback Han B" (``YimenFallbackHanB.ttf``),
  a Hanazono subset: CJK Extension B–F (e.g. 𠮷 U+20BB7).

Every piece of variable text (names, addresses, document lists…) is split
into runs by font (:func:`font_runs`): characters the primary font has are
drawn with it, the others with the fallback that has them.  A character that
*no* shipped font has is never drawn as a blank box: rendering raises
:class:`MissingGlyphError` listing those characters.  The intake UI should
call :func:`missing_glyphs` (or :func:`covers`) while the clerk types, so the
problem is seen before anything is printed.

Control characters ``\\t \\n \\r`` are layout, not glyphs: they are ignored by
the coverage checks (renderers turn them into spaces).

Fonts are registered once per process, from :func:`fonts_dir` as it was at
the first call.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts

from forms.bundle import resources_dir
from forms.errors import FormsError

PRIMARY = "YimenSans"
FALLBACK = "YimenFallback"  # CJK Extension B–F
FALLBACK_A = "YimenFallbackA"  # CJK Extension A, compatibility ideographs, ✂
PRIMARY_FILE = "wqy-microhei.ttc"
FALLBACK_FILE = "YimenFallbackHanB.ttf"
FALLBACK_A_FILE = "YimenFallbackHanA.ttf"
FONTS_SUBDIR = "fonts"

#: (reportlab name, file, TTC face index) in lookup order.
FONT_FILES: tuple[tuple[str, str, int], ...] = (
    (PRIMARY, PRIMARY_FILE, 0),
    (FALLBACK_A, FALLBACK_A_FILE, 0),
    (FALLBACK, FALLBACK_FILE, 0),
)
FALLBACKS = (FALLBACK_A, FALLBACK)

_IGNORED = frozenset("\t\n\r")
_lock = threading.Lock()


class MissingGlyphError(FormsError, ValueError):
    """Text contains characters that no shipped font can draw.

    ``characters`` is the sorted tuple of offending characters.  The message
    names each one with its code point, e.g. ``'\U000e0100' (U+E0100)``.
    """

    def __init__(self, characters: Iterable[str], context: str = "") -> None:
        self.characters: tuple[str, ...] = tuple(sorted(set(characters)))
        listed = "、".join(f"{c!r} (U+{ord(c):04X})" for c in self.characters)
        where = f"（{context}）" if context else ""
        super().__init__(f"字体中没有以下字符，无法打印{where}：{listed}")


def fonts_dir() -> Path:
    """Where the bundled font files are: ``$YIMEN_FONTS_DIR`` if set, else ``fonts/`` of the
    shipped resources as :func:`forms.bundle.resources_dir` finds them (installed package,
    PyInstaller bundle, ``$YIMEN_RESOURCES`` or a source checkout)."""
    env = os.environ.get("YIMEN_FONTS_DIR")
    if env:
        return Path(env)
    return resources_dir() / FONTS_SUBDIR


# --- reportlab ToUnicode fix -------------------------------------------------
#
# reportlab 5.1 writes a supplementary-plane code point into the ToUnicode
# CMap as five hex digits (<20BB7>), which is not UTF-16BE: text extraction,
# search and copy/paste lose 𠮷.  We replace the CMap writer with one that
# writes surrogate pairs, only if the installed reportlab still has the bug.

def _utf16_hex(cp: int) -> str:
    return chr(cp).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def _patch_to_unicode() -> None:
    current = ttfonts.makeToUnicodeCMap
    if current is _to_unicode_cmap:
        return
    if "<20BB7>" in current("probe", [0x20BB7]):
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap


# --- registration --------------------------------------------------------------

_registered: dict[str, ttfonts.TTFont] = {}


def register_fonts() -> None:
    """Register ``YimenSans``, ``YimenFallbackA`` and ``YimenFallback`` with
    reportlab (idempotent, thread-safe).  Raises ``FileNotFoundError`` if a
    font file is missing."""
    if len(_registered) == len(FONT_FILES):
        return
    with _lock:
        if len(_registered) == len(FONT_FILES):
            return
        _patch_to_unicode()
        d = fonts_dir()
        for _, file, _ in FONT_FILES:
            if not (d / file).is_file():
                raise FileNotFoundError(f"bundled font missing: {d / file} (set YIMEN_FONTS_DIR?)")
        loaded = [ttfonts.TTFont(name, str(d / file), subfontIndex=index) for name, file, index in FONT_FILES]
        for font in loaded:
            pdfmetrics.registerFont(font)
        for font in loaded:
            _registered[font.fontName] = font


def _drawable(face, cp: int, gid: int) -> bool:
    """A code point counts as covered if it maps to a glyph other than
    .notdef that has an outline — WenQuanYi maps some characters (ǎ ǐ ǒ ǔ ℃ …)
    to empty glyphs, which would print as nothing.  Spaces and invisible
    format characters (category Zs/Cf) are covered with an empty glyph."""
    if not gid:
        return False
    if face.glyphPos[gid + 1] > face.glyphPos[gid]:
        return True
    return unicodedata.category(chr(cp)) in ("Zs", "Cf")


@lru_cache(maxsize=1)
def _cmaps() -> tuple[tuple[str, frozenset[int]], ...]:
    """(font name, drawable code points), in lookup order."""
    register_fonts()
    out = []
    for name, _, _ in FONT_FILES:
        face = _registered[name].face
        out.append((name, frozenset(cp for cp, gid in face.charToGlyph.items() if _drawable(face, cp, gid))))
    return tuple(out)


@lru_cache(maxsize=4096)
def font_for(ch: str) -> str | None:
    """Name of the first shipped font that has ``ch``, or ``None``."""
    cp = ord(ch)
    for name, cps in _cmaps():
        if cp in cps:
            return name
    return None


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` that no shipped font can draw."""
    return {ch for ch in set(text) if ch not in _IGNORED and font_for(ch) is None}


def covers(text: str) -> bool:
    """True if every character of ``text`` can be printed."""
    return not missing_glyphs(text)


def check_text(text: str, context: str = "") -> None:
    """Raise :class:`MissingGlyphError` if ``text`` cannot be printed."""
    missing = missing_glyphs(text)
    if missing:
        raise MissingGlyphError(missing, context)


def font_runs(text: str, base: str = PRIMARY) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font_name, run)`` pieces.

    Characters the primary font has use ``base`` (normally ``YimenSans``);
    the others use the fallback font that has them.  Raises
    :class:`MissingGlyphError` if a character is in no shipped font.
    ``\\t\\n\\r`` become spaces.
    """
    check_text(text)
    runs: list[tuple[str, str]] = []
    cur_font: str | None = None
    buf: list[str] = []
    for ch in text:
        if ch in _IGNORED:
            ch = " "
        font = font_for(ch)
        if font == PRIMARY:
            font = base
        if font != cur_font and buf:
            runs.append((cur_font, "".join(buf)))  # type: ignore[arg-type]
            buf = []
        cur_font = font
        buf.append(ch)
    if buf:
        runs.append((cur_font, "".join(buf)))  # type: ignore[arg-type]
    return runs


def markup(text: str) -> str:
    """``text`` as escaped Paragraph markup, with fallback runs wrapped in
    ``<font name="YimenFallback…">``."""
    parts = []
    for font, run in font_runs(text):
        esc = escape(run)
        parts.append(esc if font == PRIMARY else f'<font name="{font}">{esc}</font>')
    return "".join(parts)


def string_width(text: str, size: float, base: str = PRIMARY) -> float:
    """Width in points of ``text`` drawn with per-run fallback."""
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in font_runs(text, base))


def draw_string(canv, x: float, y: float, text: str, size: float, base: str = PRIMARY,
                align: str = "left") -> float:
    """Draw ``text`` on a reportlab canvas at baseline ``y`` as successive
    font runs.  ``align`` is ``left``, ``centre`` or ``right`` relative to
    ``x``.  Returns the width drawn."""
    runs = font_runs(text, base)
    width = sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    elif align != "left":
        raise ValueError(f"align must be left, centre or right, not {align!r}")
    # One text object for all runs keeps the line together for text extraction.
    t = canv.beginText(x, y)
    for font, run in runs:
        t.setFont(font, size)
        t.textOut(run)
    canv.drawText(t)
    return width
