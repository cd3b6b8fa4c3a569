"""Resident identity numbers (公民身份号码, GB 11643-1999).

An 18-character number is: 6-digit address code (GB/T 2260) + birth date
YYYYMMDD + 3-digit sequence (odd: male, even: female) + check character
(ISO 7064 MOD 11-2, digits 0-9 or X).

Old 15-digit numbers (address code + YYMMDD + sequence, no check character)
are converted to 18 characters by inserting the century "19" and computing
the check character.

Address codes are *not* looked up in a division list: codes get retired but
the people holding them do not. Only the shape is checked (6 digits, first
digit 1-9).

Pure functions only: no I/O, no logging (identity numbers never go to logs).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from forms.errors import FormsError

__all__ = [
    "CHECK_CHARS",
    "WEIGHTS",
    "IdInfo",
    "IdNumberError",
    "age_on",
    "check_char",
    "is_valid_id",
    "mask_id",
    "mask_id_short",
    "mod11_2_check",
    "normalize_id",
    "parse_id",
]

# Weights of the first 17 characters: 2**(18 - i) mod 11 for i = 1..17.
WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Check character indexed by S mod 11.
CHECK_CHARS = "10X98765432"

_DIGITS = frozenset("0123456789")
MIN_BIRTH_YEAR = 1900

# Most characters a receipt or notice may show: first 6 + last 4 (DOMAIN.md, 公示).
MAX_MASK_HEAD = 6
MAX_MASK_TAIL = 4


class IdNumberError(FormsError, ValueError):
    """An identity number that cannot be accepted.

    ``code`` is a stable machine-readable reason; ``message`` is for people.
    The message never repeats the full number.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IdInfo:
    number: str            # normalised 18 characters
    address_code: str      # 6 digits
    birth_date: date
    sex: str               # "M" (odd sequence) or "F" (even sequence)
    converted_from_15: bool = False

    @property
    def sequence(self) -> str:
        return self.number[14:17]


def _is_ascii_digits(s: str) -> bool:
    return bool(s) and all(c in _DIGITS for c in s)


def normalize_id(raw: str) -> str:
    """Full-width → ASCII (NFKC), drop all whitespace, upper-case (x → X)."""
    if not isinstance(raw, str):
        raise IdNumberError("chars", "身份证号码必须是文本")
    text = unicodedata.normalize("NFKC", raw)
    return "".join(c for c in text if not c.isspace()).upper()


def mod11_2_check(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for a string of ASCII digits.

    For 17 digits this is exactly the GB 11643-1999 check character.
    """
    if not _is_ascii_digits(digits):
        raise ValueError("校验码只能对数字串计算")
    p = 0
    for c in digits:
        p = ((p + int(c)) * 2) % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def check_char(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise ValueError("计算校验码需要17位数字")
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[s % 11]


def _parse_birth_date(yyyymmdd: str, today: date) -> date:
    try:
        born = date(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise IdNumberError(
            "birth_date",
            f"身份证号码中的出生日期不存在（{yyyymmdd[0:4]}年{yyyymmdd[4:6]}月{yyyymmdd[6:8]}日）",
        ) from None
    if born.year < MIN_BIRTH_YEAR:
        raise IdNumberError("birth_date", f"身份证号码中的出生日期早于{MIN_BIRTH_YEAR}年")
    if born > today:
        raise IdNumberError("future_birth", "身份证号码中的出生日期晚于今天")
    return born


def parse_id(raw: str, *, today: date) -> IdInfo:
    """Validate and decode an identity number; raise IdNumberError on any defect.

    ``today`` is the reference date for the "not born in the future" rule: the caller's
    clock (``forms`` never reads the time itself), ``date.max`` to skip the rule.
    """
    number = normalize_id(raw)
    if not number:
        raise IdNumberError("empty", "请填写身份证号码")
    if len(number) not in (15, 18):
        raise IdNumberError("length", f"身份证号码应为18位（旧号码15位），实际为{len(number)}位")

    converted = False
    if len(number) == 15:
        if not _is_ascii_digits(number):
            raise IdNumberError("chars", "15位身份证号码只能由数字组成")
        first17 = number[:6] + "19" + number[6:]
        converted = True
    else:
        first17 = number[:17]
        last = number[17]
        if not _is_ascii_digits(first17) or not (last in _DIGITS or last == "X"):
            raise IdNumberError("chars", "身份证号码前17位应为数字，最后一位应为数字或X")

    if first17[0] == "0":
        raise IdNumberError("address", "身份证号码的地址码不正确（首位不能为0）")

    born = _parse_birth_date(first17[6:14], today)

    expected = check_char(first17)
    if converted:
        number = first17 + expected
    elif number[17] != expected:
        raise IdNumberError("checksum", "身份证号码校验位不正确，请核对是否有数字录错")

    sex = "M" if int(first17[16]) % 2 == 1 else "F"
    return IdInfo(
        number=number,
        address_code=first17[:6],
        birth_date=born,
        sex=sex,
        converted_from_15=converted,
    )


def is_valid_id(raw: str, *, today: date) -> bool:
    try:
        parse_id(raw, today=today)
    except IdNumberError:
        return False
    return True


def age_on(info_or_birthdate: IdInfo | date, on: date) -> int:
    """Age in completed years on ``on``.

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    born = info_or_birthdate.birth_date if isinstance(info_or_birthdate, IdInfo) else info_or_birthdate
    if on < born:
        raise ValueError("计算年龄的日期早于出生日期")
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def mask_id(number: str, keep_head: int = MAX_MASK_HEAD, keep_tail: int = MAX_MASK_TAIL) -> str:
    """Mask the middle of an identity number: "110105********002X".

    At most the first 6 and the last 4 characters can ever be shown; asking
    for more is a programming error. Strings too short to keep anything
    hidden are masked completely.
    """
    if not 0 <= keep_head <= MAX_MASK_HEAD or not 0 <= keep_tail <= MAX_MASK_TAIL:
        raise ValueError(f"身份证号码最多只能显示前{MAX_MASK_HEAD}位和后{MAX_MASK_TAIL}位")
    text = normalize_id(number)
    n = len(text)
    if n <= keep_head + keep_tail:
        return "*" * n
    tail = text[n - keep_tail:] if keep_tail else ""
    return text[:keep_head] + "*" * (n - keep_head - keep_tail) + tail


def mask_id_short(number: str) -> str:
    """Only the last four characters: "**************002X"."""
    return mask_id(number, keep_head=0, keep_tail=MAX_MASK_TAIL)
