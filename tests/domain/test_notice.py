"""The one masking rule of the public notice, the content rule from policy, and who is ready."""

from __future__ import annotations

import dataclasses
from datetime import date
from types import SimpleNamespace

import pytest

from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.notice import (
    DEFAULT_NOTICE_CONTENT,
    CandidateFacts,
    HeldBack,
    NoticeContent,
    NoticeContentError,
    NoticeField,
    NoticePeriod,
    NoticeRow,
    NoticeSource,
    PeriodUnit,
    SourceMember,
    amount_text,
    candidate_problems,
    mask_for_notice,
    notice_content_for,
    notice_table,
)
from forms.idnumber import check_char

POSTED = date(2026, 9, 30)
PERIOD = NoticePeriod(POSTED, date(2026, 10, 8), 7, PeriodUnit.DAYS)


def ident(birth: str, seq: int) -> str:
    body = f"620102{birth}{seq:03d}"
    return body + check_char(body)


def person(name: str, birth: str, seq: int, **kw) -> SourceMember:
    return SourceMember(name, ident(birth, seq), date(int(birth[:4]), int(birth[4:6]), int(birth[6:])), **kw)


HOLDER = person("张建华", "19700312", 11, phone="13912345678", bank_account="6222021234567890123",
                monthly_income_cents=123457, health="重病（大病）", illness="尿毒症")
CHILD = person("张小雨", "20150601", 22)
DISABLED = person("李秀兰", "19720808", 34, disability="肢体残疾二级")


def source(holder: SourceMember = HOLDER, members=(HOLDER, CHILD, DISABLED), **kw) -> NoticeSource:
    base = dict(case_ref="case-1", holder=holder, members=tuple(members), village_name="东坪村",
                category=Category.DIBAO, proposed_monthly_cents=86000, address="东坪村三组12号",
                phones=("13812345678",), bank_accounts=("6217001234567890",), assets=("小轿车1辆",),
                income_note="务工收入每月1234.57元", reason="因病致贫")
    base.update(kw)
    return NoticeSource(**base)


