"""The review page's text: everything the clerk is about to confirm, as simple HTML (ID numbers masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from PySide6.QtCore import QCoreApplication

from desktop.services.errors import InvalidInput
from desktop.services.intake import form as intake_form
from desktop.services.intake.form import HouseholdForm, RequestForm

from .. import style


@dataclass(frozen=True)
class SummaryInput:
    household: HouseholdForm
    existing_household: bool
    village_label: str
    request: RequestForm
    category_labels: tuple[str, ...]
    received: tuple[str, ...]
    missing: tuple[str, ...]
    not_applicable: tuple[str, ...]
    today: date          # ages are counted from it (the session's clock)


def _labels(options: tuple[intake_form.Option, ...]) -> dict[str, str]:
    return {o.code: o.label for o in options}


def _row(cells: list[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag} style='white-space:nowrap'>{escape(c)}</{tag}>" for c in cells) + "</tr>"


def _members(household: HouseholdForm, today: date) -> str:
    rel, health = _labels(intake_form.RELATIONS), _labels(intake_form.HEALTH)
    cat, grade = _labels(intake_form.DISABILITY_CATEGORIES), _labels(intake_form.DISABILITY_GRADES)
    labour, work = _labels(intake_form.LABOUR_CAPACITIES), _labels(intake_form.EMPLOYMENTS)
    head = [QCoreApplication.translate("IntakeSummary", "姓名"), QCoreApplication.translate("IntakeSummary", "关系"),
            QCoreApplication.translate("IntakeSummary", "身份证号码"), QCoreApplication.translate("IntakeSummary", "性别/年龄"),
            QCoreApplication.translate("IntakeSummary", "健康"), QCoreApplication.translate("IntakeSummary", "残疾"),
            QCoreApplication.translate("IntakeSummary", "劳动能力"), QCoreApplication.translate("IntakeSummary", "就业"),
            QCoreApplication.translate("IntakeSummary", "月收入（元）"), QCoreApplication.translate("IntakeSummary", "备注")]
    rows = [_row(head, header=True)]
    for m in household.members:
        preview = intake_form.id_preview(m.id_number, today)
        sex_age = QCoreApplication.translate("IntakeSummary", "{0}/{1}岁").format(preview.sex_label, preview.age) \
            if preview.valid else ""
        disability = "" if m.disability_category == "none" else QCoreApplication.translate(
            "IntakeSummary", "{0}{1}").format(cat.get(m.disability_category, ""), grade.get(m.disability_grade, ""))
        notes = []
        if m.is_obliged_supporter:
            notes.append(QCoreApplication.translate("IntakeSummary", "户外法定义务人"))
        if m.staff_relative:
            notes.append(QCoreApplication.translate("IntakeSummary", "近亲属"))
        try:
            income = intake_form.format_cents(intake_form.parse_income(m.monthly_income))
        except InvalidInput:
            income = m.monthly_income
        rows.append(_row([m.name, rel.get(m.relation, ""), intake_form.masked_id(preview.canonical), sex_age,
                          health.get(m.health, ""), disability, labour.get(m.labour_capacity, ""),
                          work.get(m.employment, ""), income,
                          QCoreApplication.translate("IntakeSummary", "、").join(notes)]))
    return "<table border='1' cellspacing='0' cellpadding='3'>" + "".join(rows) + "</table>"


def summary_html(s: SummaryInput) -> str:
    hh, req = s.household, s.request
    hukou = _labels(intake_form.HUKOU_TYPES).get(hh.hukou_type, "")
    channel = _labels(intake_form.CHANNELS).get(req.channel, "")
    applicant = next((m.name for m in hh.members
                      if intake_form.id_preview(m.id_number, s.today).canonical == req.applicant_id_number), "")
    sep = QCoreApplication.translate("IntakeSummary", "、")
    parts = [
        "<h3>" + escape(QCoreApplication.translate("IntakeSummary", "家庭")) + "</h3>",
        "<p>" + escape(QCoreApplication.translate("IntakeSummary", "{0}；户口性质：{1}；住址：{2}；共同生活{3}人。").format(
            s.village_label, hukou, hh.address, sum(1 for m in hh.members if not m.is_obliged_supporter))) + " "
        + escape(QCoreApplication.translate("IntakeSummary", "（已登记家庭，本次信息将随申请更新）") if s.existing_household else QCoreApplication.translate("IntakeSummary", "（新建家庭）")) + "</p>",
        _members(hh, s.today),
        "<h3>" + escape(QCoreApplication.translate("IntakeSummary", "申请事项")) + "</h3>",
        "<p>" + escape(QCoreApplication.translate("IntakeSummary", "救助类别：{0}").format(sep.join(s.category_labels)))
        + "<br>" + escape(QCoreApplication.translate("IntakeSummary", "申请人：{0}；申请方式：{1}").format(applicant, channel))
        + "<br>" + escape(QCoreApplication.translate("IntakeSummary", "申请理由：{0}").format(req.reason)) + "</p>",
    ]
    if intake_form.is_emergency(req.categories):
        parts.append("<p><b>" + escape(QCoreApplication.translate("IntakeSummary", "紧急程序：临时救助（急难型），可先行救助。")) + "</b></p>")
    if intake_form.separate_filing(hh):
        parts.append("<p><b>" + escape(QCoreApplication.translate("IntakeSummary", "本户有经办人员或村（居）委会成员的近亲属：本案单独登记备案。")) + "</b></p>")
    parts.append("<h3>" + escape(QCoreApplication.translate("IntakeSummary", "材料")) + "</h3>")
    parts.append("<p>" + escape(QCoreApplication.translate("IntakeSummary", "已收到：{0}").format(
        sep.join(s.received) or QCoreApplication.translate("IntakeSummary", "无"))) + "</p>")
    if s.missing:
        parts.append(f"<p style='color:{style.ERROR_COLOR}'><b>" + escape(QCoreApplication.translate(
            "IntakeSummary", "缺少：{0}").format(sep.join(s.missing))) + "</b></p>")
    if s.not_applicable:
        parts.append("<p>" + escape(QCoreApplication.translate("IntakeSummary", "不适用：{0}").format(
            sep.join(s.not_applicable))) + "</p>")
    return "".join(parts)
