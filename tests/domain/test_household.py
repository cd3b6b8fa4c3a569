from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from desktop.domain.categories import Category
from desktop.domain.household import (
    Application,
    Channel,
    DisabilityCategory,
    DisabilityGrade,
    Employment,
    Health,
    Household,
    HukouType,
    LabourCapacity,
    Person,
    Relation,
    Sex,
    Violation,
    validate_application,
    validate_household,
    validate_person,
)
from forms.idnumber import check_char

ON = date(2026, 3, 15)


def make_id(birth: str, seq: str, address: str = "620102") -> str:
    first17 = address + birth + seq
    return first17 + check_char(first17)


HEAD_ID = make_id("19700101", "011")      # male, 56
WIFE_ID = make_id("19720505", "022")      # female
SON_ID = make_id("20100808", "031")       # male, 15
DAUGHTER_ID = make_id("20080229", "042")  # female, 18 on 2026-03-01
GRANNY_ID = make_id("19450303", "002")    # female
UNCLE_ID = make_id("19750101", "051")     # male, obliged supporter elsewhere


def head(**kw: object) -> Person:
    return Person(name="张建国", id_number=HEAD_ID, relation=Relation.SELF, **kw)  # type: ignore[arg-type]


def family(*extra: Person, **kw: object) -> Household:
    members = (
        head(employment=Employment.FARMING, monthly_income_cents=80_000),
        Person("李秀英", WIFE_ID, Relation.SPOUSE, health=Health.CHRONIC),
        Person("张小明", SON_ID, Relation.SON, labour_capacity=LabourCapacity.NOT_APPLICABLE,
               employment=Employment.STUDENT),
        Person("张小红", DAUGHTER_ID, Relation.DAUGHTER, employment=Employment.STUDENT),
        Person("王桂兰", GRANNY_ID, Relation.PARENT, health=Health.DISABLED,
               disability_category=DisabilityCategory.PHYSICAL, disability_grade=DisabilityGrade.GRADE_2,
               labour_capacity=LabourCapacity.NONE),
        Person("张建军", UNCLE_ID, Relation.SIBLING, is_obliged_supporter=True),
        *extra,
    )
    base = dict(division_code="620102101201", hukou_type=HukouType.RURAL, address="城关镇东街村三社12号",
                members=members)
    base.update(kw)
    return Household(**base)  # type: ignore[arg-type]


def application(**kw: object) -> Application:
    base = dict(
        categories=(Category.DIBAO,),
        reason="户主务农收入低，母亲肢体残疾需长期照料",
        channel=Channel.WALK_IN,
        household=family(),
        applicant_id_number=HEAD_ID,
        documents_received=("申请书", "户口簿"),
        documents_missing=(),
        emergency=False,
    )
    base.update(kw)
    return Application(**base)  # type: ignore[arg-type]


def fields(vs: list[Violation]) -> list[str]:
    return [v.field for v in vs]


# ---------------------------------------------------------------- enums/labels

@pytest.mark.parametrize(
    ("member", "label"),
    [
        (HukouType.RURAL, "农业"), (HukouType.URBAN, "非农业"), (HukouType.RESIDENT, "居民"),
        (Relation.SELF, "户主"), (Relation.DAUGHTER_IN_LAW, "儿媳"), (Relation.GRANDCHILD, "孙子女/外孙子女"),
        (Health.SERIOUS, "重病（大病）"), (DisabilityCategory.MENTAL, "精神残疾"),
        (DisabilityGrade.GRADE_1, "一级"), (DisabilityGrade.GRADE_4, "四级"),
        (LabourCapacity.NOT_APPLICABLE, "无（未成年/老年）"), (Employment.FLEXIBLE, "灵活就业"),
        (Channel.ON_BEHALF, "村（居）委会代为申请（委托）"), (Channel.ACTIVE_DISCOVERY, "主动发现"),
        (Sex.FEMALE, "女"),
    ],
)
def test_labels(member: object, label: str) -> None:
    assert member.label == label  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "enum",
    [HukouType, Relation, Health, DisabilityCategory, DisabilityGrade, LabourCapacity, Employment, Channel, Sex],
)
def test_every_member_has_a_distinct_chinese_label(enum: type) -> None:
    labels = [m.label for m in enum]
    assert len(set(labels)) == len(labels)
    assert all(any("\u4e00" <= c <= "\u9fff" for c in lab) for lab in labels)


# -------------------------------------------------------------------- records

def test_person_derives_from_id_number() -> None:
    p = Person("李秀英", "６２０１０２１９７２０５０５０２２" + WIFE_ID[-1].lower(), Relation.SPOUSE)
    assert p.id_number == WIFE_ID
    assert p.birth_date == date(1972, 5, 5)
    assert p.sex is Sex.FEMALE
    assert p.age_on(ON) == 53
    assert p.ethnicity == "汉族"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]


