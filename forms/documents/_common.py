"""Shared pieces of the document renderers: styles, date format, the ID
guard, the title block with the 副本 mark, and the page footer
("受理编号 … 第N页 共M页").

Conventions for every renderer in this package:

* Dates print as ``2026年02月27日`` (four-digit year, two-digit month and day);
  times as ``2026年01月15日 09:30`` (24-hour clock, the datetime's own wall
  time — no time-zone conversion).
* All variable text goes through :func:`forms.fonts.markup` /
  :func:`forms.fonts.draw_string`, so rare characters switch to the fallback
  font and an unprintable character raises ``MissingGlyphError`` (checked up
  front, with the field name, by :func:`check_data`).
* Identity numbers arrive already masked.  :func:`check_data` refuses any
  string field that contains a full identity number (see
  :class:`FullIdNumberError`).
* Output is deterministic (``invariant``): the same data gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from forms import fonts
from forms.errors import FormsError
from forms.fonts import PRIMARY, markup

BLACK = colors.black

# reportlab's CJK line breaker keeps listed characters from starting a line,
# but its list lacks the full-width comma, colon, semicolon, ! ? and closing
# quotes/brackets used in Chinese, so a line could start with "，".  Extend it
# (this only affects wordWrap="CJK" paragraphs).
_NO_LINE_START = "，：；！？》』〉”’…％"


def _patch_cjk_line_start() -> None:
    import reportlab.lib.textsplit as rl_textsplit
    import reportlab.platypus.paragraph as rl_paragraph

    for module in (rl_textsplit, rl_paragraph):  # each holds its own copy
        current = module.ALL_CANNOT_START
        extra = "".join(c for c in _NO_LINE_START if c not in current)
        if extra:
            module.ALL_CANNOT_START = current + extra


_patch_cjk_line_start()

# --- formatting ----------------------------------------------------------------


def fmt_date(d: date) -> str:
    """``date(2026, 2, 27)`` → ``"2026年02月27日"``."""
    return f"{d.year:04d}年{d.month:02d}月{d.day:02d}日"


def fmt_datetime(dt: datetime) -> str:
    """``datetime(2026, 1, 15, 9, 30)`` → ``"2026年01月15日 09:30"``."""
    return f"{fmt_date(dt)} {dt.hour:02d}:{dt.minute:02d}"


def join_cn(items: Iterable[str]) -> str:
    """Items joined with the Chinese enumeration comma 、."""
    return "、".join(items)


# --- data checks ----------------------------------------------------------------


class FullIdNumberError(FormsError, ValueError):
    """A document field contains what looks like a complete identity number.

    Renderers print only masked numbers (e.g. ``620102********1234``); the
    caller masks.  Detected (after NFKC, so full-width digits count): 18
    characters ``\\d{17}[\\dX]`` not embedded in a longer letter/digit run;
    the same with spaces removed when the birth-date part is a plausible
    date; and 15-digit old-style numbers whose YYMMDD part is a date.  A case
    number must therefore not be displayed as a bare 18-digit run — use
    separators.
    """


_ID18 = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID18_DATED = re.compile(
    r"(?<![0-9A-Za-z])[0-9]{6}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    r"(?![0-9A-Za-z])"
)
_ID15 = re.compile(
    r"(?<![0-9A-Za-z])[0-9]{6}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}(?![0-9A-Za-z])"
)


def contains_full_id(text: str) -> bool:
    """True if ``text`` contains something shaped like a full ID number."""
    t = unicodedata.normalize("NFKC", text)
    if _ID18.search(t) or _ID15.search(t):
        return True
    squeezed = re.sub(r"(?<=[0-9])[\s\u3000]+(?=[0-9Xx])", "", t)
    return bool(_ID18_DATED.search(squeezed))


def _walk(value: object, path: str):
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def check_data(data: object) -> None:
    """Refuse unmasked ID numbers and unprintable characters in any string
    field of ``data`` (recursively through tuples and nested dataclasses)."""
    for path, text in _walk(data, ""):
        if contains_full_id(text):
            raise FullIdNumberError(f"字段 {path} 含有完整身份证号码，打印件只允许脱敏号码")
        fonts.check_text(text, context=path)


def require(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


# --- styles --------------------------------------------------------------------

A4_BODY = 10.5
ROLL_BODY = 9.5
FOOTER_SIZE = 9.0


class Styles:
    """Paragraph styles for one body size (10.5 pt on A4, 9.5 pt on the roll)."""

    def __init__(self, body: float) -> None:
        lead = round(body * 1.45, 1)
        base = dict(fontName=PRIMARY, textColor=BLACK, wordWrap="CJK")
        self.body_size = body
        self.body = ParagraphStyle("body", fontSize=body, leading=lead, **base)
        self.para = ParagraphStyle("para", parent=self.body, firstLineIndent=2 * body, spaceBefore=2)
        self.cell = ParagraphStyle("cell", fontSize=body, leading=round(body * 1.3, 1), **base)
        self.cell_c = ParagraphStyle("cell_c", parent=self.cell, alignment=TA_CENTER)
        self.label = ParagraphStyle("label", parent=self.cell)
        self.small = ParagraphStyle("small", fontSize=max(9.0, body - 1), leading=round(max(9.0, body - 1) * 1.35, 1), **base)
        self.township = ParagraphStyle("township", fontSize=body + 2.5, leading=(body + 2.5) * 1.3,
                                       alignment=TA_CENTER, **base)
        tsize = body + 9 if body >= A4_BODY else body + 5
        self.title = ParagraphStyle("title", fontSize=tsize, leading=tsize * 1.25, alignment=TA_CENTER, **base)
        self.subtitle = ParagraphStyle("subtitle", fontSize=body + 1, leading=(body + 1) * 1.3,
                                       alignment=TA_CENTER, **base)
        self.heading = ParagraphStyle("heading", fontSize=body + 2, leading=(body + 2) * 1.35,
                                      spaceBefore=4, spaceAfter=2, alignment=TA_LEFT, **base)
        self.heading_c = ParagraphStyle("heading_c", parent=self.heading, alignment=TA_CENTER)


def P(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain variable text (escaped, with font fallback)."""
    return Paragraph(markup(text), style)


