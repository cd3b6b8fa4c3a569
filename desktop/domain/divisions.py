"""12-digit statistical division codes (统计用区划代码).

    6-digit county (GB/T 2260) + 3-digit township + 3-digit village/community

Township part, by its first digit: 0 街道, 1 镇, 2–3 乡, 4–5 other township-
level units (开发区, 农场 …); "000" is the county itself. Village part: 001–199
居民委员会 (community), 200–399 村民委员会 (village), others exist locally;
"000" is the township itself.

Only the shape is checked here. Whether a code exists is a question for the
shipped snapshot — and retired codes remain valid on old records.

A county part ending in "00" is allowed: a few prefecture-level cities have
townships directly under them (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from .errors import YimenError

__all__ = [
    "DivisionCode",
    "DivisionCodeError",
    "TownshipKind",
    "VillageKind",
    "normalize_division_code",
    "parse_division_code",
    "township_kind",
    "validate_division_code",
    "village_kind",
]

_DIGITS = frozenset("0123456789")


class DivisionCodeError(YimenError, ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TownshipKind(StrEnum):
    SUBDISTRICT = "subdistrict"  # 街道
    TOWN = "town"                # 镇
    TOWNSHIP = "township"        # 乡
    OTHER = "other"              # 其他乡级单位（开发区、农场等）

    @property
    def label(self) -> str:
        return TOWNSHIP_KIND_LABELS[self]


TOWNSHIP_KIND_LABELS: dict[TownshipKind, str] = {
    TownshipKind.SUBDISTRICT: "街道",
    TownshipKind.TOWN: "镇",
    TownshipKind.TOWNSHIP: "乡",
    TownshipKind.OTHER: "其他乡级单位",
}


class VillageKind(StrEnum):
    COMMUNITY = "community"  # 居民委员会
    VILLAGE = "village"      # 村民委员会
    OTHER = "other"

    @property
    def label(self) -> str:
        return VILLAGE_KIND_LABELS[self]


VILLAGE_KIND_LABELS: dict[VillageKind, str] = {
    VillageKind.COMMUNITY: "社区居委会",
    VillageKind.VILLAGE: "村委会",
    VillageKind.OTHER: "其他村级单位",
}


@dataclass(frozen=True)
class DivisionCode:
    county: str    # 6 digits
    township: str  # 3 digits
    village: str   # 3 digits

    @property
    def code(self) -> str:
        return self.county + self.township + self.village

    @property
    def township_code(self) -> str:
        """9 digits: county + township (the prefix of case numbers)."""
        return self.county + self.township

    @property
    def township_kind(self) -> TownshipKind:
        return township_kind(self.township)

    @property
    def village_kind(self) -> VillageKind:
        return village_kind(self.village)

    def __str__(self) -> str:
        return self.code


def normalize_division_code(raw: str) -> str:
    """Full-width digits → ASCII; drop whitespace."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(c for c in text if not c.isspace())


def _all_digits(s: str) -> bool:
    return bool(s) and all(c in _DIGITS for c in s)


def township_kind(code: str) -> TownshipKind:
    """Kind of township from its 3-digit part, a 9-digit township code or a 12-digit code."""
    code = normalize_division_code(code)
    if len(code) == 3:
        part = code
    elif len(code) in (9, 12):
        part = code[6:9]
    else:
        raise DivisionCodeError("乡级代码应为3位，或给出9位/12位区划代码")
    if not _all_digits(part):
        raise DivisionCodeError("乡级代码只能由数字组成")
    if part == "000":
        raise DivisionCodeError("乡级代码“000”表示县级本身，不是乡镇（街道）")
    first = part[0]
    if first == "0":
        return TownshipKind.SUBDISTRICT
    if first == "1":
        return TownshipKind.TOWN
    if first in "23":
        return TownshipKind.TOWNSHIP
    if first in "45":
        return TownshipKind.OTHER
    raise DivisionCodeError(f"乡级代码首位应为0—5，实际为{first}")


def village_kind(part: str) -> VillageKind:
    """Kind of village-level unit from its 3-digit part."""
    part = normalize_division_code(part)
    if len(part) != 3 or not _all_digits(part):
        raise DivisionCodeError("村级代码应为3位数字")
    if part == "000":
        raise DivisionCodeError("村级代码“000”表示乡镇本身，不是村（社区）")
    if part[0] in "01":
        return VillageKind.COMMUNITY
    if part[0] in "23":
        return VillageKind.VILLAGE
    return VillageKind.OTHER


def validate_division_code(code: str) -> list[str]:
    """Chinese messages for everything wrong with a 12-digit division code; [] if fine."""
    if not isinstance(code, str):
        return ["区划代码必须是文本"]
    c = normalize_division_code(code)
    if not c:
        return ["请填写12位区划代码"]
    if len(c) != 12:
        return [f"区划代码应为12位数字（6位县级＋3位乡级＋3位村级），实际为{len(c)}位"]
    if not _all_digits(c):
        return ["区划代码只能由数字组成"]
    problems: list[str] = []
    county, township, village = c[0:6], c[6:9], c[9:12]
    if county[0] == "0":
        problems.append("县级代码首位不能为0")
    if county[2:6] == "0000":
        problems.append("县级代码不能是省级代码（后四位为0000）")
    if township == "000":
        problems.append("乡级代码不能为000（那是县级本身）")
    elif township[0] not in "012345":
        problems.append(f"乡级代码首位应为0—5（0街道、1镇、2—3乡、4—5其他），实际为{township[0]}")
    if village == "000":
        problems.append("村级代码不能为000（那是乡镇本身）")
    return problems


def parse_division_code(code: str) -> DivisionCode:
    """Split a valid 12-digit code; raise DivisionCodeError listing every problem."""
    problems = validate_division_code(code)
    if problems:
        raise DivisionCodeError("；".join(problems))
    c = normalize_division_code(code)
    return DivisionCode(county=c[0:6], township=c[6:9], village=c[9:12])
