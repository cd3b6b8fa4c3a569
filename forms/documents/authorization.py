"""家庭经济状况核对授权书 — authorization for the economic-status check.

Signed by every adult member of the applicant household **and** every
legally obliged supporter (赡养/抚养/扶养义务人).  The caller decides who is
listed (it knows ages and relations); this renderer prints one row per
person with a signature cell and a date cell, paging as needed with the
header row repeated on every page.
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
    signature_rows,
    title_block,
)

TITLE = "家庭经济状况核对授权书"

ROLE_MEMBER = "共同生活家庭成员"
ROLE_SUPPORTER = "赡养（抚养、扶养）义务人"

AUTH_TEXT = (
    "本人及下表所列签字人知悉并同意：为办理上述社会救助申请的审核确认及后续动态管理，"
    "授权民政部门及有关单位查询核对本人及家庭成员的户籍、收入、财产等信息，"
    "包括但不限于户籍、车辆、住房和不动产、社会保险、住房公积金、市场主体登记、纳税、"
    "银行存款、有价证券、商业保险等情况；有关单位可依法向民政部门提供上述信息。"
)
PRIVACY_TEXT = (
    "民政部门对查询核对获得的信息依法予以保密，仅用于社会救助审核确认和管理，不用于其他用途。"
)
PLEDGE_TEXT = (
    "本人承诺所提供的信息真实、完整，如有虚报、隐瞒、伪造，愿意承担相应的法律责任。"
    "本授权自签字之日起生效，在申请及享受社会救助期间持续有效。"
)
MINOR_NOTE = "注：每位签字人须本人签字或按手印；无民事行为能力或限制民事行为能力人由其监护人代签并注明。"


@dataclass(frozen=True)
class AuthorizationPerson:
    name: str
    relation: str  # to the applicant: "本人"、"配偶"、"长子"…
    masked_id: str  # already masked
    role: str = ROLE_MEMBER  # ROLE_MEMBER or ROLE_SUPPORTER (or another label)


@dataclass(frozen=True)
class AuthorizationData:
    township_name: str
    case_number_display: str
    applicant_name: str
    categories: tuple[str, ...]
    persons: tuple[AuthorizationPerson, ...]
    issued_on: date
    household_address: str = ""  # 户籍地址; omitted when empty
    copy_label: str | None = None


HEADER = ("序号", "姓名", "与申请人关系", "身份证号", "身份", "本人签字（按手印）", "签字日期")


def _story(d: AuthorizationData, st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = title_block(st, width, d.township_name, TITLE, copy_label=d.copy_label)
    out.append(Spacer(1, 4 * mm))
    rows = [
        ("受理编号", d.case_number_display),
        ("申请人", d.applicant_name),
        ("申请事项", join_cn(d.categories)),
    ]
    if d.household_address:
        rows.append(("户籍地址", d.household_address))
    out.append(field_table(st, rows, width, 24 * mm))
    out.append(Spacer(1, 4 * mm))
    out.append(M("{township}：", st.body, township=d.township_name))
    out.append(Paragraph(AUTH_TEXT, st.para))
    out.append(Paragraph(PRIVACY_TEXT, st.para))
    out.append(Paragraph(PLEDGE_TEXT, st.para))
    out.append(Spacer(1, 4 * mm))

    head = [Paragraph(h, st.cell_c) for h in HEADER]
    body = [
        [Paragraph(str(i), st.cell_c), P(p.name, st.cell), P(p.relation, st.cell), P(p.masked_id, st.cell),
         P(p.role, st.cell), "", Paragraph("年&nbsp;&nbsp;&nbsp;月&nbsp;&nbsp;&nbsp;日", st.cell_c)]
        for i, p in enumerate(d.persons, 1)
    ]
    # 序号, 姓名, 关系, 身份证号 (18 chars + padding), 身份, 签字 (the rest), 日期
    cw = [10 * mm, 19 * mm, 18 * mm, 40 * mm, 27 * mm, 0, 25 * mm]
    cw[5] = width - sum(cw)
    sign_h = 15 * mm
    table = Table([head, *body], colWidths=cw, rowHeights=[None] + [sign_h] * len(body), repeatRows=1,
                  style=grid_style(1, 3))
    out.append(table)
    out.append(Spacer(1, 2 * mm))
    out.append(Paragraph(MINOR_NOTE, st.body))
    out.append(Spacer(1, 2 * mm))
    out.append(M("填表日期：{date}", st.body, date=fmt_date(d.issued_on)))
    out.append(signature_rows(st, width, [("申请人", d.applicant_name)]))
    return out


def render_authorization(data: AuthorizationData) -> bytes:
    """A4 授权书, paged when there are many signers; PDF bytes."""
    require(bool(data.persons), "an authorization needs at least one signer")
    require(bool(data.categories), "categories must not be empty")
    require(data.copy_label is None or bool(data.copy_label.strip()), "copy_label must be None or non-empty")
    check_data(data)
    return _a4.render_a4(lambda st, w: _story(data, st, w), title=TITLE, township=data.township_name,
                         case_number=data.case_number_display, copy_label=data.copy_label)