def test_row_holds_only_publishable_fields():
    row = mask_for_notice(source(), DEFAULT_NOTICE_CONTENT, PERIOD)
    assert row == NoticeRow("张建华", "东坪村", 3, "最低生活保障", 86000, PERIOD.text, None)
    # the type itself has no room for anything else
    assert {f.name for f in dataclasses.fields(NoticeRow)} == {
        "holder_name", "village", "household_size", "category_label", "monthly_amount_cents", "period_text",
        "id_fragment"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.holder_name = "x"  # type: ignore[misc]


def test_obliged_supporters_are_not_counted_in_the_household():
    supporter = person("张建国", "19650101", 57, is_obliged_supporter=True)
    row = mask_for_notice(source(members=(HOLDER, CHILD, supporter)), DEFAULT_NOTICE_CONTENT, PERIOD)
    assert row.household_size == 2


def test_fields_the_policy_leaves_out_are_empty_and_not_drawn():
    content = NoticeContent((NoticeField.HOLDER_NAME, NoticeField.VILLAGE, NoticeField.HOUSEHOLD_SIZE))
    row = mask_for_notice(source(), content, PERIOD)
    assert (row.category_label, row.monthly_amount_cents, row.period_text) == (None, None, None)
    table = notice_table([row], content, Category.DIBAO)
    assert table.headers == ("序号", "申请人", "村（社区）", "家庭人口")
    assert table.rows == (("1", "张建华", "东坪村", "3"),)


def test_id_fragment_only_when_asked_and_never_more_than_6_plus_4():
    content = NoticeContent(DEFAULT_NOTICE_CONTENT.fields, id_head=6, id_tail=4)
    row = mask_for_notice(source(), content, PERIOD)
    assert row.id_fragment == HOLDER.id_number[:6] + "********" + HOLDER.id_number[-4:]
    table = notice_table([row], content, Category.DIBAO, period_column=False)
    assert table.headers[:3] == ("序号", "申请人", "身份证号（部分）")
    assert "公示期" not in table.headers
    last4 = NoticeContent(DEFAULT_NOTICE_CONTENT.fields, id_head=0, id_tail=4)
    assert mask_for_notice(source(), last4, PERIOD).id_fragment == "*" * 14 + HOLDER.id_number[-4:]
    for head, tail in ((7, 4), (6, 5), (-1, 0)):
        with pytest.raises(NoticeContentError, match="前6位和后4位"):
            NoticeContent(DEFAULT_NOTICE_CONTENT.fields, id_head=head, id_tail=tail)


@pytest.mark.parametrize("holder, why", [
    (CHILD, "未满18周岁"),
    # turns 18 the day after posting: still a minor on the posting day
    (person("王一鸣", "20081001", 15), "未满18周岁"),
    (SourceMember("无名氏", "620102XXXX", None), "无法"),
])
def test_a_minor_or_unknown_age_holder_is_held_back_never_named(holder, why):
    result = mask_for_notice(source(holder=holder, members=(holder, DISABLED)), DEFAULT_NOTICE_CONTENT, PERIOD)
    assert isinstance(result, HeldBack) and why in result.reason and result.case_ref == "case-1"
    assert holder.name not in result.reason


def test_holder_turning_18_on_the_posting_day_is_published():
    adult = person("王一鸣", "20080930", 15)
    assert isinstance(mask_for_notice(source(holder=adult, members=(adult,)), DEFAULT_NOTICE_CONTENT, PERIOD),
                      NoticeRow)


def test_table_numbers_rows_and_names_the_amount_by_category():
    rows = [mask_for_notice(source(), DEFAULT_NOTICE_CONTENT, PERIOD)] * 2
    t = notice_table(rows, DEFAULT_NOTICE_CONTENT, Category.DIBAO)
    assert t.headers == ("序号", "申请人", "村（社区）", "家庭人口", "救助类别", "月保障金额（元）", "公示期")
    assert [r[0] for r in t.rows] == ["1", "2"] and t.rows[0][5] == "860.00"
    assert len(t.weights) == len(t.headers)
    temp = notice_table(rows, DEFAULT_NOTICE_CONTENT, Category.TEMP_EXPENSE)
    assert "救助金额（元）" in temp.headers
    unknown = mask_for_notice(source(proposed_monthly_cents=None), DEFAULT_NOTICE_CONTENT, PERIOD)
    assert notice_table([unknown], DEFAULT_NOTICE_CONTENT, Category.DIBAO).rows[0][5] == "—"
    assert amount_text(5) == "0.05" and amount_text(123456) == "1234.56"


@pytest.mark.parametrize("raw, message", [
    ({"fields": ["holder_name", "address"]}, "家庭住址依规不得公示"),
    ({"fields": ["holder_name", "bank_account"]}, "银行账号"),
    ({"fields": ["holder_name", "phone"]}, "电话"),
    ({"fields": ["holder_name", "disability"]}, "残疾"),
    ({"fields": ["holder_name", "income"]}, "收入"),
    ({"fields": ["holder_name", "members"]}, "家庭成员姓名"),
    ({"fields": ["village"]}, "必须包括申请人姓名"),
    ({"fields": []}, "至少"),
    ({"fields": ["holder_name", "holder_name"]}, "重复"),
    ({"fields": ["holder_name", "shoe_size"]}, "未知的公示项目"),
    ({"fields": ["holder_name"], "id_fragment": {"head": 18}}, "前6位和后4位"),
    ({"fields": ["holder_name"], "colour": "red"}, "未知项目"),
    ("holder_name", "JSON 对象"),
])
def test_a_policy_cannot_publish_what_must_stay_private(raw, message):
    with pytest.raises(NoticeContentError) as e:
        NoticeContent.from_dict(raw)
    assert message in e.value.message


def test_content_from_policy_with_default_and_round_trip():
    assert notice_content_for(None) == DEFAULT_NOTICE_CONTENT
    assert notice_content_for(SimpleNamespace()) == DEFAULT_NOTICE_CONTENT     # today's tables: no field
    custom = {"fields": ["holder_name", "village", "monthly_amount"], "id_fragment": {"head": 6, "tail": 4}}
    got = notice_content_for(SimpleNamespace(notice_content=custom), Category.DIBAO)
    assert got.fields == (NoticeField.HOLDER_NAME, NoticeField.VILLAGE, NoticeField.MONTHLY_AMOUNT)
    assert NoticeContent.from_dict(got.to_dict()) == got
    per_cat = {"default": custom, "by_category": {"tekun": {"fields": ["holder_name"]}}}
    policy = SimpleNamespace(notice_content=per_cat)
    assert notice_content_for(policy, Category.TEKUN).fields == (NoticeField.HOLDER_NAME,)
    assert notice_content_for(policy, Category.DIBAO) == got


def test_candidate_problems_say_what_is_missing():
    ok = CandidateFacts(CaseStatus.INVESTIGATING, Category.DIBAO, investigators=2, holder_age=40)
    assert candidate_problems(ok) == ()
    assert candidate_problems(dataclasses.replace(ok, status=CaseStatus.DELIBERATION)) == ()
    cases = {
        "入户调查": dataclasses.replace(ok, investigators=1),
        "只有调查中或民主评议中": dataclasses.replace(ok, status=CaseStatus.ACCEPTED),
        "均无需公示": dataclasses.replace(ok, notice_category=None),
        "异议未办结": dataclasses.replace(ok, open_objections=1),
        "须先开展民主评议": dataclasses.replace(ok, deliberation_required=True),
        "已列入公示批次 GS-2026-007-0001": dataclasses.replace(ok, active_batch="GS-2026-007-0001"),
        "未满18周岁": dataclasses.replace(ok, holder_age=17),
        "无法确定申请人年龄": dataclasses.replace(ok, holder_age=None),
    }
    for needle, facts in cases.items():
        problems = candidate_problems(facts)
        assert len(problems) == 1 and needle in problems[0], (needle, problems)
    assert candidate_problems(dataclasses.replace(ok, deliberation_required=True,
                                                  status=CaseStatus.DELIBERATION)) == ()
