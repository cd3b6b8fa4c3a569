"""公示海报 — the public notice pinned on a village board, and 撤回公示的说明.

Pure: :class:`NoticeText` (already masked text) → PDF bytes. A4 or A3,
portrait or landscape; type large enough to read on a notice board (14 pt on
A4, 20 pt on A3); the table is paged with its header repeated on every page;
the last page carries the complaint phones, the issuing township with room
for the seal, and the date. Every page's footer names the notice and says
"第N页 共M页".

The caller builds the cells through the one masking rule
(``desktop.domain.notice``); this module adds a second, dumb line of defence:
a cell holding a full ID number or a run of 7 or more digits (a phone, a bank
card) is refused (:class:`UnmaskedNumberError`), as is any full ID number in
any text (:class:`~forms.documents._common.FullIdNumberError`).

Poster reprints are not marked 副本: several identical posters are printed on
purpose (village board, township board); the service records each print.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from forms import fonts
from forms.documents._common import (
    DOC_KW,
    M,
    P,
    Styles,
    build_pdf,
    check_data,
    fmt_date,
    grid_style,
    require,
)
from forms.errors import FormsError
from forms.fonts import markup

__all__ = ["PAGE_SIZES", "NoticeText", "UnmaskedNumberError", "WithdrawalText", "check_cells",
           "render_notice_poster", "render_notice_withdrawal"]

PAGE_SIZES = {"A4": A4, "A3": A3}
ORIENTATIONS = ("portrait", "landscape")
_LONG_DIGITS = re.compile(r"[0-9](?:[\s\-‐–—_]*[0-9]){6,}")


class UnmaskedNumberError(FormsError, ValueError):
    """A notice cell holds a long number (a phone, a bank card, an ID): never published."""


@dataclass(frozen=True)
class NoticeText:
    """The notice as published: masked cells and the words around them."""

    issuer: str                     # 测试县测试镇人民政府
    title: str                      # 最低生活保障拟救助对象公示
    subtitle: str                   # 东坪村　公示编号 GS-2026-007-0001
    intro: str                      # the opening paragraph
    period_text: str                # 2026年09月30日至2026年10月08日（7个自然日，张贴当日不计入）
    complaint_phone: str            # 12345政务服务便民热线 12345；…
    contact: str                    # "异议受理：place；电话 …" ("" to leave out; "；" starts a new line)
    issued_on: date
    reference: str                  # the batch number, printed in every footer
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class WithdrawalText:
    """撤回公示的说明 for a notice taken down before its period ended."""

    issuer: str
    notice_title: str
    reference: str
    posted_text: str                # 2026年09月30日在东坪村村务公开栏张贴
    period_text: str
    reason: str
    follow_up: str                  # what happens next to the applications listed
    complaint_phone: str
    issued_on: date


def check_cells(headers: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
    """Refuse a table that is not rectangular or whose cells hold a long digit run."""
    for i, row in enumerate(rows, 1):
        require(len(row) == len(headers), f"row {i} has {len(row)} cells, expected {len(headers)}")
        for cell in row:
            if _LONG_DIGITS.search(unicodedata.normalize("NFKC", cell)):
                raise UnmaskedNumberError(f"公示第{i}行含有疑似电话、银行卡或身份证的长号码，不能公示")


# --- sizes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    body: float
    title: float
    footer: float
    margin: float
    pad: float
    seal_room: float


_LOOKS = {
    "A4": _Look(body=14, title=27, footer=11, margin=15 * mm, pad=3.5, seal_room=34 * mm),
    "A3": _Look(body=20, title=38, footer=14, margin=20 * mm, pad=5, seal_room=46 * mm),
}


@lru_cache(maxsize=8192)
def _char_width(ch: str, size: float) -> float:
    return fonts.string_width(ch, size)


def _width(text: str, size: float) -> float:
    return sum(_char_width(ch, size) for ch in text)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width``: explicit newlines first, then before a "（",
    then at any character (CJK text breaks anywhere)."""
    out: list[str] = []
    for para in text.split("\n"):
        if _width(para, size) <= width or len(para) <= 1:
            out.append(para)
            continue
        k = para.find("（")
        if k > 0 and _width(para[:k], size) <= width and _width(para[k:], size) <= width:
            out += [para[:k], para[k:]]
            continue
        out += _balanced(para, width, size)
    return out


