"""Build the fallback fonts ``YimenFallbackHanA.ttf`` and
``YimenFallbackHanB.ttf`` for characters the primary font (WenQuanYi Micro
Hei, ``wqy-microhei.ttc`` in this directory) lacks.

This is a build-time tool, not imported by the application.  It needs
fontTools (``pip install fonttools``) and the two font files of the Debian
package ``fonts-hanazono`` (version 20170904)::

    apt-get download fonts-hanazono
    dpkg-deb -x fonts-hanazono_*_all.deb /tmp/hanazono
    .venv/bin/python resources/fonts/build_fallback_font.py \\
        /tmp/hanazono/usr/share/fonts/truetype/hanazono

Only characters the primary font lacks are kept, from these blocks only:

* ``YimenFallbackHanB.ttf`` from HanaMinB.ttf: CJK Unified Ideographs
  Extension B … G (U+20000–U+3134F; HanaMinB carries B–F) — rare name
  characters such as 𠮷 (U+20BB7).
* ``YimenFallbackHanA.ttf`` from HanaMinA.ttf: CJK Extension A
  (U+3400–U+4DBF, e.g. 䶮 — WenQuanYi has almost none of it), the late
  additions to the URO (U+9FC4…), CJK Compatibility Ideographs (U+F900–U+FAFF)
  and Supplement (U+2F800–U+2FA1F), CJK/Kangxi radicals, strokes, ideographic
  description characters, the scissors ✂ (U+2702) printed on cut lines, and
  the few characters WenQuanYi maps to an *empty* glyph (pinyin ǎ ǐ ǒ ǔ ǘ ǚ ǜ,
  ℃, Roman numerals …).

Two files because a TrueType font holds at most 65,535 glyphs and the two
together have more.

Hanazono is dual-licensed (Hanazono Font License or SIL OFL 1.1, see
LICENSE-Hanazono.txt).  The subsets are modified versions, so they are
renamed ("Yimen Fallback Han A/B") and do not use the reserved names
"Hanazono Font"/"HanaMinA"/"HanaMinB"/"花園フォント"/"花園明朝A"/"花園明朝B".
"""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
PRIMARY = HERE / "wqy-microhei.ttc"
SOURCE_DATE = 1504483200  # 2017-09-04, the Hanazono release

RANGES_B = [(0x20000, 0x2A6DF), (0x2A700, 0x2EBEF), (0x2EBF0, 0x2EE5F), (0x30000, 0x3134F)]
RANGES_A = [
    (0x2E80, 0x2EFF),  # CJK Radicals Supplement
    (0x2F00, 0x2FDF),  # Kangxi Radicals
    (0x2FF0, 0x2FFF),  # Ideographic Description Characters
    (0x31C0, 0x31EF),  # CJK Strokes
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs (only what the primary lacks)
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x2F800, 0x2FA1F),  # CJK Compatibility Ideographs Supplement
    (0x2702, 0x2702),  # ✂
    # WenQuanYi maps these to empty glyphs: pinyin ǎ ǐ ǒ ǔ ǘ ǚ ǜ, ˊ ˋ, ‾, ℃ ℉ Å Ⅴ Ⅹ, ∼
    (0x01CD, 0x01DC),
    (0x02CA, 0x02CB),
    (0x203E, 0x203E),
    (0x2100, 0x218F),
    (0x223C, 0x223C),
]
OUTPUTS = {
    # output file: (source file, ranges, family name)
    "YimenFallbackHanA.ttf": ("HanaMinA.ttf", RANGES_A, "Yimen Fallback Han A"),
    "YimenFallbackHanB.ttf": ("HanaMinB.ttf", RANGES_B, "Yimen Fallback Han B"),
}
DROP = ["vmtx", "vhea", "BASE", "FFTM", "GDEF", "GSUB", "GPOS", "fpgm", "prep", "cvt ", "gasp"]


def _subset(src: Path, ranges: list[tuple[int, int]], exclude: set[int]) -> TTFont:
    font = TTFont(src)
    cmap = font.getBestCmap()
    unicodes = [cp for lo, hi in ranges for cp in range(lo, hi + 1) if cp in cmap and cp not in exclude]
    opts = subset.Options()
    opts.drop_tables += DROP
    opts.hinting = False
    opts.layout_features = []
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    opts.notdef_outline = True
    opts.glyph_names = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    return font


def _rename(font: TTFont, family: str) -> None:
    ps_name = family.replace(" ", "")
    name = font["name"]
    for nid in (1, 3, 4, 6, 16, 17):
        name.removeNames(nameID=nid)
    for plat, enc, lang in ((3, 1, 0x409), (1, 0, 0)):
        name.setName(family, 1, plat, enc, lang)
        name.setName("Regular", 2, plat, enc, lang)
        name.setName(f"{ps_name};20170904", 3, plat, enc, lang)
        name.setName(family, 4, plat, enc, lang)
        name.setName(ps_name, 6, plat, enc, lang)
    name.setName("Copyright 2008-2017 GlyphWiki Project.", 0, 3, 1, 0x409)
    name.setName(
        "Subset of HanaMinA/HanaMinB (GlyphWiki Project, Hanazono Font 20170904) made for Yimen; "
        "Hanazono Font License or SIL Open Font License 1.1.",
        10, 3, 1, 0x409,
    )
    name.setName("Hanazono Font License or SIL Open Font License 1.1", 13, 3, 1, 0x409)


def _drawable_in_primary() -> set[int]:
    """Code points the primary font draws (an outline, or a space/format character)."""
    font = TTFont(PRIMARY, fontNumber=0)
    glyf = font["glyf"]
    return {
        cp
        for cp, name in font.getBestCmap().items()
        if glyf[name].numberOfContours != 0 or unicodedata.category(chr(cp)) in ("Zs", "Cf")
    }


def main(argv: list[str]) -> int:
    # Reproducible output: fontTools stamps head.modified from SOURCE_DATE_EPOCH.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(SOURCE_DATE))
    if len(argv) != 2:
        print(__doc__)
        return 2
    src = Path(argv[1])
    primary = _drawable_in_primary()
    for out_name, (src_name, ranges, family) in OUTPUTS.items():
        font = _subset(src / src_name, ranges, primary)
        _rename(font, family)
        out = HERE / out_name
        font.save(out)
        print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(font.getBestCmap())} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
