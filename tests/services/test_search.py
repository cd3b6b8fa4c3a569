"""The one search box: every query kind, on a real encrypted database filled through intake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from conftest import FAST_KDF
from factories import villages_of
from sqlalchemy import select

from desktop.domain.case_number import parse_case_number
from desktop.domain.categories import Category
from desktop.domain.household import Application, Channel, Household, HukouType, Person, Relation
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines import planner as clocks
from desktop.services.intake.accept import submit_application
from desktop.services.intake.search import HINT, QueryKind, SearchResults, classify, search
from desktop.services.session import AppSession
from desktop.store.models import AuditEvent, Case, Coverage
from forms.idnumber import check_char

TODAY = date(2026, 6, 15)
EAST, WEST = "620102101201", "620102101202"


def idn(first17: str) -> str:
    return first17 + check_char(first17)


ID_ZSM = "11010519491231002X"            # 张三明, household A, head
ID_ZS_SPOUSE = idn("62010219520315004")  # 张思, household A, spouse
ID_ZXM = idn("62010219800716001")        # 张小明, household A, son
ID_LS = idn("62012119750520005")         # 李四, household A, obliged supporter living elsewhere
ID_ZHANGSAN = idn("62010219650808013")   # 张三, household B, head
ID_LZS = idn("62010219700202021")        # 李张三, household C, head
ALL_IDS = (ID_ZSM, ID_ZS_SPOUSE, ID_ZXM, ID_LS, ID_ZHANGSAN, ID_LZS)


@dataclass
class World:
    clerk: AppSession
    hh_a: str
    hh_b: str
    hh_c: str
    case_a: str          # canonical case number, accepted (open)
    case_b: str          # pending documents (open), two categories
    case_c: str          # not accepted (closed)


def _app(division: str, address: str, members: tuple[Person, ...], categories: tuple[Category, ...],
         missing_last: bool = False) -> Application:
    docs = tuple(c for c, _n in clocks.DeadlinePlanner.bundled().plan(division, date.today(), list(categories))
                 .documents)
    received, missing = (docs[:-1], docs[-1:]) if missing_last else (docs, ())
    return Application(categories, "家庭收入低于当地低保标准", Channel.WALK_IN,
                       Household(division, HukouType.RURAL, address, members), members[0].id_number,
                       documents_received=received, documents_missing=missing)


def _login(data_dir, name: str) -> AppSession:
    return sign_in(data_dir, name, f"{name}-pass-1", kdf=FAST_KDF)


@pytest.fixture
def world(admin_session, data_dir):
    for name, role in (("clerk", Role.CLERK), ("assistant", Role.VILLAGE_ASSISTANT), ("auditor", Role.AUDITOR)):
        auth.add_user(admin_session, name, f"用户{name}", role, f"{name}-pass-1", **villages_of(role))
    clerk = _login(data_dir, "clerk")
    a = submit_application(clerk, _app(EAST, "东坪村三组17号", (
        Person("张三明", ID_ZSM, Relation.SELF),
        Person("张思", ID_ZS_SPOUSE, Relation.SPOUSE),
        Person("张小明", ID_ZXM, Relation.SON),
        Person("李四", ID_LS, Relation.OTHER, is_obliged_supporter=True),
    ), (Category.DIBAO,)), "accept")
    b = submit_application(clerk, _app(WEST, "西沟村一组3号", (Person("张三", ID_ZHANGSAN, Relation.SELF),),
                                       (Category.DIBAO, Category.MEDICAL), missing_last=True), "missing_documents")
    c = submit_application(clerk, _app(EAST, "东坪村五组8号", (Person("李张三", ID_LZS, Relation.SELF),),
                                       (Category.TEMP_EXPENSE,)), "refuse", refusal_reason="不属于救助范围")
    with clerk.db.write() as s:
        hh = {n: s.scalar(select(Case.household_uuid).where(Case.case_number == n))
              for n in (a.case_number, b.case_number, c.case_number)}
        s.add(Coverage(household_uuid=hh[a.case_number], category="dibao", since=date(2025, 1, 1), until=None,
                       monthly_amount_cents=156000))
        s.add(Coverage(household_uuid=hh[a.case_number], category="tekun", since=date(2020, 1, 1),
                       until=date(2024, 12, 31), monthly_amount_cents=98000))
    yield World(clerk, hh[a.case_number], hh[b.case_number], hh[c.case_number],
                a.case_number, b.case_number, c.case_number)
    clerk.close()


def _find(world: World, text: str, **kw) -> SearchResults:
    return search(world.clerk, text, today=TODAY, **kw)


def _uuids(r: SearchResults) -> list[str]:
    return [h.household_uuid for h in r.households]


def _matched(r: SearchResults) -> set[str]:
    return {m.name for h in r.households for m in h.members if m.matched}


def _audit_count(session: AppSession, action: str) -> int:
    with session.db.read() as s:
        return len(s.scalars(select(AuditEvent.seq).where(AuditEvent.action == action)).all())


def _assert_no_full_id(r: SearchResults) -> None:
    text = repr(r) + str(r)
    for number in ALL_IDS:
        assert number not in text
        assert number[:14] not in text    # nor its address code + birth date
        assert number[-6:] not in text    # masked shows at most the last four


# ------------------------------------------------------------------ ID numbers

def test_full_id_number_finds_the_household_with_everything_the_window_needs(world):
    r = _find(world, ID_ZSM)
    assert r.query_kind is QueryKind.ID_NUMBER and r.notice == "" and not r.truncated
    assert _uuids(r) == [world.hh_a]
    hh = r.households[0]
    assert (hh.village_name, hh.address, hh.head_name, hh.size) == ("东坪村", "东坪村三组17号", "张三明", 3)
    assert [m.name for m in hh.members] == ["张三明", "张思", "张小明", "李四"]
    head = hh.members[0]
    assert head.matched and not any(m.matched for m in hh.members[1:])
    assert (head.sex, head.age, head.relation_label, head.village_name) == ("女", 76, "户主", "东坪村")
    assert head.masked_id == "*" * 14 + "002X"
    supporter = hh.members[3]
    assert supporter.is_obliged_supporter and supporter.relation_label == "其他"
    assert [m.masked_id[-4:] for m in hh.members] == [n[-4:] for n in (ID_ZSM, ID_ZS_SPOUSE, ID_ZXM, ID_LS)]
    # open case and current coverage (the ended one is not shown)
    assert len(hh.open_cases) == 1
    case = hh.open_cases[0]
    assert case.case_number_display == parse_case_number(world.case_a).display
    assert (case.status_label, case.categories_labels, case.received_on) == ("已受理", ("最低生活保障",),
                                                                             date.today())
    assert [(c.category_label, c.since, c.monthly_amount_cents) for c in hh.coverage] == [
        ("最低生活保障", date(2025, 1, 1), 156000)]
    _assert_no_full_id(r)


def test_full_width_lower_case_and_spaced_id_numbers_are_normalised(world):
    for text in ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002x", " 110105 19491231 002X ",
                 "110105-19491231-002X"):
        r = _find(world, text)
        assert r.query_kind is QueryKind.ID_NUMBER, text
        assert _uuids(r) == [world.hh_a], text


def test_old_15_digit_number_is_converted_before_the_lookup(world):
    r = _find(world, "110105491231002")
    assert r.query_kind is QueryKind.ID_NUMBER and _uuids(r) == [world.hh_a] and r.notice == ""


def test_mistyped_id_number_still_searches_and_says_why(world):
    r = _find(world, ID_ZSM[:17] + "1")
    assert r.query_kind is QueryKind.ID_NUMBER
    assert r.households == ()
    assert "校验位不正确" in r.notice
    r = _find(world, "110105194913310020")   # month 13
    assert "出生日期" in r.notice


def test_id_lookup_is_audited_without_the_number_and_other_searches_are_not(world):
    before = _audit_count(world.clerk, "search_by_id")
    _find(world, "张三")
    _find(world, "002X")
    _find(world, "zsm")
    assert _audit_count(world.clerk, "search_by_id") == before
    _find(world, ID_ZSM)
    _find(world, ID_ZSM[:17] + "1")
    assert _audit_count(world.clerk, "search_by_id") == before + 2
    with world.clerk.db.read() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "search_by_id")
                           .order_by(AuditEvent.seq)).all()
        for ev in events:
            blob = f"{ev.entity_id} {ev.detail}"
            assert ID_ZSM not in blob and ID_ZSM[:14] not in blob and "张三明" not in blob
        assert events[-2].actor == "clerk" and events[-2].entity_id == world.hh_a
        assert '"valid_number": true' in events[-2].detail and '"valid_number": false' in events[-1].detail


@pytest.mark.parametrize("tail", ["002X", "002x", "1002X", "31002X", "００２Ｘ"])
def test_id_tail_of_four_to_six_characters(world, tail):
    r = _find(world, tail)
    assert r.query_kind is QueryKind.ID_TAIL
    assert _uuids(r) == [world.hh_a] and _matched(r) == {"张三明"}
    _assert_no_full_id(r)


def test_id_tail_matches_across_households(world):
    tails = {n[-4:] for n in ALL_IDS}
    assert len(tails) == len(ALL_IDS), "the test data needs distinct tails"
    r = _find(world, ID_ZHANGSAN[-4:])
    assert _uuids(r) == [world.hh_b]


# ------------------------------------------------------------------ names and initials

def test_names_rank_exact_then_prefix_then_contains(world):
    r = _find(world, "张三")
    assert r.query_kind is QueryKind.NAME
    assert _uuids(r) == [world.hh_b, world.hh_a, world.hh_c]
    assert _matched(r) == {"张三", "张三明", "李张三"}
    assert r.households[1].members[0].matched and not r.households[1].members[1].matched


def test_given_name_alone_is_found_by_contains(world):
    r = _find(world, "三明")
    assert _uuids(r) == [world.hh_a] and _matched(r) == {"张三明"}
    assert _find(world, "王 五").households == ()
    assert _find(world, "王五").notice == "没有找到该姓名的人员。"


def test_pinyin_initials(world):
    r = _find(world, "zsm")
    assert r.query_kind is QueryKind.INITIALS and _uuids(r) == [world.hh_a] and _matched(r) == {"张三明"}
    assert _uuids(_find(world, "ＺＳＭ")) == [world.hh_a]
    assert _uuids(_find(world, "lzs")) == [world.hh_c]


def test_two_matching_members_of_one_household_give_one_household_hit(world):
    r = _find(world, "zs")    # 张思 and 张三 exactly, 张三明 by prefix
    assert sorted(_uuids(r)) == sorted([world.hh_a, world.hh_b])
    a = next(h for h in r.households if h.household_uuid == world.hh_a)
    assert {m.name for m in a.members if m.matched} == {"张思", "张三明"}
    assert len(a.members) == 4


def test_limit_truncates_and_says_so(world):
    r = _find(world, "张三", limit=1)
    assert _uuids(r) == [world.hh_b] and r.truncated
    assert "只显示前1户" in r.notice
    assert not _find(world, "张三", limit=3).truncated


# ------------------------------------------------------------------ case numbers

def test_case_number_in_display_and_canonical_form(world):
    display = parse_case_number(world.case_b).display
    for text in (display, world.case_b, display.replace("-", " "), "".join(chr(ord(c) + 0xFEE0) for c in
                                                                          world.case_b)):
        r = _find(world, text)
        assert r.query_kind is QueryKind.CASE_NUMBER, text
        assert _uuids(r) == [world.hh_b]
        assert r.case is not None and r.case.case_number_display == display
        assert r.case.status_label == "待补正"
        assert r.case.categories_labels == ("最低生活保障", "医疗救助")
    hh = r.households[0]
    assert hh.open_cases == (r.case,) and _matched(r) == {"张三"} and hh.village_name == "西沟村"


def test_closed_case_is_found_but_not_listed_as_open(world):
    r = _find(world, parse_case_number(world.case_c).display)
    assert r.case is not None and r.case.status_label == "不予受理"
    assert _uuids(r) == [world.hh_c] and r.households[0].open_cases == ()


def test_mistyped_case_number_says_why(world):
    bad = world.case_a[:22] + ("0" if world.case_a[22] != "0" else "1")
    r = _find(world, bad)
    assert r.query_kind is QueryKind.CASE_NUMBER and r.households == () and r.case is None
    assert "校验位不正确" in r.notice


# ------------------------------------------------------------------ hints, masking, permissions

@pytest.mark.parametrize("text", ["", "   ", "张", "7", "ｚ"])
def test_empty_or_one_character_gives_the_hint(world, text):
    r = _find(world, text)
    assert r.query_kind is QueryKind.EMPTY and r.households == () and r.notice == HINT


@pytest.mark.parametrize("text,needle", [("12", "太短"), ("6201021965", "18位"), ("zs3", "无法识别"),
                                         ("张3", "无法识别")])
def test_unrecognised_input_explains(world, text, needle):
    r = _find(world, text)
    assert r.query_kind is QueryKind.UNKNOWN and r.households == () and needle in r.notice


def test_results_never_hold_a_full_id_number(world):
    for text in (ID_ZSM, ID_ZHANGSAN, "张三", "zs", "002X", world.case_a, "李四", "ls"):
        r = _find(world, text)
        assert r.households, text
        _assert_no_full_id(r)
        for h in r.households:
            for m in h.members:
                assert set(m.masked_id[:-4]) == {"*"}


def test_classify_does_not_show_the_number_in_its_repr():
    assert ID_ZSM not in repr(classify(ID_ZSM, date(2026, 6, 1)))


@pytest.mark.parametrize("name,allowed", [("assistant", True), ("clerk", True), ("auditor", False)])
def test_permissions(world, data_dir, name, allowed):
    s = _login(data_dir, name)
    try:
        if allowed:
            assert _uuids(search(s, "张三明")) == [world.hh_a]
        else:
            with pytest.raises(PermissionDenied) as err:
                search(s, "张三明")
            assert "无权" in err.value.message
            with pytest.raises(PermissionDenied):
                search(s, ID_ZSM)
    finally:
        s.close()


def test_admin_may_look_but_the_auditor_may_not(admin_session, world):
    assert _uuids(search(admin_session, "zsm")) == [world.hh_a]