def M(template: str, style: ParagraphStyle, **values: str) -> Paragraph:
    """A Paragraph from trusted template markup with ``{name}`` slots filled
    by escaped, font-fallback-marked-up variable text."""
    return Paragraph(template.format(**{k: markup(v) for k, v in values.items()}), style)


# --- flowables -----------------------------------------------------------------


class Stamp(Flowable):
    """The reprint mark: ``label`` (e.g. 副本) in big type inside a double box."""

    def __init__(self, label: str, size: float = 24) -> None:
        super().__init__()
        self.label = label
        self.size = size
        self.pad = size * 0.35
        self.width = fonts.string_width(label, size) + 2 * self.pad
        self.height = size * 1.0 + 2 * self.pad

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.saveState()
        c.setStrokeColor(BLACK)
        c.setFillColor(BLACK)
        c.setLineWidth(2)
        c.rect(0, 0, self.width, self.height)
        c.setLineWidth(0.6)
        g = 2.5
        c.rect(g, g, self.width - 2 * g, self.height - 2 * g)
        baseline = self.pad + self.size * 0.14
        fonts.draw_string(c, self.width / 2, baseline, self.label, self.size, align="centre")
        c.restoreState()


class CutLine(Flowable):
    """A dashed full-width line with ``✂ text`` in the middle."""

    def __init__(self, text: str = "沿此线剪开", size: float = 9.0, height: float = 8 * mm) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.height = height

    def wrap(self, aw, ah):
        self.width = aw
        return aw, self.height

    def draw(self):
        draw_cut_line(self.canv, 0, self.width, self.height / 2, self.text, self.size)


def draw_cut_line(c: Canvas, x0: float, x1: float, y: float, text: str, size: float) -> None:
    label = f"✂ {text}"
    w = fonts.string_width(label, size)
    mid = (x0 + x1) / 2
    gap = 3
    c.saveState()
    c.setStrokeColor(BLACK)
    c.setFillColor(BLACK)
    c.setLineWidth(0.8)
    c.setDash(4, 3)
    c.line(x0, y, mid - w / 2 - gap, y)
    c.line(mid + w / 2 + gap, y, x1, y)
    c.setDash()
    fonts.draw_string(c, mid, y - size * 0.35, label, size, align="centre")
    c.restoreState()