def _balanced(para: str, width: float, size: float) -> list[str]:
    """Fewest lines of about equal length ("家庭/人口", not "家庭人/口")."""
    n = max(2, math.ceil(_width(para, size) / max(width, 1)))
    while n < len(para):
        per = math.ceil(len(para) / n)
        lines = [para[i:i + per] for i in range(0, len(para), per)]
        if all(_width(x, size) <= width for x in lines):
            return lines
        n += 1
    return list(para)


def _draw_text(canv, x: float, y: float, text: str, size: float, align: str, bold: bool) -> None:
    runs = fonts.font_runs(text)
    w = _width(text, size)
    if align == "centre":
        x -= w / 2
    elif align == "right":
        x -= w
    canv.saveState()
    t = canv.beginText(x, y)
    if bold:  # no bold face ships: fill and stroke the glyphs
        canv.setLineWidth(size * 0.035)
        t.setTextRenderMode(2)
    for font, run in runs:
        t.setFont(font, size)
        t.textOut(run)
    canv.drawText(t)
    canv.restoreState()


class TextBlock(Flowable):
    """Lines of text with per-character font fallback, wrapped to the width it is given.

    Much faster than a Paragraph for thousands of table cells; ``wrap`` returns the widest line so
    the table's ALIGN places it."""

    def __init__(self, text: str, size: float, *, align: str = "left", bold: bool = False,
                 leading: float | None = None, full_width: bool = False) -> None:
        super().__init__()
        self.text, self.size, self.align, self.bold = text, size, align, bold
        self.leading = leading or size * 1.25
        self.full_width = full_width
        self.lines: list[str] = [text]

    def wrap(self, aw, ah):
        self.lines = _wrap(self.text, aw, self.size)
        self.width = aw if self.full_width else max((_width(x, self.size) for x in self.lines), default=0)
        self.height = self.leading * len(self.lines)
        return self.width, self.height

    def draw(self):
        x = {"left": 0, "centre": self.width / 2, "right": self.width}[self.align]
        for i, line in enumerate(self.lines):
            baseline = self.height - (i + 1) * self.leading + (self.leading - self.size) / 2 + self.size * 0.14
            _draw_text(self.canv, x, baseline, line, self.size, self.align, self.bold)


# --- the poster -----------------------------------------------------------------------------


def _column_widths(texts: NoticeText, width: float, look: _Look) -> list[float]:
    n = len(texts.headers)
    weights = list(texts.weights) if len(texts.weights) == n else [1.0] * n
    # every column at least as wide as its widest short cell ("2000", "5") and two characters
    need = [max(_width(h[:2], look.body), 2 * look.body) + 2 * look.pad for h in texts.headers]
    for row in texts.rows[:500]:
        for j, cell in enumerate(row):
            if len(cell) <= 4:
                need[j] = max(need[j], _width(cell, look.body) + 2 * look.pad + 1)
    total = sum(weights)
    widths = [max(width * w / total, m) for w, m in zip(weights, need, strict=True)]
    scale = width / sum(widths)
    return [w * scale for w in widths]


def _styles(look: _Look) -> Styles:
    st = Styles(look.body)
    st.body.leading = look.body * 1.5
    st.para.leading = look.body * 1.5
    return st


def _hanging(label: str, lines: list[str], st: Styles) -> Paragraph:
    """``label`` then one item per line, later lines aligned under the first item."""
    indent = fonts.string_width(label, st.body_size)
    style = ParagraphStyle("hang", parent=st.body, leftIndent=indent, firstLineIndent=-indent)
    items = [x.strip() for x in lines if x.strip()] or [""]
    return Paragraph(markup(label) + "<br/>".join(markup(x) for x in items), style)


