"""受理通知书（受理回执）— the acceptance receipt handed over on the spot.

Two formats from the same :class:`ReceiptData`:

* :func:`render_receipt_a4` — A4 with two stubs, 第一联 申请人存根 (top) and
  第二联 存档联 (bottom), separated by a dashed "✂ 沿此线剪开" line at mid-page.
  Each stub carries every field and the QR code.  Content too long for half a
  page at the normal size (an emergency case's 待补材料, many documents) is set
  smaller first (:data:`A4_FITS`: 9.5 pt, then 9 pt, with a smaller QR code), so
  both stubs and the cut line stay on one page; only beyond that (dozens of
  documents) each stub gets its own page (no cut line).
* :func:`render_receipt_roll80` — an 80 mm roll (72 mm printable), page
  height computed from the content.

``copy_label`` is ``None`` for the original; for a reprint pass e.g. ``"副本"``:
it is printed big next to (roll: above) the title and in every footer.
``masked_id`` must already be masked; a full ID number in any field raises
:class:`~forms.documents._common.FullIdNumberError`.

``deadline_provisional`` marks a date counted through a year whose official
holiday schedule is not announced yet (from the statutory holidays only): the
receipt prints it with "（暂定）" and says why (``deadline_open_note``).
``decision_deadline`` is ``None`` only when no date can be computed at all:
the receipt then says the deadline in working days and why the date is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from forms import fonts
from forms.documents._common import (
    A4_BODY,
    DOC_KW,
    ROLL_BODY,
    P,
    Styles,
    _plain_table_style,
    build_pdf,
    check_data,
    closing_block,
    draw_cut_line,
    field_table,
    fmt_date,
    fmt_datetime,
    join_cn,
    require,
    seal_block,
    title_block,
)
from forms.qr import qr_drawing

TITLE = "社会救助申请受理通知书"
STUB_APPLICANT = "第一联 申请人存根"
STUB_ARCHIVE = "第二联 存档联"
CUT_TEXT = "沿此线剪开"
QR_CAPTION = "扫码核验真伪"

NOTICE = (
    "您的社会救助申请材料齐全，本窗口已予受理。我们将依规开展家庭经济状况核对和入户调查，"
    "请保持电话畅通并如实反映情况，办理结果将书面告知。请妥善保管本通知书，凭受理编号查询办理进度。"
)
NOTICE_TO_FOLLOW = (
    "您的急难型临时救助申请已先行受理，请在先行救助后按时补交上列“待补材料”。我们将依规核实，"
    "请保持电话畅通并如实反映情况，结果将书面告知。请妥善保管本通知书，凭受理编号查询办理进度。"
)


def _notice(d: ReceiptData) -> str:
    return NOTICE_TO_FOLLOW if d.documents_to_follow else NOTICE


@dataclass(frozen=True)
class ReceiptData:
    township_name: str  # issuing township, e.g. "榆中县城关镇人民政府"
    window_name: str  # e.g. "社会救助一门受理窗口"
    case_number_display: str  # as printed; not a bare 18-digit run
    applicant_name: str
    masked_id: str  # already masked, e.g. "620102********1234"
    categories: tuple[str, ...]  # Chinese labels, e.g. ("最低生活保障", "医疗救助")
    documents_received: tuple[str, ...]
    accepted_at: datetime
    decision_deadline: date | None  # None: the calendar does not cover it yet (see deadline_open_note)
    deadline_note: str  # e.g. "自受理之日起30个工作日内"
    clerk_name: str
    complaint_phone: str
    qr_payload: str  # opaque, signed by the caller
    copy_label: str | None  # None: original; "副本" for reprints (required: a reprint is never implicit)
    channel_label: str  # e.g. "窗口受理"、"村（社区）代为申请"
    deadline_open_note: str = ""  # why the date is open, e.g. "具体日期待县级下发2027年节假日安排后确定"
    documents_to_follow: tuple[str, ...] = ()  # emergency aid accepted first: what the family brings later
    deadline_provisional: bool = False  # 暂定: printed with "（暂定）" and deadline_open_note as the reason
    contact_phone: str = ""  # the applicant's own phone, in full (their own paper); "" or "无": no line


def _validate(d: ReceiptData) -> None:
    require(bool(d.categories), "categories must not be empty")
    require(d.copy_label is None or bool(d.copy_label.strip()), "copy_label must be None or non-empty")
    require(bool(d.qr_payload), "qr_payload must not be empty")
    check_data(d)


OPEN_DEADLINE_NOTE = "具体日期待工作日历更新后确定"
PROVISIONAL_DEADLINE_NOTE = "节假日安排尚未发布，日期按法定节假日暂定，以正式安排为准"


def _deadline_text(d: ReceiptData) -> str:
    if d.decision_deadline is None:
        return f"{d.deadline_note}作出决定（{d.deadline_open_note or OPEN_DEADLINE_NOTE}）"
    if d.deadline_provisional:
        return (f"{d.deadline_note}，最迟于{fmt_date(d.decision_deadline)}（暂定）作出决定"
                f"（{d.deadline_open_note or PROVISIONAL_DEADLINE_NOTE}）")
    return f"{d.deadline_note}，最迟于{fmt_date(d.decision_deadline)}作出决定"


def _docs_text(d: ReceiptData) -> str:
    if not d.documents_received:
        return "（无）"
    return "；".join(f"{i}.{name}" for i, name in enumerate(d.documents_received, 1))


FOLLOW_NOTE = "（急难型临时救助先行受理，请在先行救助后按时补交）"


def _follow_text(d: ReceiptData) -> str:
    return "；".join(f"{i}.{name}" for i, name in enumerate(d.documents_to_follow, 1)) + FOLLOW_NOTE


def _rows(d: ReceiptData) -> list[tuple[str, str]]:
    return [*_head_rows(d), *_tail_rows(d), ("经办人", d.clerk_name)]


def _head_rows(d: ReceiptData) -> list[tuple[str, str]]:
    """The short fields, printed beside the QR code on A4."""
    return [
        ("受理编号", d.case_number_display),
        ("申请人", d.applicant_name),
        ("身份证号", d.masked_id),
        *([("联系电话", d.contact_phone)] if d.contact_phone not in ("", "无") else []),
        ("申请事项", join_cn(d.categories)),
        ("受理方式", d.channel_label),
        ("受理时间", fmt_datetime(d.accepted_at)),
        ("受理窗口", d.window_name),
    ]


def _tail_rows(d: ReceiptData) -> list[tuple[str, str]]:
    """The long fields, printed across the whole width below the QR code on A4."""
    return [
        ("已收材料", _docs_text(d)),
        *([("待补材料", _follow_text(d))] if d.documents_to_follow else []),
        ("办理时限", _deadline_text(d)),
        ("监督电话", d.complaint_phone),
    ]


def _qr_block(st: Styles, payload: str, size_mm: float) -> list[Flowable]:
    cap = ParagraphStyle("qrcap", parent=st.body, alignment=TA_CENTER)
    return [qr_drawing(payload, size_mm), Paragraph(QR_CAPTION, cap)]


# --- A4 ------------------------------------------------------------------------------

A4_MARGIN_X = 15 * mm
A4_FOOTER_Y = 8 * mm
_HALF = A4[1] / 2
_GAP = 5 * mm  # between a stub frame and the cut line
_TOP = 8 * mm
_BOTTOM = 14 * mm  # above the footer
QR_MM_A4 = 32


# How the two stubs are made to fit half a page each, tried in order: (body size, QR size in mm).
# The smallest still reads at arm's length; only beyond it does each stub get its own page.
A4_FITS: tuple[tuple[float, int], ...] = ((A4_BODY, QR_MM_A4), (9.5, 28), (9.0, 25))


def _stub(st: Styles, d: ReceiptData, width: float, stub_label: str, archive: bool,
          qr_mm: int = QR_MM_A4) -> list[Flowable]:
    out: list[Flowable] = title_block(st, width, d.township_name, TITLE, copy_label=d.copy_label,
                                      stamp_size=20, side_label=stub_label)
    out.append(Spacer(1, 1.5 * mm))
    qr_w = (qr_mm + 4) * mm
    label_w = 22 * mm
    fields = field_table(st, _head_rows(d), width - qr_w, label_w)
    qr = Table([[f] for f in _qr_block(st, d.qr_payload, qr_mm)], colWidths=[qr_w],
               style=_plain_table_style(center=True))
    body = Table([[fields, qr]], colWidths=[width - qr_w, qr_w], style=_plain_table_style())
    body.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    out.append(body)
    # the long fields take the whole width under the QR code, continuing the grid
    out.append(field_table(st, _tail_rows(d), width, label_w))
    out.append(Spacer(1, 1.5 * mm))
    out.append(P(_notice(d), st.body))
    # the issuing body's seal and date, and who signs: the clerk on both stubs, the applicant on the archive's
    signers = [("经办人", d.clerk_name), *([("申请人", None)] if archive else [])]
    out.append(closing_block(st, width, d.township_name, d.accepted_at.date(), signers))
    return out


def _height(flowables: list[Flowable], width: float) -> float:
    total = 0.0
    for f in flowables:
        _, h = f.wrap(width, 10_000)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def render_receipt_a4(data: ReceiptData) -> bytes:
    """A4, two stubs (申请人存根 / 存档联) with a cut line; PDF bytes."""
    _validate(data)
    fonts.register_fonts()
    page_w, page_h = A4
    width = page_w - 2 * A4_MARGIN_X
    top_h = page_h - _TOP - (_HALF + _GAP)
    bottom_h = (_HALF - _GAP) - _BOTTOM
    fits = False
    for body, qr_mm in A4_FITS:     # a long list of documents (待补材料 of an emergency case…): smaller type first
        st = Styles(body)
        s1 = _stub(st, data, width, STUB_APPLICANT, False, qr_mm)
        s2 = _stub(st, data, width, STUB_ARCHIVE, True, qr_mm)
        # Frame padding is zero below, so the flowables must fit the frame exactly.
        if max(_height(s1, width), _height(s2, width)) <= min(top_h, bottom_h) - 2:
            fits = True
            break
    if not fits:
        st, qr_mm = Styles(A4_BODY), QR_MM_A4

    def build(buf, canvasmaker):
        doc = BaseDocTemplate(buf, pagesize=A4, title=TITLE, author=data.township_name, **DOC_KW)
        pad = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        if fits:
            top = Frame(A4_MARGIN_X, _HALF + _GAP, width, top_h, id="applicant", **pad)
            bottom = Frame(A4_MARGIN_X, _BOTTOM, width, bottom_h, id="archive", **pad)

            def cut(canv, _doc):
                draw_cut_line(canv, A4_MARGIN_X - 8 * mm, page_w - A4_MARGIN_X + 8 * mm, _HALF, CUT_TEXT, A4_BODY)

            doc.addPageTemplates([PageTemplate("two_stubs", [top, bottom], onPage=cut)])
            story = [*_stub(st, data, width, STUB_APPLICANT, False, qr_mm), FrameBreak(),
                     *_stub(st, data, width, STUB_ARCHIVE, True, qr_mm)]
        else:
            full = Frame(A4_MARGIN_X, _BOTTOM, width, page_h - _TOP - _BOTTOM, id="full", **pad)
            doc.addPageTemplates([PageTemplate("one_stub", [full])])
            story = [*_stub(st, data, width, STUB_APPLICANT, False), PageBreak(),
                     *_stub(st, data, width, STUB_ARCHIVE, True)]
        doc.build(story, canvasmaker=canvasmaker)

    return build_pdf(build, footer_left=f"{TITLE}  受理编号：{data.case_number_display}",
                     copy_label=data.copy_label, margin_x=A4_MARGIN_X, footer_y=A4_FOOTER_Y)


# --- 80 mm roll ------------------------------------------------------------------------

ROLL_WIDTH = 80 * mm
ROLL_MARGIN_X = 4 * mm  # 72 mm printable, as on common 80 mm thermal printers
ROLL_TOP = 5 * mm
ROLL_BOTTOM = 14 * mm  # footer area
ROLL_FOOTER_Y = 6 * mm
QR_MM_ROLL = 36


def _roll_story(st: Styles, d: ReceiptData, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    out += title_block(st, width, d.township_name, TITLE, copy_label=d.copy_label, stamp_size=22, narrow=True)
    out.append(Paragraph("（申请人留存）", ParagraphStyle("sub", parent=st.small, alignment=TA_CENTER)))
    out.append(Spacer(1, 1.5 * mm))
    out.append(_rule(width))
    label_w = 17 * mm
    rows = []
    for label, value in _rows(d):
        if label in ("已收材料", "待补材料"):
            names = d.documents_received if label == "已收材料" else d.documents_to_follow
            lines = [f"{i}.{n}" for i, n in enumerate(names, 1)] or ["（无）"]
            if label == "待补材料":
                lines.append(FOLLOW_NOTE)
            cell = [P(line, st.cell) for line in lines]
        else:
            cell = P(value, st.cell)
        rows.append([Paragraph(label, st.cell), cell])
    t = Table(rows, colWidths=[label_w, width - label_w], style=_plain_table_style())
    t.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)])
    out.append(t)
    out.append(_rule(width))
    qr = Table([[f] for f in _qr_block(st, d.qr_payload, QR_MM_ROLL)], colWidths=[width],
               style=_plain_table_style(center=True))
    out.append(qr)
    out.append(Spacer(1, 1 * mm))
    out.append(P(_notice(d), st.small))
    out.append(Spacer(1, 2 * mm))
    out += seal_block(st, d.township_name, d.accepted_at.date())   # where the stamp goes on the slip too
    return out


class _Rule(Flowable):
    def __init__(self, width: float) -> None:
        super().__init__()
        self.width = width
        self.height = 3 * mm

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.saveState()
        c.setLineWidth(0.7)
        c.setDash(3, 2)
        c.line(0, self.height / 2, self.width, self.height / 2)
        c.restoreState()


def _rule(width: float) -> Flowable:
    return _Rule(width)


def render_receipt_roll80(data: ReceiptData) -> bytes:
    """80 mm roll receipt, one page as tall as the content; PDF bytes."""
    _validate(data)
    fonts.register_fonts()
    st = Styles(ROLL_BODY)
    width = ROLL_WIDTH - 2 * ROLL_MARGIN_X
    content_h = _height(_roll_story(st, data, width), width)
    page_h = ROLL_TOP + content_h + ROLL_BOTTOM + 4 * mm  # slack for rounding
    pagesize = (ROLL_WIDTH, page_h)

    def build(buf, canvasmaker):
        doc = BaseDocTemplate(buf, pagesize=pagesize, title=TITLE, author=data.township_name, **DOC_KW)
        frame = Frame(ROLL_MARGIN_X, ROLL_BOTTOM, width, page_h - ROLL_TOP - ROLL_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate("roll", [frame])])
        doc.build(_roll_story(st, data, width), canvasmaker=canvasmaker)

    return build_pdf(build, footer_left=f"受理编号：{data.case_number_display}", copy_label=data.copy_label,
                     margin_x=ROLL_MARGIN_X, footer_y=ROLL_FOOTER_Y)
