"""Policy tables: which table applies where and when, what it says, and what is rejected."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from desktop import resources
from desktop.domain.categories import Category
from desktop.domain.policy import (
    DeadlineKind,
    PeriodUnit,
    PolicyBook,
    PolicyError,
    PolicyNotFound,
    load_policy_file,
    load_policy_tables,
    parse_policy_table,
    region_candidates,
)

POLICY_DIR = Path(__file__).resolve().parents[2] / "resources" / "policy"
NATIONAL_FILE = POLICY_DIR / "000000-2024-01-01.json"


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return load_policy_tables(POLICY_DIR)


@pytest.fixture
def national_raw() -> dict:
    return json.loads(NATIONAL_FILE.read_text(encoding="utf-8"))


def write_table(directory: Path, raw: dict, name: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    p = directory / (name or f"{raw['region']}-{raw['effective_from']}.json")
    p.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return p


def variant(raw: dict, region: str, effective_from: str, title: str) -> dict:
    v = copy.deepcopy(raw)
    v.update(region=region, effective_from=effective_from, title=title)
    return v


# ------------------------------------------------------------------ choosing the table


def test_county_override_starts_on_its_effective_date(book: PolicyBook) -> None:
    village = "620102101201"
    assert book.policy_for(village, date(2026, 6, 30)).ref == "000000@2024-01-01"
    assert book.policy_for(village, date(2026, 7, 1)).ref == "620102@2026-07-01"
    assert book.policy_for("620102101", date(2026, 7, 1)).region == "620102"   # township code
    assert book.policy_for("620102", date(2030, 1, 1)).region == "620102"      # county code


def test_other_county_gets_the_national_table(book: PolicyBook) -> None:
    assert book.policy_for("620103001001", date(2026, 8, 1)).region == "000000"
    assert book.policy_for("110105", date(2026, 8, 1)).region == "000000"


def test_no_table_before_the_first_one(book: PolicyBook) -> None:
    with pytest.raises(PolicyNotFound) as exc:
        book.policy_for("620102101201", date(2023, 12, 31))
    assert "没有适用于区划“620102101201”在2023-12-31的政策表" in exc.value.message


@pytest.mark.parametrize("code", ["12345", "62010210120", "abcdef", "６２０１０２"])
def test_malformed_region_code(book: PolicyBook, code: str) -> None:
    with pytest.raises(PolicyNotFound, match="格式不正确"):
        book.policy_for(code, date(2026, 8, 1))


def test_region_candidates() -> None:
    assert region_candidates("620102101201") == [
        "620102101201", "620102101", "620102", "620100", "620000", "000000"]
    assert region_candidates("620102") == ["620102", "620100", "620000", "000000"]
    assert region_candidates("620100") == ["620100", "620000", "000000"]
    assert region_candidates("000000") == ["000000"]


def test_most_specific_region_wins_then_latest_date(tmp_path: Path, national_raw: dict) -> None:
    d = tmp_path / "policy"
    write_table(d, national_raw)
    write_table(d, variant(national_raw, "000000", "2027-01-01", "全国新表"))
    write_table(d, variant(national_raw, "620000", "2025-01-01", "省表"))
    write_table(d, variant(national_raw, "620100", "2025-06-01", "市表"))
    write_table(d, variant(national_raw, "620102", "2026-07-01", "县表"))
    write_table(d, variant(national_raw, "620102101", "2026-01-01", "镇表"))
    write_table(d, variant(national_raw, "620102101201", "2026-03-01", "村表"))
    book = load_policy_tables(d)

    def title(code: str, on: str) -> str:
        return book.policy_for(code, date.fromisoformat(on)).title

    assert title("620102101201", "2024-06-01") == "全国默认社会救助经办规则"
    assert title("620102101201", "2025-01-01") == "省表"
    assert title("620102101201", "2025-06-01") == "市表"
    assert title("620102101201", "2026-01-01") == "镇表"
    assert title("620102101201", "2026-03-01") == "村表"
    assert title("620102101202", "2026-08-01") == "镇表"   # sibling village: township table
    assert title("620102201201", "2026-08-01") == "县表"   # other township in the county
    assert title("620103001001", "2026-08-01") == "市表"   # other county in the prefecture
    assert title("621000001001", "2026-08-01") == "省表"   # other prefecture in the province
    assert title("110105001001", "2026-08-01") == "全国默认社会救助经办规则"
    # a newer national table does not displace an older, more specific one
    assert title("620102201201", "2027-06-01") == "县表"
    assert title("110105001001", "2027-06-01") == "全国新表"


def test_merge_adds_and_replaces(book: PolicyBook, national_raw: dict) -> None:
    newer = parse_policy_table(variant(national_raw, "620102", "2026-07-01", "县表（修订）"), "update.json")
    extra = parse_policy_table(variant(national_raw, "620103", "2026-01-01", "另一县"), "update2.json")
    merged = book.merge([newer, extra])
    assert merged.policy_for("620102101201", date(2026, 8, 1)).title == "县表（修订）"
    assert merged.policy_for("620103", date(2026, 8, 1)).title == "另一县"
    assert len(merged.tables) == 3
    with pytest.raises(PolicyError, match="重复"):
        PolicyBook((newer, newer))


# ------------------------------------------------------------------ what the tables say


def test_every_bundled_table_covers_every_category(book: PolicyBook) -> None:
    assert len(book.tables) == 2
    for t in book.tables:
        for c in Category:
            assert t.documents[c], c
            assert t.department_for(c).name_zh
            assert t.notice_period(c).length > 0
            assert t.deadline("decision_total", c) > 0
            assert t.deadline("referral", c) > 0


def test_national_deadlines(book: PolicyBook) -> None:
    t = book.policy_for("110105", date(2025, 1, 1))
    assert t.deadline("investigation_start") == 3
    assert t.deadline(DeadlineKind.DECISION_TOTAL, Category.DIBAO) == 30
    assert t.deadline("decision_extended", "dibao") == 45
    assert t.deadline("investigation", Category.TEKUN) == 15
    assert t.deadline("investigation", Category.TEMP_EXPENSE) == 10
    assert t.deadline("county_confirm", Category.TEKUN) == 10
    assert t.deadline("refusal_notice") == 3
    assert t.deadline("emergency_paperwork") == 5
    assert t.deadline("referral", Category.MEDICAL) == 10
    assert t.deadline("referral", Category.EDUCATION) == 15
    with pytest.raises(ValueError, match="未知的时限类型"):
        t.deadline("lunch_break")
    with pytest.raises(ValueError, match="须指明救助类别"):
        t.deadline("referral")


def test_notice_rules(book: PolicyBook) -> None:
    national = book.policy_for("110105", date(2026, 8, 1))
    county = book.policy_for("620102", date(2026, 8, 1))
    assert (national.notice_period("dibao").length, national.notice_period("dibao").unit) == (7, PeriodUnit.DAYS)
    assert national.notice_period(Category.TEMP_EXPENSE).length == 5
    assert county.notice_period(Category.TEMP_EXPENSE).unit is PeriodUnit.WORKING_DAYS
    assert county.notice_period(Category.TEMP_EXPENSE).label == "3个工作日"
    assert not national.notice_required(Category.LEGAL_AID)
    assert not national.notice_required(Category.CHILD_WELFARE)   # minors are never published
    assert national.notice_required(Category.TEKUN)
    assert not national.democratic_deliberation_required(Category.TEMP_EXPENSE)
    assert county.democratic_deliberation_required(Category.TEMP_EXPENSE)
    assert not county.democratic_deliberation_required(Category.DIBAO)


def test_other_numbers(book: PolicyBook) -> None:
    national = book.policy_for("110105", date(2026, 8, 1))
    county = book.policy_for("620102", date(2026, 8, 1))
    assert national.emergency.township_approval_limit_cents == 200000
    assert national.emergency.same_reason_window_days == 365
    assert national.recheck_months("stable") == 12
    assert national.recheck_months("irregular_income") == 6
    assert (national.recheck_months("class_c_urban"), national.recheck_months("class_c_rural")) == (3, 6)
    assert national.recheck_months("tekun") == 12
    assert national.dibao_standard_cents("urban") is None       # set locally, never nationally
    assert county.dibao_standard_cents("rural") == 65000
    assert "演示" in county.note
    assert [p.number for p in national.complaint_phones] == ["12345"]
    assert county.complaint_phones[0].number == "12345" and len(county.complaint_phones) == 2
    assert "12345" in county.complaint_phone_text()


def test_required_documents_are_merged_in_order(book: PolicyBook) -> None:
    t = book.policy_for("110105", date(2026, 8, 1))
    docs = t.required_documents([Category.DIBAO, Category.TEKUN, Category.TEMP_EMERGENCY])
    codes = [x.code for x in docs]
    assert len(codes) == len(set(codes))
    assert codes[:5] == ["application_form", "hukou_book", "id_card", "income_assets_declaration",
                         "economic_check_authorization"]
    assert codes.index("tekun_status_statement") > codes.index("economic_check_authorization")
    assert codes[-1] == "incident_proof"
    assert docs[0].name == "申请书"
    # conditional for 低保, required for 残疾人两项补贴 → required in the merged checklist
    assert next(x for x in t.documents[Category.DIBAO] if x.code == "disability_certificate").conditional
    merged = t.required_documents(["dibao", "disability_subsidy"])
    assert not next(x for x in merged if x.code == "disability_certificate").conditional
    emergency = [x.name_zh for x in t.required_documents([Category.TEMP_EMERGENCY])]
    assert emergency == ["申请书", "居民身份证", "事故、疾病或灾害证明"]


def test_referral_departments(book: PolicyBook) -> None:
    t = book.policy_for("110105", date(2026, 8, 1))
    cats = [Category.DIBAO, Category.MEDICAL, Category.TEKUN, Category.DISASTER, Category.EDUCATION]
    # 低保 and 特困 are carried by the township (初审, then the county's 审核确认): not referred
    assert t.referral_departments(cats) == {
        "healthcare_security": [Category.MEDICAL],
        "emergency_management": [Category.DISASTER],
        "education": [Category.EDUCATION],
    }
    assert t.referral_departments([Category.DIBAO, Category.TEKUN, Category.TEMP_EXPENSE]) == {}
    assert t.referral_departments([Category.FUNERAL, Category.DIBAO]) == {"civil_affairs": [Category.FUNERAL]}
    assert t.township_categories(cats + [Category.DIBAO]) == [Category.DIBAO, Category.TEKUN]
    names = {c: t.department_for(c).name_zh for c in Category}
    assert "医疗保障局" in names[Category.MEDICAL]
    assert "应急管理局" in names[Category.DISASTER]
    assert "住房和城乡建设局" in names[Category.HOUSING]
    assert "人力资源和社会保障局" in names[Category.EMPLOYMENT]
    assert "残疾人联合会" in names[Category.DISABILITY_SUBSIDY]
    assert "司法局" in names[Category.LEGAL_AID]
    assert "农业农村局" in names[Category.POVERTY_MONITORING]
    for c in (Category.DIBAO, Category.TEKUN, Category.TEMP_EMERGENCY, Category.TEMP_EXPENSE,
              Category.LOW_INCOME_EDGE, Category.RIGID_EXPENSE, Category.FUNERAL, Category.HEATING):
        assert "民政局" in names[c], c


TOWNSHIP = {Category.DIBAO, Category.TEKUN, Category.TEMP_EMERGENCY, Category.TEMP_EXPENSE,
            Category.LOW_INCOME_EDGE, Category.RIGID_EXPENSE}


def test_township_procedure_in_the_shipped_tables(book: PolicyBook) -> None:
    """低保/特困/临时救助 and the 低保边缘/刚性支出 认定 stay with the township procedure in both tables."""
    for table in book.tables:
        assert table.township_procedure == TOWNSHIP, table.ref
        assert all(table.is_township_procedure(c) == (c in TOWNSHIP) for c in Category)
        assert table.referral_departments(TOWNSHIP) == {}
        # the department named in ``referrals`` is still known (deadline lookups, other uses)
        assert "民政局" in table.department_for(Category.DIBAO).name_zh


def test_township_procedure_is_optional(national_raw: dict) -> None:
    del national_raw["township_procedure"]
    t = parse_policy_table(national_raw, "000000-2024-01-01.json")
    assert t.township_procedure == frozenset()
    assert t.referral_departments([Category.DIBAO, Category.MEDICAL]) == {
        "civil_affairs": [Category.DIBAO], "healthcare_security": [Category.MEDICAL]}
    national_raw["township_procedure"] = []
    assert parse_policy_table(national_raw, "x.json").township_procedure == frozenset()
    national_raw["township_procedure"] = ["medical"]
    t = parse_policy_table(national_raw, "x.json")
    assert t.referral_departments([Category.MEDICAL, Category.DIBAO]) == {"civil_affairs": [Category.DIBAO]}


# ------------------------------------------------------------------ validation


def _drop(path: list[str]) -> Callable[[dict], None]:
    def f(raw: dict) -> None:
        node = raw
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return f


# What a county-pushed table with one mistake is told: the place in Chinese and as a JSON path, then why.
BROKEN: list[tuple[str, Callable[[dict], None], str]] = [
    ("unknown category in documents", lambda r: r["documents"].update(pension=r["documents"]["dibao"]),
     '要件清单 → pension（documents.pension）：未知的救助类别 "pension"'),
    ("missing category in documents", _drop(["documents", "heating"]),
     "要件清单（documents）：缺少救助类别 heating（取暖补贴）的要件清单"),
    ("missing category in referrals", _drop(["referrals", "funeral"]),
     "转办部门（referrals）：缺少救助类别 funeral（殡葬救助）的转办部门"),
    ("referral to unknown department", lambda r: r["referrals"].update(medical="hospital"),
     "转办部门 → 医疗救助（referrals.medical）：部门 “hospital” 未在 departments 中定义"),
    ("negative deadline", lambda r: r["deadlines"]["investigation"]["by_category"].update(tekun=-15),
     "办理时限 → 调查核实 → 分类别 → 特困人员救助供养（deadlines.investigation.by_category.tekun）：不能小于 1（当前为 -15）"),
    ("negative money", lambda r: r["emergency"].update(township_approval_limit_cents=-1),
     "急难救助 → 乡镇审批额度（分）（emergency.township_approval_limit_cents）：不能小于 0（当前为 -1）"),
    ("bad notice unit", lambda r: r["notice"]["by_category"].update(dibao={"unit": "weeks"}),
     '公示 → 分类别 → 最低生活保障 → 单位（notice.by_category.dibao.unit）：未知的单位 "weeks"（应为 days 或 working_days）'),
    ("missing deadline kind", _drop(["deadlines", "refusal_notice"]),
     "办理时限 → 不予批准告知（deadlines.refusal_notice）：缺少此字段"),
    ("unknown field", lambda r: r["deadlines"]["decision_total"].update(by_catgory={}),
     "办理时限 → 作出决定（总时限） → by_catgory（deadlines.decision_total.by_catgory）：未知字段"),
    ("bool where a number belongs", lambda r: r["recheck_months"].update(stable=True),
     "复核周期（月） → 收入稳定（recheck_months.stable）：应为整数，而不是 true"),
    ("string where a number belongs", lambda r: r["deadlines"]["county_confirm"].update(default="10"),
     '办理时限 → 县级审核确认 → 默认值（deadlines.county_confirm.default）：应为整数，而不是 "10"'),
    ("float where a number belongs", lambda r: r["emergency"].update(relief_within_hours=24.5),
     "急难救助 → 先行救助时限（小时）（emergency.relief_within_hours）：应为整数，而不是 24.5"),
    ("string where a flag belongs", lambda r: r["democratic_deliberation_required"].update(default="no"),
     '民主评议 → 默认值（democratic_deliberation_required.default）：应为 true 或 false，而不是 "no"'),
    ("empty title", lambda r: r.update(title="  "), "标题（title）：应为非空文字"),
    ("number where a text belongs", lambda r: r["departments"]["civil_affairs"].update(name_zh=7),
     "部门 → civil_affairs → 名称（departments.civil_affairs.name_zh）：应为文字（字符串），而不是 7"),
    ("bad department code", lambda r: r["departments"].update({"Civil-Affairs": r["departments"]["civil_affairs"]}),
     '部门 → Civil-Affairs（departments.Civil-Affairs）：只能由小写字母、数字和下划线组成（以字母开头），'
     '而不是 "Civil-Affairs"'),
    ("no department", lambda r: r.update(departments={}), "部门（departments）：至少应有 1 项"),
    ("no phone", lambda r: r.update(complaint_phones=[]), "投诉电话（complaint_phones）：至少应有 1 项"),
    ("empty document list", lambda r: r["documents"].update(dibao=[]),
     "要件清单 → 最低生活保障（documents.dibao）：至少应有 1 项"),
    ("duplicate document", lambda r: r["documents"]["dibao"].append(r["documents"]["dibao"][0]),
     "要件清单 → 最低生活保障 → 第9项 → 代码（documents.dibao[8].code）：要件 application_form 重复"),
    ("inconsistent document name", lambda r: r["documents"]["tekun"][0].update(name_zh="救助申请表"),
     "要件清单 → 特困人员救助供养 → 第1项 → 名称（documents.tekun[0].name_zh）："
     "要件 application_form 的名称与其他类别中的“申请书”不一致"),
    ("bad region", lambda r: r.update(region="62"), '区划代码（region）：应为6、9或12位数字，而不是 "62"'),
    ("full-width region", lambda r: r.update(region="６２０１０２"),
     '区划代码（region）：应为6、9或12位数字，而不是 "６２０１０２"'),
    ("bad date", lambda r: r.update(effective_from="2026-02-30"),
     '生效日期（effective_from）：无效日期 "2026-02-30"（应为 YYYY-MM-DD）'),
    ("date with a time", lambda r: r.update(effective_from="2026-07-01T00:00:00"),
     '生效日期（effective_from）：无效日期 "2026-07-01T00:00:00"（应为 YYYY-MM-DD）'),
    ("date as a number", lambda r: r.update(effective_from=20260701),
     "生效日期（effective_from）：日期应写作 YYYY-MM-DD，而不是 20260701"),
    ("bad phone", lambda r: r["complaint_phones"][0].update(number="12345 转 8"),
     '投诉电话 → 第1项 → 号码（complaint_phones[0].number）：只能包含数字和“-”，而不是 "12345 转 8"'),
    ("wrong format", lambda r: r.update(format=2), "格式版本（format）：不支持的格式版本 2（应为 1）"),
    ("format as a flag", lambda r: r.update(format=True), "格式版本（format）：应为整数，而不是 true"),
    ("missing format", _drop(["format"]), "格式版本（format）：缺少此字段"),
    ("unknown top-level field", lambda r: r.update(colour="red"), "colour（colour）：未知字段"),
    ("section not an object", lambda r: r.update(emergency=[1]),
     "急难救助（emergency）：应为 JSON 对象，而不是 [1]"),
    ("unknown township-procedure category", lambda r: r.update(township_procedure=["dibao", "pension"]),
     '乡镇办理的类别 → 第2项（township_procedure[1]）：未知的救助类别 "pension"'),
    ("township procedure not a list", lambda r: r.update(township_procedure="dibao"),
     '乡镇办理的类别（township_procedure）：应为列表（JSON 数组），而不是 "dibao"'),
    ("township-procedure category twice", lambda r: r.update(township_procedure=["tekun", "tekun"]),
     "乡镇办理的类别 → 第2项（township_procedure[1]）：救助类别 tekun（特困人员救助供养）重复"),
    ("township-procedure category not a code", lambda r: r.update(township_procedure=[{"dibao": 1}]),
     '乡镇办理的类别 → 第1项（township_procedure[0]）：未知的救助类别 {"dibao": 1}'),
]


@pytest.mark.parametrize(("mutate", "expected"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_tables_are_rejected_naming_file_and_field(tmp_path: Path, national_raw: dict, mutate, expected):
    raw = variant(national_raw, "620102", "2026-07-01", "县级推送的更新")
    mutate(raw)
    path = write_table(tmp_path / "policy", raw, "620102-2026-07-01.json")
    with pytest.raises(PolicyError) as exc:
        load_policy_tables(path.parent)
    assert exc.value.message == f"政策表 620102-2026-07-01.json：{expected}"


def test_several_mistakes_are_listed_together(national_raw: dict) -> None:
    national_raw["recheck_months"].update(stable=0, tekun="12")
    del national_raw["title"]
    with pytest.raises(PolicyError) as exc:
        parse_policy_table(national_raw, "x.json")
    assert exc.value.message == (
        "政策表 x.json：标题（title）：缺少此字段；复核周期（月） → 收入稳定（recheck_months.stable）：不能小于 1（当前为 0）；"
        '复核周期（月） → 特困人员（recheck_months.tekun）：应为整数，而不是 "12"')
    for kind in ("stable", "irregular_income", "class_c_urban", "class_c_rural", "tekun"):
        national_raw["recheck_months"][kind] = -1
    with pytest.raises(PolicyError) as exc:
        parse_policy_table(national_raw, "x.json")
    assert exc.value.message.endswith("；……共 6 处错误") and exc.value.message.count("（recheck_months.") == 4


def test_file_name_must_match_content(tmp_path: Path, national_raw: dict) -> None:
    p = write_table(tmp_path, national_raw, "620102-2026-07-01.json")
    with pytest.raises(PolicyError, match="文件名应为 000000-2024-01-01.json"):
        load_policy_file(p)


def test_unreadable_input(tmp_path: Path) -> None:
    (tmp_path / "000000-2024-01-01.json").write_text("{", encoding="utf-8")
    with pytest.raises(PolicyError, match="不是有效的 JSON"):
        load_policy_tables(tmp_path)
    with pytest.raises(PolicyError, match="目录不存在"):
        load_policy_tables(tmp_path / "nope")
    with pytest.raises(PolicyError, match="应为 JSON 对象"):
        parse_policy_table([1, 2], "x.json")


# ------------------------------------------------------------------ bundled resources


def test_resources_dir_and_default_loaders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           national_raw: dict, this_checkouts_resources: Path) -> None:
    assert resources.resources_dir() == POLICY_DIR.parent
    assert resources.load_bundled_policy_book().policy_for("620102", date(2026, 7, 1)).region == "620102"
    assert resources.load_bundled_calendar().covered_years == (2024, 2025, 2026)

    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert resources.resources_dir() == tmp_path / "bundle" / "resources"

    write_table(tmp_path / "alt" / "policy", variant(national_raw, "000000", "2020-01-01", "替代"))
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path / "alt"))
    assert resources.resources_dir() == (tmp_path / "alt").resolve()
    # nothing cached: the next load reads the files the locator names now
    assert resources.load_bundled_policy_book().policy_for("620102", date(2021, 1, 1)).title == "替代"