def _closing(texts: NoticeText, st: Styles, look: _Look, width: float) -> list[Flowable]:
    right = ParagraphStyle("seal", parent=st.body, alignment=TA_RIGHT, rightIndent=8 * mm)
    block: list[Flowable] = [Spacer(1, look.body * 0.8)]
    block.append(_hanging("监督电话：", texts.complaint_phone.split("；"), st))
    if texts.contact:
        label, sep, rest = texts.contact.partition("：")
        block.append(_hanging(label + sep, rest.split("；"), st) if sep else P(texts.contact, st.body))
    block.append(Spacer(1, look.seal_room * 0.55))
    block.append(M("{issuer}（盖章）", right, issuer=texts.issuer))
    block.append(Spacer(1, look.body * 0.5))
    block.append(Paragraph(fmt_date(texts.issued_on), right))
    block.append(Spacer(1, look.seal_room * 0.3))
    return [KeepTogether(block)]


def _height(flowables: list[Flowable], width: float) -> float:
    """Height the flowables take stacked in a frame (the first one's space before is dropped)."""
    total = 0.0
    for i, f in enumerate(flowables):
        total += f.wrap(width, 1e6)[1] + f.getSpaceAfter() + (f.getSpaceBefore() if i else 0)
    return total


def _paginate(heights: list[float], header: float, first: float, other: float, closing: float) -> list[list[int]]:
    """Rows per page (each page repeats the header row); the closing block (phones, seal, date) is
    kept with at least one row — never alone on a page."""
    pages: list[list[int]] = [[]]
    used, cap = header, first
    for i, h in enumerate(heights):
        if pages[-1] and used + h > cap:
            pages.append([])
            used, cap = header, other
        pages[-1].append(i)
        used += h
    last = pages[-1]
    if used + closing > cap and len(last) > 1:
        k = min(3, len(last) - 1)
        pages[-1], tail = last[:-k], last[-k:]
        pages.append(tail)
    return pages


def _poster_story(texts: NoticeText, look: _Look, width: float, height: float) -> list[Flowable]:
    st = _styles(look)
    out: list[Flowable] = [
        TextBlock(texts.title, look.title, align="centre", bold=True, full_width=True, leading=look.title * 1.3),
        Spacer(1, look.body * 0.3),
        TextBlock(texts.subtitle, look.body + 1, align="centre", full_width=True),
        Spacer(1, look.body * 0.6),
        P(texts.intro, st.para),
        Spacer(1, look.body * 0.3),
        M("公示期：{period}", st.body, period=texts.period_text),
        Spacer(1, look.body * 0.5),
    ]
    closing = _closing(texts, st, look, width)
    if not texts.rows:
        return [*out, P("（本期无公示对象）", st.body), *closing]
    cols = _column_widths(texts, width, look)
    body, pad = look.body, look.pad
    numeric = {j for j, h in enumerate(texts.headers) if h in ("序号", "家庭人口") or "金额" in h}
    style = grid_style(1, pad, extra=[("ALIGN", (0, 0), (-1, 0), "CENTER")]
                       + [("ALIGN", (j, 1), (j, -1), "CENTER") for j in sorted(numeric)])
    lead = body * 1.25

    def row_height(cells: tuple[str, ...]) -> float:
        return max(len(_wrap(c, w - 2 * pad, body)) for c, w in zip(cells, cols, strict=True)) * lead + 2 * pad

    slack = 3.0   # points kept free per page against rounding
    pages = _paginate([row_height(r) for r in texts.rows], row_height(texts.headers),
                      height - _height(out, width) - slack, height - slack, _height(closing[0]._content, width))
    for n, page in enumerate(pages):
        data: list[list[Flowable]] = [[TextBlock(h, body, align="centre", bold=True) for h in texts.headers]]
        for i in page:
            data.append([TextBlock(c, body, align="centre" if j in numeric else "left")
                         for j, c in enumerate(texts.rows[i])])
        out.append(Table(data, colWidths=cols, repeatRows=1, style=style))
        if n < len(pages) - 1:
            out.append(PageBreak())
    return out + closing


