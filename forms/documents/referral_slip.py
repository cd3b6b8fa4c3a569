"""转办单 — referral of an accepted case to one county department.

One slip per department (render one PDF per :class:`ReferralSlipData`).  The
upper part tells the department what is referred and by when (date and
number of working days, both computed by the caller from the working-day
calendar); the lower part, below a cut line, is the 回执 the department fills
in (接收人签字 / 接收日期 / 办理结果) and sends back.  ``due_date`` is ``None``
when the calendar does not cover it yet: the slip then gives the working
days and ``due_open_note`` instead of a guessed date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from forms.documents import _a4
from forms.documents._common import (
    CutLine,
    M,
    Styles,
    check_data,
    field_table,
    fmt_date,
    grid_style,
    join_cn,
    require,
    seal_block,
    title_block,
)

TITLE = "社会救助事项转办单"
RECEIPT_TITLE = "转办回执"
CUT_TEXT = "沿此线剪开，回执由承办部门填写后退回转办窗口"


@dataclass(frozen=True)
class ReferralSlipData:
    township_name: str  # referring township
    window_name: str
    slip_number: str
    case_number_display: str
    applicant_name: str
    masked_id: str
    department_name: str  # e.g. "榆中县医疗保障局"
    categories: tuple[str, ...]  # what is referred
    referring_clerk: str
    referred_on: date
    due_date: date | None  # the department's deadline; None: not covered by the calendar yet
    working_days: int  # the same deadline in working days
    contact_phone: str  # the window's phone
    attachments: tuple[str, ...] = ()  # copies sent along
    note: str = ""
    copy_label: str | None = None
    due_open_note: str = ""  # why the date is open or 暂定, e.g. "具体日期待县级下发2027年节假日安排后确定"
    due_provisional: bool = False  # 暂定: printed with "（暂定）" and due_open_note as the reason


OPEN_DUE_NOTE = "具体日期待工作日历更新后确定"
PROVISIONAL_DUE_NOTE = "节假日安排尚未发布，日期按法定节假日暂定，以正式安排为准"


def deadline_text(d: ReferralSlipData) -> str:
    if d.due_date is None:
        return f"{d.working_days}个工作日（{d.due_open_note or OPEN_DUE_NOTE}），请按期办结并反馈"
    if d.due_provisional:
        return (f"{d.working_days}个工作日（请于{fmt_date(d.due_date)}（暂定）前办结并反馈；"
                f"{d.due_open_note or PROVISIONAL_DUE_NOTE}）")
    return f"{d.working_days}个工作日（请于{fmt_date(d.due_date)}前办结并反馈）"


def _story(d: ReferralSlipData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = title_block(st, width, d.township_name, TITLE, copy_label=d.copy_label)
    out.append(Spacer(1, 2 * mm))
    out.append(M("转办单号：{slip}", ParagraphStyle("no", parent=st.body, alignment=TA_RIGHT), slip=d.slip_number))
    out.append(M("{dept}：", st.body, dept=d.department_name))
    out.append(M("现将{name}的{cats}申请转至贵单位办理，请在规定时限内办理，并将办理结果填写回执后反馈本窗口。",
                 st.para, name=d.applicant_name, cats=join_cn(d.categories)))
    out.append(Spacer(1, 2 * mm))
    rows: list[tuple[str, str]] = [
        ("受理编号", d.case_number_display),
        ("申请人", d.applicant_name),
        ("身份证号", d.masked_id),
        ("转办事项", join_cn(d.categories)),
        ("承办部门", d.department_name),
        ("转办窗口", f"{d.township_name}{d.window_name}"),
        ("经办人", d.referring_clerk),
        ("转办日期", fmt_date(d.referred_on)),
        ("办理时限", deadline_text(d)),
        ("随附材料", "；".join(f"{i}.{a}" for i, a in enumerate(d.attachments, 1)) if d.attachments else "（无）"),
        ("联系电话", d.contact_phone),
    ]
    if d.note:
        rows.append(("备注", d.note))
    out.append(field_table(st, rows, width, 24 * mm))
    out.append(Spacer(1, 3 * mm))
    out += seal_block(st, d.township_name, d.referred_on)
    out.append(Spacer(1, 3 * mm))

    back: list[Flowable] = [CutLine(CUT_TEXT, size=st.body_size, height=7 * mm), Paragraph(RECEIPT_TITLE, st.heading_c)]
    back.append(M("转办单号：{slip}　　受理编号：{case}", st.body, slip=d.slip_number, case=d.case_number_display))
    back.append(M("{township}{window}：", st.body, township=d.township_name, window=d.window_name))
    back.append(M("贵单位转来的{name}的{cats}申请已收到，办理情况如下。", st.para, name=d.applicant_name,
                  cats=join_cn(d.categories)))
    back.append(Spacer(1, 2 * mm))
    date_blank = Paragraph("年&nbsp;&nbsp;&nbsp;&nbsp;月&nbsp;&nbsp;&nbsp;&nbsp;日", st.cell_c)
    lw = 24 * mm
    half = (width - 2 * lw) / 2
    t = Table(
        [
            [Paragraph("接收人签字", st.cell), "", Paragraph("接收日期", st.cell), date_blank],
            [Paragraph("办理结果", st.cell), "", "", ""],
            [Paragraph("办结日期", st.cell), date_blank, Paragraph("经办人签字", st.cell), ""],
        ],
        colWidths=[lw, half, lw, half],
        rowHeights=[11 * mm, 30 * mm, 11 * mm],
        style=grid_style(0, 4, extra=[("SPAN", (1, 1), (3, 1)), ("VALIGN", (0, 1), (0, 1), "TOP")]),
    )
    back.append(t)
    back.append(Spacer(1, 5 * mm))
    back.append(M("承办部门：{dept}（盖章）", ParagraphStyle("dept", parent=st.body, alignment=TA_RIGHT,
                                                       rightIndent=6 * mm), dept=d.department_name))
    out.append(KeepTogether(back))
    return out


def render_referral_slip(data: ReferralSlipData) -> bytes:
    """A4 转办单 with its 回执; PDF bytes."""
    require(bool(data.categories), "categories must not be empty")
    require(data.working_days > 0, "working_days must be positive")
    require(data.due_date is None or data.due_date >= data.referred_on, "due_date is before referred_on")
    require(data.copy_label is None or bool(data.copy_label.strip()), "copy_label must be None or non-empty")
    check_data(data)
    return _a4.render_a4(lambda st, w: _story(data, st, w), title=TITLE, township=data.township_name,
                         case_number=data.case_number_display, copy_label=data.copy_label)

