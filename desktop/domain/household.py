"""Intake data: people, households and applications, and their validation.

Everything is a frozen dataclass; validation returns a list of Violation
(field path + Chinese message) instead of raising, so a form can show all
problems at once. Identity numbers are normalised on construction.

``Household.members`` lists the co-resident family (共同生活的家庭成员) and may
also list legally obliged supporters who live elsewhere (法定赡养/抚养/扶养
义务人, ``is_obliged_supporter=True``): they sign the economic-check
authorisation but are not part of the household size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from desktop.domain.categories import Category
from desktop.domain.divisions import validate_division_code
from desktop.domain.phone import phone_problem
from desktop.domain.text_rules import LIMITS, TextKind, shown
from desktop.domain.text_rules import problem as text_problem
from forms.idnumber import IdInfo, IdNumberError, normalize_id, parse_id
from forms.idnumber import age_on as _age_on

__all__ = [
    "ADULT_AGE",
    "ETHNICITIES",
    "Application",
    "Channel",
    "DisabilityCategory",
    "DisabilityGrade",
    "Employment",
    "Health",
    "Household",
    "HukouType",
    "LabourCapacity",
    "Person",
    "Relation",
    "Sex",
    "Violation",
    "canonical_id_number",
    "validate_application",
    "validate_household",
    "validate_person",
]

ADULT_AGE = 18
MAX_NAME_LENGTH = LIMITS[TextKind.PERSON_NAME]
# The 56 nationalities in the order of GB/T 3304, then the two catch-alls of the census form.
ETHNICITIES: tuple[str, ...] = tuple(
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 其他未识别民族 外国血统中国籍人士".split())


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS[type(self)][self]


class HukouType(_Labelled):
    RURAL = "rural"
    URBAN = "urban"
    RESIDENT = "resident"


class Relation(_Labelled):
    SELF = "self"
    SPOUSE = "spouse"
    SON = "son"
    DAUGHTER = "daughter"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    DAUGHTER_IN_LAW = "daughter_in_law"
    SON_IN_LAW = "son_in_law"
    OTHER = "other"


class Health(_Labelled):
    HEALTHY = "healthy"
    CHRONIC = "chronic"
    SERIOUS = "serious"
    DISABLED = "disabled"


class DisabilityCategory(_Labelled):
    NONE = "none"
    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    PHYSICAL = "physical"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"


class DisabilityGrade(_Labelled):
    NONE = "none"
    GRADE_1 = "1"
    GRADE_2 = "2"
    GRADE_3 = "3"
    GRADE_4 = "4"


class LabourCapacity(_Labelled):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    NOT_APPLICABLE = "not_applicable"


class Employment(_Labelled):
    EMPLOYED = "employed"
    FARMING = "farming"
    FLEXIBLE = "flexible"
    UNEMPLOYED = "unemployed"
    STUDENT = "student"
    RETIRED = "retired"
    NONE = "none"


class Channel(_Labelled):
    WALK_IN = "walk_in"
    ON_BEHALF = "on_behalf"
    ACTIVE_DISCOVERY = "active_discovery"


class Sex(_Labelled):
    MALE = "M"
    FEMALE = "F"


_LABELS: dict[type, dict] = {
    HukouType: {HukouType.RURAL: "农业", HukouType.URBAN: "非农业", HukouType.RESIDENT: "居民"},
    Relation: {
        Relation.SELF: "户主",
        Relation.SPOUSE: "配偶",
        Relation.SON: "子",
        Relation.DAUGHTER: "女",
        Relation.PARENT: "父母",
        Relation.GRANDPARENT: "祖父母/外祖父母",
        Relation.GRANDCHILD: "孙子女/外孙子女",
        Relation.SIBLING: "兄弟姐妹",
        Relation.DAUGHTER_IN_LAW: "儿媳",
        Relation.SON_IN_LAW: "女婿",
        Relation.OTHER: "其他",
    },
    Health: {
        Health.HEALTHY: "健康",
        Health.CHRONIC: "慢性病",
        Health.SERIOUS: "重病（大病）",
        Health.DISABLED: "残疾",
    },
    DisabilityCategory: {
        DisabilityCategory.NONE: "无",
        DisabilityCategory.VISUAL: "视力残疾",
        DisabilityCategory.HEARING: "听力残疾",
        DisabilityCategory.SPEECH: "言语残疾",
        DisabilityCategory.PHYSICAL: "肢体残疾",
        DisabilityCategory.INTELLECTUAL: "智力残疾",
        DisabilityCategory.MENTAL: "精神残疾",
        DisabilityCategory.MULTIPLE: "多重残疾",
    },
    DisabilityGrade: {
        DisabilityGrade.NONE: "无",
        DisabilityGrade.GRADE_1: "一级",
        DisabilityGrade.GRADE_2: "二级",
        DisabilityGrade.GRADE_3: "三级",
        DisabilityGrade.GRADE_4: "四级",
    },
    LabourCapacity: {
        LabourCapacity.FULL: "有劳动能力",
        LabourCapacity.PARTIAL: "部分丧失劳动能力",
        LabourCapacity.NONE: "完全丧失劳动能力",
        LabourCapacity.NOT_APPLICABLE: "无（未成年/老年）",
    },
    Employment: {
        Employment.EMPLOYED: "在业",
        Employment.FARMING: "务农",
        Employment.FLEXIBLE: "灵活就业",
        Employment.UNEMPLOYED: "失业",
        Employment.STUDENT: "在校学生",
        Employment.RETIRED: "离退休",
        Employment.NONE: "无",
    },
    Channel: {
        Channel.WALK_IN: "本人申请",
        Channel.ON_BEHALF: "村（居）委会代为申请（委托）",
        Channel.ACTIVE_DISCOVERY: "主动发现",
    },
    Sex: {Sex.MALE: "男", Sex.FEMALE: "女"},
}

# Relations that fix the member's sex (checked against the ID number).
_RELATION_SEX: dict[Relation, Sex] = {
    Relation.SON: Sex.MALE,
    Relation.DAUGHTER: Sex.FEMALE,
    Relation.DAUGHTER_IN_LAW: Sex.FEMALE,
    Relation.SON_IN_LAW: Sex.MALE,
}


def canonical_id_number(raw: str) -> str:
    """The 18-character form of an ID number (15-digit numbers converted); normalised text if invalid."""
    try:
        return parse_id(raw, today=date.max).number
    except IdNumberError:
        return normalize_id(raw)


@dataclass(frozen=True)
class Violation:
    field: str
    message: str


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    relation: Relation
    ethnicity: str = "汉族"
    health: Health = Health.HEALTHY
    disability_category: DisabilityCategory = DisabilityCategory.NONE
    disability_grade: DisabilityGrade = DisabilityGrade.NONE
    labour_capacity: LabourCapacity = LabourCapacity.FULL
    employment: Employment = Employment.NONE
    monthly_income_cents: int = 0
    is_obliged_supporter: bool = False   # 法定义务人, not living in the household
    staff_relative: bool = False         # 工作人员/村干部近亲属 → 单独登记备案

    def __post_init__(self) -> None:
        object.__setattr__(self, "id_number", normalize_id(self.id_number))

    @property
    def id_info(self) -> IdInfo:
        """Decoded ID number; raises IdNumberError if it is invalid."""
        return parse_id(self.id_number, today=date.max)

    @property
    def canonical_id(self) -> str:
        """The 18-character form (old 15-digit numbers converted); the normalised text if invalid."""
        return canonical_id_number(self.id_number)

    @property
    def birth_date(self) -> date:
        return self.id_info.birth_date

    @property
    def sex(self) -> Sex:
        return Sex(self.id_info.sex)

    def age_on(self, on: date) -> int:
        return _age_on(self.id_info, on)


@dataclass(frozen=True)
class Household:
    division_code: str             # 12-digit statistical code of the village/community
    hukou_type: HukouType
    address: str
    members: tuple[Person, ...] = ()

    @property
    def residents(self) -> tuple[Person, ...]:
        """Co-resident family members (not obliged supporters living elsewhere)."""
        return tuple(p for p in self.members if not p.is_obliged_supporter)

    @property
    def obliged_supporters(self) -> tuple[Person, ...]:
        return tuple(p for p in self.members if p.is_obliged_supporter)

    @property
    def head(self) -> Person | None:
        """The single member whose relation is SELF; None if there is not exactly one."""
        heads = [p for p in self.residents if p.relation is Relation.SELF]
        return heads[0] if len(heads) == 1 else None

    @property
    def size(self) -> int:
        return len(self.residents)

    def adults_on(self, on: date) -> tuple[Person, ...]:
        """Residents aged 18 or over on ``on`` (members with invalid ID numbers are skipped)."""
        adults = []
        for p in self.residents:
            try:
                if p.age_on(on) >= ADULT_AGE:
                    adults.append(p)
            except (IdNumberError, ValueError):
                continue
        return tuple(adults)

    def member_by_id(self, id_number: str) -> Person | None:
        key = canonical_id_number(id_number)
        return next((p for p in self.members if p.canonical_id == key), None)

    @property
    def has_staff_relative(self) -> bool:
        return any(p.staff_relative for p in self.members)


@dataclass(frozen=True)
class Application:
    categories: tuple[Category, ...]
    reason: str
    channel: Channel
    household: Household
    applicant_id_number: str
    documents_received: tuple[str, ...] = ()
    documents_missing: tuple[str, ...] = ()
    emergency: bool = False
    contact_phone: str = ""     # stored form (desktop.domain.phone): a number, "无", or "" = not recorded

    def __post_init__(self) -> None:
        object.__setattr__(self, "applicant_id_number", normalize_id(self.applicant_id_number))

    @property
    def applicant(self) -> Person | None:
        return self.household.member_by_id(self.applicant_id_number)

    @property
    def documents_complete(self) -> bool:
        return not self.documents_missing

    @property
    def requires_separate_filing(self) -> bool:
        """A staff/committee relative is involved: 单独登记备案."""
        return self.household.has_staff_relative


# ------------------------------------------------------------------ validation

def _who(p: Person) -> str:
    name = shown(p.name)
    return f"成员“{name}”" if name else "成员"


def validate_person(p: Person, on: date, *, prefix: str = "") -> list[Violation]:
    """Problems with one person as of ``on`` (the intake date)."""
    out: list[Violation] = []
    who = _who(p)

    def v(name: str, message: str) -> None:
        out.append(Violation(prefix + name, message))

    name = p.name.strip()
    if not name:
        v("name", "姓名不能为空")
    elif (bad := text_problem(p.name, TextKind.PERSON_NAME, f"{who}：姓名")) is not None:
        v("name", bad.removesuffix("。"))

    info: IdInfo | None = None
    try:
        info = parse_id(p.id_number, today=on)
    except IdNumberError as e:
        v("id_number", f"{who}：{e.message}")

    if not p.ethnicity.strip():
        v("ethnicity", f"{who}：请填写民族")
    elif p.ethnicity.strip() not in ETHNICITIES:
        v("ethnicity", f"{who}：民族应从56个民族的名称中选择（如“汉族”“回族”）")

    if isinstance(p.monthly_income_cents, bool) or not isinstance(p.monthly_income_cents, int):
        v("monthly_income_cents", f"{who}：月收入必须是整数（单位：分）")
    elif p.monthly_income_cents < 0:
        v("monthly_income_cents", f"{who}：月收入不能为负数")

    has_cat = p.disability_category is not DisabilityCategory.NONE
    has_grade = p.disability_grade is not DisabilityGrade.NONE
    if has_grade and not has_cat:
        v("disability_category", f"{who}：已填残疾等级，请同时填写残疾类别")
    if has_cat and not has_grade:
        v("disability_grade", f"{who}：已填残疾类别，请同时填写残疾等级")
    if p.health is Health.DISABLED and not has_cat:
        v("disability_category", f"{who}：健康状况为残疾，请填写残疾类别和等级")

    if info is not None:
        expected = _RELATION_SEX.get(p.relation)
        if expected is not None and Sex(info.sex) is not expected:
            v(
                "relation",
                f"{who}：与户主关系为“{p.relation.label}”，但身份证号码显示性别为{Sex(info.sex).label}",
            )
    if p.is_obliged_supporter and p.relation is Relation.SELF:
        v("is_obliged_supporter", f"{who}：户主不能登记为户外法定义务人")
    return out


def validate_household(h: Household, on: date) -> list[Violation]:
    out: list[Violation] = []
    out.extend(Violation("division_code", m) for m in validate_division_code(h.division_code))
    if not h.address.strip():
        out.append(Violation("address", "请填写家庭住址"))
    elif (bad := text_problem(h.address, TextKind.ADDRESS, "家庭住址")) is not None:
        out.append(Violation("address", bad.removesuffix("。")))
    if not h.members:
        out.append(Violation("members", "家庭成员不能为空"))
        return out

    for i, p in enumerate(h.members):
        out.extend(validate_person(p, on, prefix=f"members[{i}]."))

    heads = [p for p in h.members if p.relation is Relation.SELF]
    if not heads:
        out.append(Violation("members", "请登记户主（与户主关系为“户主”的成员）"))
    elif len(heads) > 1:
        out.append(Violation("members", f"户主只能有一人，现登记了{len(heads)}人"))
    spouses = [p for p in h.residents if p.relation is Relation.SPOUSE]
    if len(spouses) > 1:
        out.append(Violation("members", "与户主关系为“配偶”的成员只能有一人"))

    keys = [p.canonical_id for p in h.members]
    counts = Counter(k for k in keys if k)
    reported: set[str] = set()
    for i, key in enumerate(keys):
        if key and counts[key] > 1 and key not in reported:
            reported.add(key)
            names = "、".join(shown(q.name) or "（未填姓名）" for q, k in zip(h.members, keys, strict=True) if k == key)
            out.append(
                Violation(f"members[{i}].id_number", f"身份证号码重复：{names} 的号码相同")
            )
    return out


def validate_application(app: Application, on: date) -> list[Violation]:
    """Everything wrong with an application (household included) as of ``on``."""
    out: list[Violation] = []
    if not app.categories:
        out.append(Violation("categories", "请至少选择一个救助类别"))
    else:
        dupes = [c for c, n in Counter(app.categories).items() if n > 1]
        for c in dupes:
            out.append(Violation("categories", f"救助类别“{Category(c).label}”重复选择"))
    if not app.reason.strip():
        out.append(Violation("reason", "请填写申请理由"))
    elif (bad := text_problem(app.reason, TextKind.FREE_TEXT, "申请理由")) is not None:
        out.append(Violation("reason", bad.removesuffix("。")))

    applicant = app.applicant
    if not app.applicant_id_number:
        out.append(Violation("applicant_id_number", "请填写申请人身份证号码"))
    elif applicant is None:
        out.append(Violation("applicant_id_number", "申请人必须是本户家庭成员"))
    elif applicant.is_obliged_supporter:
        out.append(Violation("applicant_id_number", "申请人必须是共同生活的家庭成员，不能是户外法定义务人"))

    if (bad := phone_problem(app.contact_phone)) is not None:
        out.append(Violation("contact_phone", bad.removesuffix("。")))

    if app.emergency and Category.TEMP_EMERGENCY not in app.categories:
        out.append(
            Violation("emergency", f"紧急程序（先行救助）只适用于“{Category.TEMP_EMERGENCY.label}”")
        )

    both = sorted(set(app.documents_received) & set(app.documents_missing))
    if both:
        out.append(Violation("documents_missing", f"材料不能同时登记为已收和缺少：{'、'.join(both)}"))
    if any(not d.strip() for d in (*app.documents_received, *app.documents_missing)):
        out.append(Violation("documents_received", "材料名称不能为空"))

    out.extend(validate_household(app.household, on))
    return out