def _page(size: str, orientation: str) -> tuple[float, float]:
    require(size in PAGE_SIZES, f"page size must be one of {sorted(PAGE_SIZES)}, not {size!r}")
    require(orientation in ORIENTATIONS, f"orientation must be portrait or landscape, not {orientation!r}")
    page = PAGE_SIZES[size]
    return landscape(page) if orientation == "landscape" else page


def _render(story_fn, *, page: tuple[float, float], look: _Look, title: str, author: str, footer: str) -> bytes:
    pad = 6
    bottom = look.margin + look.footer * 1.6
    width = page[0] - 2 * look.margin - 2 * pad
    height = page[1] - look.margin - bottom - 2 * pad

    def build(buf, canvasmaker):
        doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=look.margin, rightMargin=look.margin,
                                topMargin=look.margin, bottomMargin=bottom, title=title, author=author, **DOC_KW)
        doc.build(story_fn(width, height), canvasmaker=canvasmaker)

    return build_pdf(build, footer_left=footer, copy_label=None, margin_x=look.margin,
                     footer_y=look.margin * 0.55, footer_size=look.footer)


def render_notice_poster(texts: NoticeText, size: str = "A4", orientation: str = "portrait") -> bytes:
    """The 公示 poster as PDF bytes (``size`` "A4"/"A3", ``orientation`` "portrait"/"landscape")."""
    page = _page(size, orientation)
    require(bool(texts.headers), "a notice needs table headers")
    require(bool(texts.title.strip()) and bool(texts.issuer.strip()), "a notice needs a title and an issuer")
    check_cells(texts.headers, texts.rows)
    check_data(texts)
    look = _LOOKS[size]
    return _render(lambda w, h: _poster_story(texts, look, w, h), page=page, look=look, title=texts.title,
                   author=texts.issuer, footer=f"{texts.title}  公示编号：{texts.reference}")


# --- the withdrawal notice ----------------------------------------------------------------


WITHDRAWAL_TITLE = "撤回公示的说明"


def _withdrawal_story(d: WithdrawalText, look: _Look, width: float) -> list[Flowable]:
    st = _styles(look)
    out: list[Flowable] = [
        TextBlock(WITHDRAWAL_TITLE, look.title, align="centre", bold=True, full_width=True,
                  leading=look.title * 1.3),
        Spacer(1, look.body * 0.3),
        TextBlock(f"（公示编号 {d.reference}）", look.body + 1, align="centre", full_width=True),
        Spacer(1, look.body),
        M("{issuer}于{posted}的《{title}》，公示期为{period}。因{reason}，现予撤回。", st.para,
          issuer=d.issuer, posted=d.posted_text, title=d.notice_title, period=d.period_text,
          reason=d.reason.strip().rstrip("。")),
    ]
    if d.follow_up.strip():
        out.append(P(d.follow_up, st.para))
    out.append(Paragraph("特此说明。", st.para))
    out += _closing(NoticeText(d.issuer, WITHDRAWAL_TITLE, "", "", d.period_text, d.complaint_phone, "",
                               d.issued_on, d.reference, ("",), ()), st, look, width)
    return out


def render_notice_withdrawal(d: WithdrawalText, size: str = "A4", orientation: str = "portrait") -> bytes:
    """撤回公示的说明 as PDF bytes, in the same large type as the poster it replaces."""
    page = _page(size, orientation)
    require(bool(d.reason.strip()), "a withdrawal needs a reason")
    check_cells(("reason",), ((d.reason,),))
    check_data(d)
    look = _LOOKS[size]
    return _render(lambda w, _h: _withdrawal_story(d, look, w), page=page, look=look, title=WITHDRAWAL_TITLE,
                   author=d.issuer, footer=f"{WITHDRAWAL_TITLE}  公示编号：{d.reference}")
