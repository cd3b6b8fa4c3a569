"""What the clerk types that is checked while typing: ID numbers (birth date, sex, age or the reason
they are wrong) and amounts in 元. No Qt, no database; ID numbers never go to a log."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from desktop.domain.household import Sex
from desktop.services.errors import InvalidInput
from forms.idnumber import IdNumberError, age_on, mask_id, normalize_id, parse_id

MAX_MONTHLY_INCOME_CENTS = 100_000_000 * 100    # 1亿元 a month: certainly a typing error


class IdState(StrEnum):
    EMPTY = "empty"          # nothing typed
    PARTIAL = "partial"      # still typing: fewer than 15 characters, all plausible
    INVALID = "invalid"      # cannot be right; `message` says why
    VALID = "valid"


@dataclass(frozen=True)
class IdPreview:
    state: IdState
    message: str = ""                 # Chinese: the problem, or how far the typing is
    birth_date: date | None = None
    sex_label: str = ""               # 男 / 女
    age: int | None = None
    canonical: str = field(default="", repr=False)   # 18 characters (15-digit numbers converted); never logged
    converted_from_15: bool = False

    @property
    def valid(self) -> bool:
        return self.state is IdState.VALID


_ID_CHARS = re.compile(r"^[0-9]*X?$")


def id_preview(text: str, today: date) -> IdPreview:
    """What an ID number being typed says: birth date, sex and age, or the reason it is wrong.

    Fewer than 18 characters is "still typing" unless it is a complete old 15-digit number.
    """
    number = normalize_id(text or "")
    if not number:
        return IdPreview(IdState.EMPTY)
    if not _ID_CHARS.match(number):
        return IdPreview(IdState.INVALID, "身份证号码只能由数字组成，最后一位可以是X")
    if len(number) > 18:
        return IdPreview(IdState.INVALID, f"身份证号码应为18位，现输入了{len(number)}位")
    if number.endswith("X") and len(number) != 18:
        return IdPreview(IdState.INVALID, "X只能是身份证号码的第18位（校验位）")
    if len(number) < 18:
        if len(number) == 15:
            try:
                info = parse_id(number, today=today)
            except IdNumberError:
                pass
            else:
                return IdPreview(IdState.VALID, "15位旧号码，已按规则换算为18位", info.birth_date,
                                 Sex(info.sex).label, age_on(info, today), info.number, True)
        return IdPreview(IdState.PARTIAL, f"已输入{len(number)}位，身份证号码共18位")
    try:
        info = parse_id(number, today=today)
    except IdNumberError as exc:
        return IdPreview(IdState.INVALID, exc.message)
    return IdPreview(IdState.VALID, "", info.birth_date, Sex(info.sex).label, age_on(info, today), info.number)


def masked_id(text: str) -> str:
    """An ID number as the confirmation screen shows it: first 6 and last 4 characters at most."""
    return mask_id(text) if text else ""


_AMOUNT = re.compile(r"^(?P<int>\d+)(?:\.(?P<dec>\d*))?$")


def parse_income(text: str) -> int:
    """Monthly income typed in 元 ("1250", "1,250.5", "１２５０元") → cents; "" is 0.

    Raises InvalidInput (field ``monthly_income_cents``) with the Chinese reason.
    """
    raw = unicodedata.normalize("NFKC", text or "").strip()
    raw = raw.replace(",", "").replace("，", "").replace(" ", "").removesuffix("元")
    if not raw:
        return 0
    if raw.startswith("-"):
        raise InvalidInput("月收入不能为负数", "monthly_income_cents")
    m = _AMOUNT.match(raw.removeprefix("+"))
    if m is None:
        raise InvalidInput("月收入请填写数字（单位：元），如 1250 或 1250.50", "monthly_income_cents")
    if len(m.group("dec") or "") > 2:
        raise InvalidInput("月收入最多保留两位小数（到分）", "monthly_income_cents")
    cents = int(Decimal(m.group(0)) * 100)     # the pattern admits digits and at most two decimals only
    if cents > MAX_MONTHLY_INCOME_CENTS:
        raise InvalidInput("月收入数额过大，请核对", "monthly_income_cents")
    return cents


def format_cents(cents: int) -> str:
    """Cents → "1250.50" (what the income field shows)."""
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100}.{cents % 100:02d}"