def test_household_helpers() -> None:
    h = family()
    assert h.head is not None and h.head.name == "张建国"
    assert h.size == 5  # the obliged supporter does not count
    assert [p.name for p in h.obliged_supporters] == ["张建军"]
    adults = [p.name for p in h.adults_on(ON)]
    assert adults == ["张建国", "李秀英", "张小红", "王桂兰"]
    assert "张小红" not in [p.name for p in h.adults_on(date(2026, 2, 28))]
    assert h.member_by_id(WIFE_ID.lower()).name == "李秀英"  # type: ignore[union-attr]
    assert h.member_by_id(make_id("19990101", "001")) is None


def test_head_is_none_unless_exactly_one() -> None:
    h = family(Person("张二", make_id("19800101", "071"), Relation.SELF))
    assert h.head is None


def test_application_helpers() -> None:
    app = application(documents_missing=("残疾证",))
    assert app.applicant is not None and app.applicant.name == "张建国"
    assert not app.documents_complete
    assert not app.requires_separate_filing
    staff = application(household=family(Person("张三", make_id("19900101", "091"), Relation.OTHER,
                                                staff_relative=True)))
    assert staff.requires_separate_filing


# ------------------------------------------------------------ validate_person

def test_valid_family_has_no_violations() -> None:
    assert validate_application(application(), ON) == []
    for p in family().members:
        assert validate_person(p, ON) == []


@pytest.mark.parametrize(
    ("person", "field", "fragment"),
    [
        (Person("", HEAD_ID, Relation.SELF), "name", "姓名不能为空"),
        (Person("   ", HEAD_ID, Relation.SELF), "name", "姓名不能为空"),
        (Person("张3", HEAD_ID, Relation.SELF), "name", "数字"),
        (Person("张３", HEAD_ID, Relation.SELF), "name", "数字"),
        (Person("张" * 31, HEAD_ID, Relation.SELF), "name", "过长"),
        (Person("张建国", HEAD_ID[:-1] + "0", Relation.SELF), "id_number", "校验位"),
        (Person("张建国", "62010219700230011X", Relation.SELF), "id_number", "出生日期"),
        (Person("张建国", "123", Relation.SELF), "id_number", "18位"),
        (Person("张建国", make_id("20260401", "011"), Relation.SELF), "id_number", "晚于今天"),
        (Person("张建国", HEAD_ID, Relation.SELF, ethnicity=" "), "ethnicity", "民族"),
        (Person("张建国", HEAD_ID, Relation.SELF, monthly_income_cents=-1), "monthly_income_cents", "负数"),
        (Person("张建国", HEAD_ID, Relation.SELF, monthly_income_cents=1.5),  # type: ignore[arg-type]
         "monthly_income_cents", "整数"),
        (Person("张建国", HEAD_ID, Relation.SELF, disability_grade=DisabilityGrade.GRADE_3),
         "disability_category", "残疾类别"),
        (Person("张建国", HEAD_ID, Relation.SELF, disability_category=DisabilityCategory.VISUAL),
         "disability_grade", "残疾等级"),
        (Person("张建国", HEAD_ID, Relation.SELF, health=Health.DISABLED), "disability_category", "残疾类别"),
        (Person("张小红", DAUGHTER_ID, Relation.SON), "relation", "性别为女"),
        (Person("张小明", SON_ID, Relation.DAUGHTER), "relation", "性别为男"),
        (Person("李某", HEAD_ID, Relation.DAUGHTER_IN_LAW), "relation", "儿媳"),
        (Person("王某", WIFE_ID, Relation.SON_IN_LAW), "relation", "女婿"),
        (Person("张建国", HEAD_ID, Relation.SELF, is_obliged_supporter=True), "is_obliged_supporter", "户主"),
    ],
)
def test_person_violations(person: Person, field: str, fragment: str) -> None:
    vs = validate_person(person, ON)
    assert field in fields(vs)
    msg = next(v.message for v in vs if v.field == field)
    assert fragment in msg


def test_person_violation_names_the_member_and_uses_prefix() -> None:
    vs = validate_person(Person("张建国", HEAD_ID[:-1] + "0", Relation.SELF), ON, prefix="members[0].")
    assert vs == [Violation("members[0].id_number", "成员“张建国”：身份证号码校验位不正确，请核对是否有数字录错")]


def test_ids_are_checked_against_the_intake_date() -> None:
    baby = Person("张宝宝", make_id("20260401", "011"), Relation.GRANDCHILD)
    assert validate_person(baby, date(2026, 4, 1)) == []
    assert fields(validate_person(baby, date(2026, 3, 31))) == ["id_number"]


