"""不予受理告知书 — written refusal to accept an application, with the reason
and the applicant's remedies (行政复议 / 行政诉讼 / complaint hotline).

The remedy periods default to the statutory ones (行政复议法: 60 days from
knowing of the act; 行政诉讼法: 6 months) and are parameters so that policy
data can override them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from forms.documents import _a4
from forms.documents._common import (
    M,
    P,
    Styles,
    check_data,
    field_table,
    fmt_date,
    join_cn,
    require,
    seal_block,
    signature_rows,
    title_block,
)

TITLE = "社会救助申请不予受理告知书"
DECISION_TITLE = "社会救助申请不予批准通知书"


@dataclass(frozen=True)
class RefusalData:
    township_name: str
    window_name: str
    case_number_display: str
    applicant_name: str
    masked_id: str
    categories: tuple[str, ...]
    applied_on: date
    decided_on: date
    reason: str  # the reason, in full sentences
    reconsideration_body: str  # e.g. "榆中县人民政府"
    court: str  # e.g. "榆中县人民法院"
    complaint_phone: str
    clerk_name: str
    legal_basis: str = ""  # e.g. "《社会救助暂行办法》第十一条"
    reconsideration_days: int = 60
    litigation_months: int = 6
    copy_label: str | None = None
    stage: str = "intake"   # "intake": 不予受理 at the window; "decision": 不予批准 after investigation

    @property
    def title(self) -> str:
        return DECISION_TITLE if self.stage == "decision" else TITLE


def _story(d: RefusalData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = title_block(st, width, d.township_name, d.title, copy_label=d.copy_label)
    out.append(Spacer(1, 4 * mm))
    out.append(field_table(st, [
        ("受理编号", d.case_number_display),
        ("申请人", d.applicant_name),
        ("身份证号", d.masked_id),
        ("申请事项", join_cn(d.categories)),
        ("申请日期", fmt_date(d.applied_on)),
        ("告知日期", fmt_date(d.decided_on)),
    ], width, 24 * mm))
    out.append(Spacer(1, 5 * mm))
    out.append(M("{name}：", st.body, name=d.applicant_name))
    verdict = "经调查核实和审核，决定不予批准" if d.stage == "decision" else "经审查，决定不予受理"
    out.append(M("您于{applied}向{township}{window}提出的{cats}申请，{verdict}。理由如下：",
                 st.para, applied=fmt_date(d.applied_on), township=d.township_name, window=d.window_name,
                 cats=join_cn(d.categories), verdict=verdict))
    out.append(P(d.reason, st.para))
    if d.legal_basis:
        out.append(M("依据：{basis}。", st.para, basis=d.legal_basis.rstrip("。")))
    out.append(Spacer(1, 3 * mm))
    out.append(Paragraph("您的权利", st.heading))
    out.append(M(
        "如对本决定不服，可以自收到本告知书之日起{days}日内向{body}申请行政复议，"
        "也可以自收到本告知书之日起{months}个月内向{court}提起行政诉讼。",
        st.para, days=str(d.reconsideration_days), body=d.reconsideration_body,
        months=str(d.litigation_months), court=d.court,
    ))
    out.append(M(
        "对本窗口工作人员的服务态度、办事效率等有意见或建议的，可以拨打监督投诉电话{phone}反映。",
        st.para, phone=d.complaint_phone,
    ))
    out.append(Paragraph("您的家庭情况发生变化、符合申请条件的，可以重新提出申请。", st.para))
    out.append(Spacer(1, 10 * mm))
    out += seal_block(st, d.township_name, d.decided_on)
    out.append(Spacer(1, 6 * mm))
    out.append(Paragraph("申请人确认：本人已收到本告知书。", st.body))
    out.append(signature_rows(st, width, [("经办人", d.clerk_name), ("申请人", None)]))
    return out


def render_refusal(data: RefusalData) -> bytes:
    """A4 不予受理告知书 (or 不予批准通知书 for ``stage="decision"``); PDF bytes."""
    require(data.stage in ("intake", "decision"), "stage must be 'intake' or 'decision'")
    require(bool(data.reason.strip()), "a refusal needs a reason")
    require(bool(data.categories), "categories must not be empty")
    require(data.reconsideration_days > 0 and data.litigation_months > 0, "remedy periods must be positive")
    require(data.copy_label is None or bool(data.copy_label.strip()), "copy_label must be None or non-empty")
    check_data(data)
    return _a4.render_a4(lambda st, w: _story(data, st, w), title=data.title, township=data.township_name,
                         case_number=data.case_number_display, copy_label=data.copy_label)
