"""Property: nothing private and no child ever reaches the published notice — PDF, CSV or HTML.

Hypothesis generates households with minors, disabled and seriously ill
members, incomes, assets, phone and bank card numbers, addresses and full ID
numbers; several households go through the one masking rule into one notice,
which is rendered to a poster (read back with pypdf), a CSV and an HTML page.
None of the private values may appear in any of the three; a holder under 18
never becomes a row.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
from datetime import date, timedelta

import pypdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.categories import Category
from desktop.domain.notice import (
    DEFAULT_NOTICE_CONTENT,
    HeldBack,
    NoticeContent,
    NoticeField,
    NoticePeriod,
    NoticeRow,
    NoticeSource,
    PeriodUnit,
    SourceMember,
    mask_for_notice,
    notice_table,
)
from forms.documents._common import contains_full_id
from forms.documents.notice_export import notice_csv, notice_html
from forms.documents.notice_poster import NoticeText, render_notice_poster
from forms.idnumber import check_char

POSTED = date(2026, 9, 30)
PERIOD = NoticePeriod(POSTED, date(2026, 10, 8), 7, PeriodUnit.DAYS)
SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩朱秦尤许何吕施孔曹严金魏陶姜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超霞刚桂荣琳瑶珂璇玥"
ILLNESS = ("尿毒症", "肺癌晚期", "精神分裂症", "脑梗后遗症", "白血病", "糖尿病并发症")
DISABILITY = ("肢体残疾二级", "视力残疾一级", "智力残疾三级", "精神残疾二级", "听力残疾四级", "多重残疾一级")
HEALTH = ("慢性病", "重病（大病）", "残疾")
ASSETS = ("小轿车1辆", "商品房2套", "存款三十万元", "营业执照1份", "大型农机2台")
CATEGORIES = (Category.DIBAO, Category.TEKUN, Category.TEMP_EXPENSE, Category.LOW_INCOME_EDGE,
              Category.DISABILITY_SUBSIDY)


def ident(born: date, seq: int) -> str:
    body = f"620102{born:%Y%m%d}{seq:03d}"
    return body + check_char(body)


@st.composite
def member(draw, seq: int, name: str, minor: bool) -> SourceMember:
    # minors: 0 days up to a few days before their 18th birthday; adults: 18 years and more
    age_days = draw(st.integers(0, 18 * 365 - 5) if minor else st.integers(18 * 366, 95 * 365))
    born = POSTED - timedelta(days=age_days)
    sick = draw(st.booleans())
    disabled = draw(st.booleans())
    return SourceMember(
        name=name, id_number=ident(born, seq), birth_date=born if draw(st.booleans()) else None,
        relation=draw(st.sampled_from(("户主", "配偶", "子", "女", "父母"))),
        is_obliged_supporter=draw(st.booleans()) and not minor,
        health=draw(st.sampled_from(HEALTH)) if sick else "健康",
        illness=draw(st.sampled_from(ILLNESS)) if sick else "",
        disability=draw(st.sampled_from(DISABILITY)) if disabled else "",
        monthly_income_cents=draw(st.integers(0, 2_000_000).map(lambda c: c - c % 100 + 37)),
        phone=draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)),
        bank_account=draw(st.from_regex(r"62[0-9]{14,17}", fullmatch=True)),
    )


@st.composite
def notice(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=5))
    names = draw(st.lists(st.tuples(st.sampled_from(SURNAMES), st.sampled_from(GIVEN), st.sampled_from(GIVEN))
                          .map("".join), min_size=sum(sizes), max_size=sum(sizes), unique=True))
    category = draw(st.sampled_from(CATEGORIES))
    sources, minors, seq = [], set(), 0
    for h, size in enumerate(sizes):
        people = []
        for _ in range(size):
            minor = draw(st.booleans())
            people.append(draw(member(seq + 1, names[seq], minor)))
            if minor:
                minors.add(names[seq])
            seq += 1
        group, no = draw(st.integers(1, 9)), draw(st.integers(100, 999))
        sources.append(NoticeSource(
            case_ref=f"case-{h}", holder=people[0], members=tuple(people), village_name="东坪村", category=category,
            proposed_monthly_cents=draw(st.integers(100, 300_000).map(lambda c: c - c % 100)),
            address=f"东坪村{group}组{no}号", phones=(draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)),),
            bank_accounts=(draw(st.from_regex(r"62[0-9]{14,17}", fullmatch=True)),),
            assets=tuple(draw(st.lists(st.sampled_from(ASSETS), max_size=2, unique=True))),
            income_note=f"家庭月收入{draw(st.integers(1000, 99999))}.{draw(st.integers(1, 99)):02d}元",
            reason=draw(st.sampled_from(ILLNESS)) + "，因病致贫"))
    fields = draw(st.lists(st.sampled_from(list(NoticeField)), unique=True, max_size=6))
    fields = [NoticeField.HOLDER_NAME] + [f for f in fields if f is not NoticeField.HOLDER_NAME]
    content = NoticeContent(tuple(fields), draw(st.integers(0, 6)), draw(st.integers(0, 4)))
    page = draw(st.sampled_from((("A4", "portrait"), ("A3", "landscape"), ("A4", "landscape"))))
    return sources, frozenset(minors), content, category, page


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return squash("".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def private_values(sources: list[NoticeSource]) -> list[str]:
    out: list[str] = []
    for s in sources:
        out += [s.address, s.income_note, s.reason, *s.phones, *s.bank_accounts, *s.assets]
        for m in s.members:
            out += [m.id_number, m.id_number[6:14], m.phone, m.bank_account,
                    f"{m.monthly_income_cents // 100}.{m.monthly_income_cents % 100:02d}"]
            out += [x for x in (m.illness, m.disability) if x]
            out += [x for x in (m.health,) if x not in ("健康", "残疾")]   # "残疾" is part of a category label
            if m is not s.holder:
                out.append(m.name)     # only the holder is ever named
    return [v for v in out if v]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notice())
def test_no_private_value_and_no_minor_reaches_any_output(case):
    sources, minors, content, category, (size, orientation) = case
    results = [mask_for_notice(s, content, PERIOD) for s in sources]
    rows = [r for r in results if isinstance(r, NoticeRow)]
    held = [s for s, r in zip(sources, results, strict=True) if isinstance(r, HeldBack)]
    assert {s.holder.name for s in held} == {s.holder.name for s in sources} & minors   # exactly the minors

    poster = notice_table(rows, content, category, period_column=False)
    web = notice_table(rows, content, category, period_column=True)
    text = NoticeText("测试县测试镇人民政府", "最低生活保障拟保障对象公示", "东坪村　公示编号 GS-2026-007-0001",
                      "根据社会救助有关规定，现将名单予以公示。", PERIOD.text, "12345政务服务便民热线 12345", "",
                      POSTED, "GS-2026-007-0001", poster.headers, poster.rows, poster.weights)
    outputs = {
        "pdf": pdf_text(render_notice_poster(text, size, orientation)),
        "csv": notice_csv(dataclasses.replace(text, headers=web.headers, rows=web.rows,
                                              weights=web.weights)).decode("utf-8-sig"),
        "html": html.unescape(notice_html(text).decode("utf-8")),
    }
    secrets = private_values(sources) + sorted(minors)
    for kind, out in outputs.items():
        flat = squash(out)
        for value in secrets:
            assert value not in out and squash(value) not in flat, (kind, value)
        assert not contains_full_id(out), kind
        for r in rows:   # and what is published is there
            assert r.holder_name in flat, (kind, r.holder_name)
    # the CSV has exactly one line per published row, plus the header
    assert len(list(csv.reader(io.StringIO(outputs["csv"])))) == len(rows) + 1


def test_default_content_publishes_the_period_on_the_web_only_once_on_the_poster():
    adult = SourceMember("钱伟芳", ident(date(1980, 5, 5), 1), date(1980, 5, 5))
    row = mask_for_notice(NoticeSource("c", adult, (adult,), "东坪村", Category.DIBAO, 50000), DEFAULT_NOTICE_CONTENT,
                          PERIOD)
    assert "公示期" in notice_table([row], DEFAULT_NOTICE_CONTENT, Category.DIBAO).headers
    assert "公示期" not in notice_table([row], DEFAULT_NOTICE_CONTENT, Category.DIBAO, period_column=False).headers