def test_fifteen_digit_numbers_are_normalised_but_stay_as_entered() -> None:
    p = Person("张建国", "620102700101011", Relation.SELF)
    assert validate_person(p, ON) == []
    assert p.birth_date == date(1970, 1, 1)
    assert p.id_info.number == HEAD_ID
    assert p.canonical_id == HEAD_ID
    assert p.id_number == "620102700101011"


def test_old_and_new_form_of_the_same_number_are_duplicates() -> None:
    old = Person("张建国", "620102700101011", Relation.OTHER)
    vs = validate_household(family(old), ON)
    assert [v.field for v in vs if "重复" in v.message] == ["members[0].id_number"]
    assert family().member_by_id("620102700101011").name == "张建国"  # type: ignore[union-attr]


# --------------------------------------------------------- validate_household

def test_household_without_head() -> None:
    h = family()
    h = dataclasses.replace(h, members=tuple(p for p in h.members if p.relation is not Relation.SELF))
    vs = validate_household(h, ON)
    assert any(v.field == "members" and "户主" in v.message for v in vs)


def test_household_with_two_heads() -> None:
    vs = validate_household(family(Person("张二", make_id("19800101", "071"), Relation.SELF)), ON)
    assert any(v.field == "members" and "只能有一人" in v.message for v in vs)


def test_household_with_two_spouses() -> None:
    vs = validate_household(family(Person("赵某", make_id("19800101", "082"), Relation.SPOUSE)), ON)
    assert any("配偶" in v.message for v in vs)


def test_duplicate_id_numbers_reported_once_with_names() -> None:
    twin = Person("张小明二", SON_ID.lower(), Relation.SON)
    vs = validate_household(family(twin), ON)
    dup = [v for v in vs if "重复" in v.message]
    assert len(dup) == 1
    assert dup[0].field == "members[2].id_number"
    assert "张小明" in dup[0].message and "张小明二" in dup[0].message


def test_empty_household_and_bad_division_and_address() -> None:
    vs = validate_household(Household("62010210120", HukouType.URBAN, " ", ()), ON)
    assert set(fields(vs)) == {"division_code", "address", "members"}


def test_member_violations_carry_their_index() -> None:
    h = family(Person("李4", make_id("19900101", "101"), Relation.OTHER, monthly_income_cents=-5))
    vs = validate_household(h, ON)
    assert set(fields(vs)) == {"members[6].name", "members[6].monthly_income_cents"}


# ------------------------------------------------------- validate_application

@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"categories": ()}, "categories", "至少"),
        ({"categories": (Category.DIBAO, Category.DIBAO)}, "categories", "重复"),
        ({"reason": "  "}, "reason", "申请理由"),
        ({"applicant_id_number": ""}, "applicant_id_number", "请填写"),
        ({"applicant_id_number": make_id("19990101", "001")}, "applicant_id_number", "家庭成员"),
        ({"applicant_id_number": UNCLE_ID}, "applicant_id_number", "义务人"),
        ({"emergency": True}, "emergency", "临时救助（急难型）"),
        ({"documents_received": ("户口簿",), "documents_missing": ("户口簿",)}, "documents_missing", "户口簿"),
        ({"documents_received": ("",)}, "documents_received", "不能为空"),
    ],
)
def test_application_violations(changes: dict, field: str, fragment: str) -> None:
    vs = validate_application(application(**changes), ON)
    assert fields(vs) == [field]
    assert fragment in vs[0].message


def test_emergency_with_temp_emergency_is_fine() -> None:
    app = application(categories=(Category.TEMP_EMERGENCY, Category.MEDICAL), emergency=True)
    assert validate_application(app, ON) == []


def test_applicant_can_be_any_resident_member_and_case_of_x_is_ignored() -> None:
    assert validate_application(application(applicant_id_number=WIFE_ID.lower()), ON) == []


def test_application_includes_household_violations() -> None:
    app = application(household=family(division_code="abc"))
    assert fields(validate_application(app, ON)) == ["division_code"]


def test_all_messages_are_chinese() -> None:
    bad = Household("x", HukouType.RURAL, "", (
        Person("", "1", Relation.SON, monthly_income_cents=-1, disability_grade=DisabilityGrade.GRADE_1),
        Person("A1", "1", Relation.SELF, is_obliged_supporter=True),
    ))
    app = Application((), "", Channel.WALK_IN, bad, "", emergency=True, documents_missing=("",))
    vs = validate_application(app, ON)
    assert len(vs) >= 10
    for v in vs:
        assert any("\u4e00" <= c <= "\u9fff" for c in v.message), v
