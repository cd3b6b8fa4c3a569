"""Case numbers made offline without collisions between devices.

Canonical form, 23 characters::

    {township 9}{device 3}{year 4}{sequence 6}{check 1}
    620102101   003       2026    000123      4

The township code (6-digit county + 3-digit township) and the device code
(given at enrollment, unique within the township) make the prefix unique per
device; each device counts its own sequence per year. The check character is
ISO 7064 MOD 11-2 over the 22 digits (the GB 11643 algorithm), so any single
mistyped digit and any swap of two adjacent digits is detected.

Display form: ``620102101-003-2026-000123-4``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from forms.idnumber import mod11_2_check

from .errors import YimenError

__all__ = [
    "CANONICAL_LENGTH",
    "CaseNumber",
    "CaseNumberError",
    "case_number_check",
    "format_case_number",
    "make_case_number",
    "parse_case_number",
]

CANONICAL_LENGTH = 23
MIN_YEAR = 2000
MAX_SEQUENCE = 999_999
_DIGITS = frozenset("0123456789")
_SEPARATORS = frozenset("-_/ ")


class CaseNumberError(YimenError, ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CaseNumber:
    township_code: str   # 9 digits
    device_code: str     # 3 digits
    year: int
    sequence: int
    check: str           # "0"-"9" or "X"

    @property
    def canonical(self) -> str:
        return f"{self.township_code}{self.device_code}{self.year:04d}{self.sequence:06d}{self.check}"

    @property
    def display(self) -> str:
        return format_case_number(self.canonical)

    def __str__(self) -> str:
        return self.display


def _digits(s: str) -> bool:
    return bool(s) and all(c in _DIGITS for c in s)


def case_number_check(first22: str) -> str:
    """MOD 11-2 check character over the 22 digits of a case number."""
    if len(first22) != CANONICAL_LENGTH - 1 or not _digits(first22):
        raise CaseNumberError("chars", "案件编号前22位应为数字")
    return mod11_2_check(first22)


def _validate_parts(township_code: str, device_code: str, year: int, sequence: int) -> None:
    if not isinstance(township_code, str) or len(township_code) != 9 or not _digits(township_code):
        raise CaseNumberError("township", "乡镇（街道）代码应为9位数字（6位县级代码＋3位乡级代码）")
    if township_code[0] == "0":
        raise CaseNumberError("township", "乡镇（街道）代码首位不能为0")
    if not isinstance(device_code, str) or len(device_code) != 3 or not _digits(device_code):
        raise CaseNumberError("device", "设备代码应为3位数字")
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= 9999:
        raise CaseNumberError("year", f"案件编号年份应为{MIN_YEAR}—9999之间的四位数")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence <= MAX_SEQUENCE:
        raise CaseNumberError("sequence", f"案件流水号应在1—{MAX_SEQUENCE}之间")


def make_case_number(township_code: str, device_code: str, year: int, sequence: int) -> str:
    """Canonical 23-character case number."""
    _validate_parts(township_code, device_code, year, sequence)
    first22 = f"{township_code}{device_code}{year:04d}{sequence:06d}"
    return first22 + case_number_check(first22)


def format_case_number(canonical: str) -> str:
    """``62010210100320260001234`` → ``620102101-003-2026-000123-4`` (validates first)."""
    n = parse_case_number(canonical).canonical
    return f"{n[0:9]}-{n[9:12]}-{n[12:16]}-{n[16:22]}-{n[22]}"


def parse_case_number(text: str) -> CaseNumber:
    """Accept the display or the canonical form (full-width characters and a lower-case x too)."""
    if not isinstance(text, str):
        raise CaseNumberError("chars", "案件编号必须是文本")
    normalised = unicodedata.normalize("NFKC", text).strip().upper()
    compact = "".join(c for c in normalised if c not in _SEPARATORS)
    if not compact:
        raise CaseNumberError("empty", "请填写案件编号")
    if len(compact) != CANONICAL_LENGTH:
        raise CaseNumberError(
            "length", f"案件编号应为{CANONICAL_LENGTH}位（不含分隔符），实际为{len(compact)}位"
        )
    first22, check = compact[:22], compact[22]
    if not _digits(first22) or not (check in _DIGITS or check == "X"):
        raise CaseNumberError("chars", "案件编号前22位应为数字，最后一位应为数字或X")
    if case_number_check(first22) != check:
        raise CaseNumberError("checksum", "案件编号校验位不正确，请核对是否有数字录错")
    township, device = first22[0:9], first22[9:12]
    year, sequence = int(first22[12:16]), int(first22[16:22])
    _validate_parts(township, device, year, sequence)
    return CaseNumber(township, device, year, sequence, check)
