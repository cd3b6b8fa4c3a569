"""2,000 generated Chinese names, rare characters included, printed in four
multi-page authorization letters: every character must come back out of the
PDF text and be drawn by an embedded font glyph that has an outline (no blank
boxes, no .notdef)."""

from __future__ import annotations

import io
import random
import re
from datetime import date

import pypdf
import pytest
from fontTools.ttLib import TTFont

from forms import fonts
from forms.documents.authorization import AuthorizationData, AuthorizationPerson, render_authorization

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国建华志强晓东海燕雪梅丹凤春"
    "梅桂兰国庆文斌德福永胜宝珍淑珍建平金凤俊杰子涵梓萱浩然宇轩欣怡思远嘉怡雨彤一诺佳怡博文天佑若汐诗"
    "涵梦琪雅婷鑫磊晨阳振宇立新学军红梅小红玉兰翠花春燕海龙"
)
RARE_BMP = "堃喆犇昇赟昱炜玥婧瑄珺翀燊淼焱垚鑫嫣彧旻暐祎禕甯隽镕锺奡翯骉龑"
RARE_EXT_A = "䶮㛃㙟"  # CJK Extension A — not in WenQuanYi
RARE_EXT_B_PLUS = "𠮷𠀾𡈼𤭢𨙸𪚥𫗧𬌗"  # Extension B, C, E


def corpus(n: int = 2000, seed: int = 20260115) -> list[str]:
    rng = random.Random(seed)
    rare = RARE_BMP + RARE_EXT_A + RARE_EXT_B_PLUS
    names = [rng.choice(SURNAMES) + ch + rng.choice(GIVEN) for ch in rare]  # every rare char at least once
    while len(names) < n:
        r = rng.random()
        surname = rng.choice(COMPOUND_SURNAMES) if r < 0.04 else rng.choice(SURNAMES)
        pool = GIVEN if rng.random() < 0.9 else rare
        given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 2))))
        names.append(surname + given)
    return names


NAMES = corpus()
PER_DOC = 500


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _to_unicode(stream: bytes) -> dict[int, str]:
    out = {}
    for code, dst in re.findall(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]+)>", stream.split(b"beginbfchar", 1)[-1]):
        out[int(code, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return out


def drawable_characters(pdf: bytes, wanted: set[str]) -> tuple[set[str], set[str]]:
    """(characters of ``wanted`` that an embedded font maps, through its
    ToUnicode CMap and its own cmap, to a glyph with an outline; font names).

    reportlab's subsets list unused codes too (e.g. ASCII identities), so
    only the characters we care about are checked."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts_seen: dict[int, object] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts_seen[ref.idnum] = ref.get_object()
    drawable: set[str] = set()
    names: set[str] = set()
    for f in fonts_seen.values():
        names.add(str(f["/BaseFont"]).split("+", 1)[-1])
        program = f["/FontDescriptor"]["/FontFile2"].get_data()
        tt = TTFont(io.BytesIO(program))
        code_to_glyph = tt["cmap"].getcmap(1, 0).cmap
        glyf = tt["glyf"]
        for code, uni in _to_unicode(f["/ToUnicode"].get_data()).items():
            if uni not in wanted:
                continue
            glyph_name = code_to_glyph.get(code)
            assert glyph_name is not None and glyph_name != ".notdef", (uni, f["/BaseFont"])
            assert glyf[glyph_name].numberOfContours != 0, (uni, f["/BaseFont"])  # a visible outline
            drawable.add(uni)
    return drawable, names


@pytest.fixture(scope="module")
def pdfs() -> list[bytes]:
    out = []
    for start in range(0, len(NAMES), PER_DOC):
        persons = tuple(
            AuthorizationPerson(name, "亲属", f"620123********{i % 10000:04d}")
            for i, name in enumerate(NAMES[start:start + PER_DOC], start)
        )
        out.append(render_authorization(AuthorizationData(
            township_name="榆中县城关镇人民政府",
            case_number_display=f"620123-105-03-2026-{start:06d}-K",
            applicant_name=persons[0].name,
            categories=("最低生活保障",),
            persons=persons,
            issued_on=date(2026, 1, 15),
        )))
    return out


def test_corpus_is_printable_and_complete():
    assert len(NAMES) == 2000
    assert fonts.covers("".join(NAMES))
    used = set("".join(NAMES))
    assert set(RARE_BMP + RARE_EXT_A + RARE_EXT_B_PLUS) <= used


def test_every_name_comes_back_out_of_the_pdf(pdfs):
    assert len(pdfs) == 4
    for k, pdf in enumerate(pdfs):
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) > 10
        t = squash("".join(p.extract_text() for p in reader.pages))
        for name in NAMES[k * PER_DOC:(k + 1) * PER_DOC]:
            assert name + "亲属" in t, name


def test_every_character_has_an_embedded_outline(pdfs):
    drawable: set[str] = set()
    base_names: set[str] = set()
    wanted = set("".join(NAMES))
    for pdf in pdfs:
        d, n = drawable_characters(pdf, wanted)
        drawable |= d
        base_names |= n
    missing = wanted - drawable
    assert not missing, sorted(missing)
    # the rare characters really went through the fallback fonts
    assert "YimenFallbackHanA" in base_names and "YimenFallbackHanB" in base_names
    assert base_names <= {"WenQuanYiMicroHei-0", "YimenFallbackHanA", "YimenFallbackHanB"}