def title_block(st: Styles, width: float, township: str, title: str, *, subtitle: str | None = None,
                copy_label: str | None = None, stamp_size: float = 24, narrow: bool = False,
                side_label: str | None = None) -> list[Flowable]:
    """Issuing township, title, optional subtitle, and the 副本 mark.

    On A4 the mark sits right of the centred title (``side_label``, e.g. the
    stub name, left of it); on the narrow roll (``narrow=True``) the mark
    stands centred above the title."""
    out: list[Flowable] = [P(township, st.township)]
    title_p = P(title, st.title)
    if narrow:
        if copy_label is not None:
            out.append(Table([[Stamp(copy_label, stamp_size)]], colWidths=[width],
                             style=_plain_table_style(center=True)))
        out.append(title_p)
    elif copy_label is None and side_label is None:
        out.append(title_p)
    else:
        stamp = Stamp(copy_label, stamp_size) if copy_label is not None else ""
        label = P(side_label, st.body) if side_label else ""
        side = max(stamp.width + 4 if stamp else 0,
                   fonts.string_width(side_label, st.body_size) + 6 if side_label else 0)
        side = min(side, width * 0.3)
        t = Table([[label, title_p, stamp]], colWidths=[side, width - 2 * side, side],
                  style=_plain_table_style(center=True))
        t.setStyle([("ALIGN", (0, 0), (0, 0), "LEFT"), ("ALIGN", (2, 0), (2, 0), "RIGHT")])
        out.append(t)
    if subtitle:
        out.append(P(subtitle, st.subtitle))
    return out


def _plain_table_style(center: bool = False) -> TableStyle:
    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), PRIMARY),  # for plain-string cells (else Helvetica)
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    if center:
        cmds.append(("ALIGN", (0, 0), (-1, -1), "CENTER"))
    return TableStyle(cmds)


def grid_style(header_rows: int = 0, pad: float = 3, extra: Sequence[tuple] = ()) -> TableStyle:
    """Black 0.75 pt grid, no fills (cheap lasers dither grey)."""
    cmds: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), PRIMARY),  # for plain-string cells (else Helvetica)
        ("GRID", (0, 0), (-1, -1), 0.75, BLACK),
        ("BOX", (0, 0), (-1, -1), 1.2, BLACK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ]
    if header_rows:
        cmds.append(("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 1.5, BLACK))
    cmds.extend(extra)
    return TableStyle(cmds)


def field_table(st: Styles, rows: Sequence[tuple[str, Flowable | str]], width: float,
                label_width: float) -> Table:
    """Two-column label/value grid.  Values given as ``str`` are variable text."""
    data = []
    for label, value in rows:
        v = P(value, st.cell) if isinstance(value, str) else value
        data.append([Paragraph(label, st.label), v])
    return Table(data, colWidths=[label_width, width - label_width], style=grid_style())


def signature_rows(st: Styles, width: float, rows: Sequence[tuple[str, str | None]]) -> Table:
    """Aligned signature lines, one per ``(who, printed_name)``::

        经办人：王喆  签字：__________   日期：_____年___月___日
        申请人（签字）：__________   日期：_____年___月___日
    """
    date_blank = (f"日期：<u>{'&nbsp;' * 10}</u>年<u>{'&nbsp;' * 6}</u>月"
                  f"<u>{'&nbsp;' * 6}</u>日")
    labels = [f"{who}：{name}  签字：" if name is not None else f"{who}（签字）：" for who, name in rows]
    label_w = max(fonts.string_width(t, st.body_size) for t in labels) + 3 * mm
    data = []
    for (who, name), _ in zip(rows, labels, strict=True):
        if name is None:
            label = Paragraph(f"{who}（签字）：", st.body)
        else:
            label = Paragraph(f"{who}：{markup(name)}&nbsp;&nbsp;签字：", st.body)
        data.append([label, "", Paragraph(date_blank, st.body)])
    date_w = 62 * mm
    sign_w = min(50 * mm, width - label_w - date_w - 6 * mm)
    t = Table(data, colWidths=[label_w, sign_w, width - label_w - sign_w], style=_plain_table_style())
    t.hAlign = "LEFT"
    t.setStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.75, BLACK),
        ("LEFTPADDING", (2, 0), (2, -1), 6 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 7 * mm),
        ("TOPPADDING", (0, 0), (-1, 0), 1 * mm),
    ])
    return t


