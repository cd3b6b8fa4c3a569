"""一次性告知书 — the one-time notice of every missing document.

Printed instead of the receipt when the application is incomplete; the case
waits in 待补正.  Every missing item is listed exactly once with what to bring
and where to get it.  Items with the same ``name`` must be identical (they
are then printed once); conflicting duplicates raise ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from forms.documents import _a4
from forms.documents._common import (
    M,
    P,
    Styles,
    check_data,
    field_table,
    fmt_date,
    grid_style,
    join_cn,
    require,
    seal_block,
    signature_rows,
    title_block,
)

TITLE = "社会救助申请材料一次性告知书"
ONE_TIME_STATEMENT = (
    "本告知书为一次性告知，上表所列即为您需要补正的全部材料，本窗口不再要求您提供表外的其他材料。"
    "材料补齐后，请持本告知书到本窗口提交，本窗口将当场受理并出具受理通知书。"
)
FAILSAFE_STATEMENT = "本窗口未一次性告知需要补正的全部材料的，自收到您申请材料之日起即视为受理。"


@dataclass(frozen=True)
class MissingItem:
    name: str  # e.g. "户口簿"
    what_to_bring: str  # e.g. "全体家庭成员户口簿原件及复印件1份"
    where: str  # e.g. "户籍所在地派出所" / "本人持有"


@dataclass(frozen=True)
class MissingDocumentsData:
    township_name: str
    window_name: str
    case_number_display: str
    applicant_name: str
    masked_id: str
    categories: tuple[str, ...]
    notified_on: date  # the day the application was brought and this notice given
    items: tuple[MissingItem, ...]
    office_address: str
    office_hours: str  # e.g. "周一至周五 上午8:30-12:00，下午14:30-18:00（法定节假日除外）"
    phone: str  # enquiries
    clerk_name: str
    complaint_phone: str = ""
    reply_by: date | None = None  # optional date to bring the documents by
    copy_label: str | None = None


def unique_items(items: tuple[MissingItem, ...]) -> tuple[MissingItem, ...]:
    """Items in order with exact duplicates dropped; conflicting ones refused."""
    seen: dict[str, MissingItem] = {}
    for it in items:
        prev = seen.get(it.name)
        if prev is None:
            seen[it.name] = it
        elif prev != it:
            raise ValueError(f"missing item {it.name!r} listed twice with different content")
    return tuple(seen.values())


def _story(d: MissingDocumentsData, items: tuple[MissingItem, ...], st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = title_block(st, width, d.township_name, TITLE, copy_label=d.copy_label)
    out.append(Spacer(1, 4 * mm))
    out.append(field_table(st, [
        ("受理编号", d.case_number_display),
        ("申请人", d.applicant_name),
        ("身份证号", d.masked_id),
        ("申请事项", join_cn(d.categories)),
        ("告知日期", fmt_date(d.notified_on)),
    ], width, 24 * mm))
    out.append(Spacer(1, 4 * mm))
    out.append(M("{name}：", st.body, name=d.applicant_name))
    out.append(M(
        "您于{date}到{township}{window}申请{cats}。经审查，您提交的申请材料尚不齐全，"
        "现将需要补正的全部材料一次性告知如下：",
        st.para, date=fmt_date(d.notified_on), township=d.township_name, window=d.window_name,
        cats=join_cn(d.categories),
    ))
    out.append(Spacer(1, 2 * mm))
    head = [Paragraph(h, st.cell_c) for h in ("序号", "需补正的材料", "需携带的内容和要求", "办理（开具）地点")]
    rows = [head] + [
        [Paragraph(str(i), st.cell_c), P(it.name, st.cell), P(it.what_to_bring, st.cell), P(it.where, st.cell)]
        for i, it in enumerate(items, 1)
    ]
    cw = [12 * mm, 38 * mm]
    rest = width - sum(cw)
    out.append(Table(rows, colWidths=[*cw, rest * 0.55, rest * 0.45], repeatRows=1, style=grid_style(1, 4)))
    out.append(Spacer(1, 3 * mm))
    out.append(Paragraph(ONE_TIME_STATEMENT, st.para))
    if d.reply_by is not None:
        out.append(M("请于{date}前补齐上述材料；逾期未补齐的，您可以在材料齐全后重新提出申请。", st.para,
                     date=fmt_date(d.reply_by)))
    out.append(Paragraph(FAILSAFE_STATEMENT, st.para))
    out.append(Spacer(1, 3 * mm))
    contact = [
        ("办公地址", d.office_address),
        ("办公时间", d.office_hours),
        ("咨询电话", d.phone),
    ]
    if d.complaint_phone:
        contact.append(("监督电话", d.complaint_phone))
    out.append(field_table(st, contact, width, 24 * mm))
    out.append(Spacer(1, 6 * mm))
    out += seal_block(st, d.township_name, d.notified_on)
    out.append(Spacer(1, 4 * mm))
    out.append(Paragraph("申请人确认：本人已收到本告知书，知悉需要补正的全部材料。", st.body))
    out.append(signature_rows(st, width, [("经办人", d.clerk_name), ("申请人", None)]))
    return out


def render_missing_documents(data: MissingDocumentsData) -> bytes:
    """A4 一次性告知书; PDF bytes."""
    require(bool(data.items), "a missing-documents notice needs at least one item")
    require(bool(data.categories), "categories must not be empty")
    require(data.copy_label is None or bool(data.copy_label.strip()), "copy_label must be None or non-empty")
    items = unique_items(data.items)
    check_data(data)
    return _a4.render_a4(lambda st, w: _story(data, items, st, w), title=TITLE, township=data.township_name,
                         case_number=data.case_number_display, copy_label=data.copy_label)