def closing_block(st: Styles, width: float, org: str, on: date, signers: Sequence[tuple[str, str | None]]) -> Table:
    """Signature lines on the left, ``{org}（盖章）`` over the date on the right, side by side — the
    closing of a half-page stub, where a separate seal block would not fit::

        经办人：王喆  签字：__________            榆中县城关镇人民政府（盖章）
        申请人（签字）：__________                     2026年01月15日
    """
    seal_w = min(width * 0.42, fonts.string_width(f"{org}（盖章）", st.body_size) + 10 * mm)
    left_w = width - seal_w
    lines = []
    for who, name in signers:
        label = f"{who}（签字）：" if name is None else f"{who}：{markup(name)}&nbsp;&nbsp;签字："
        lines.append(Paragraph(f"{label}<u>{'&nbsp;' * 28}</u>", st.body))
    right = ParagraphStyle("seal_right", parent=st.body, alignment=TA_RIGHT)
    seal = [M("{org}（盖章）", right, org=org), Spacer(1, 1.5 * mm), Paragraph(fmt_date(on), right)]
    left: list[Flowable] = []
    for i, line in enumerate(lines):
        if i:
            left.append(Spacer(1, 2.5 * mm))
        left.append(line)
    t = Table([[left, seal]], colWidths=[left_w, seal_w], style=_plain_table_style())
    t.setStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm)])
    return t


def seal_block(st: Styles, org: str, on: date) -> list[Flowable]:
    """Right-aligned ``{org}（盖章）`` over the date, where the stamp goes."""
    right = ParagraphStyle("seal", parent=st.body, alignment=TA_RIGHT, rightIndent=6 * mm)
    return [M("{org}（盖章）", right, org=org), Spacer(1, 2 * mm), Paragraph(fmt_date(on), right)]


# --- page footer and building ----------------------------------------------------------


def _footer_canvas(footer_left: str, copy_label: str | None, size: float, margin_x: float,
                   y: float) -> type[Canvas]:
    class FooterCanvas(Canvas):
        """Defers page output to ``save`` so each footer knows the page total."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for n, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._draw_footer(n, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _draw_footer(self, n: int, total: int) -> None:
            w = self._pagesize[0]
            right = f"第{n}页 共{total}页"
            if copy_label:
                right = f"【{copy_label}】 {right}"
            need = fonts.string_width(footer_left, size) + fonts.string_width(right, size) + 2 * size
            # Narrow pages (the 80 mm roll): case number on its own line above.
            stacked = need > w - 2 * margin_x
            top_line = y + size * (2.5 if stacked else 1.2)
            self.saveState()
            self.setFillColor(BLACK)
            self.setStrokeColor(BLACK)
            self.setLineWidth(0.5)
            self.line(margin_x, top_line, w - margin_x, top_line)
            fonts.draw_string(self, margin_x, y + (size * 1.3 if stacked else 0), footer_left, size)
            fonts.draw_string(self, w - margin_x, y, right, size, align="right")
            self.restoreState()

    return FooterCanvas


def build_pdf(build: Callable[[io.BytesIO, type[Canvas]], None], *, footer_left: str,
              copy_label: str | None, margin_x: float, footer_y: float,
              footer_size: float = FOOTER_SIZE) -> bytes:
    """Run ``build(buffer, canvasmaker)`` (which builds a doc template into
    ``buffer`` with that canvas maker) and return the PDF bytes."""
    fonts.register_fonts()
    buf = io.BytesIO()
    build(buf, _footer_canvas(footer_left, copy_label, footer_size, margin_x, footer_y))
    return buf.getvalue()


DOC_KW = dict(
    initialFontName=PRIMARY,  # else the canvas lists an unembedded Helvetica
    invariant=1,
    creator="Yimen 一门受理",
    producer="Yimen forms (reportlab)",
)
