"""The provisional (暂定) calendar of a year whose official holiday schedule is not published yet.

The State Council publishes each year's schedule (国务院办公厅关于部分节假日安排的通知) in
November or December; a clock started before that which runs into the new year still needs a due
day. The law itself fixes the statutory holidays (《全国年节及纪念日放假办法》, as amended in 2024:
元旦1, 春节4 (除夕 and 初一–初三), 清明1, 劳动节2, 端午1, 中秋1, 国庆3 — 13 days), and its 第六条 says
a holiday that falls on a Saturday or Sunday is compensated on a working day (补假). What no rule
can predict are the 调休 make-up workdays the yearly notice adds; that is why every answer drawn
from this rule is marked 暂定 and recomputed when the official schedule arrives.

The rule is data (``resources/calendar/provisional_rule.json``): which holidays, how many days
each, from which year the law applies, and whether weekend days are compensated. The lunar dates
and the compensation days come from the maintained ``holidays`` package (``holidays.China``,
Chinese names): its statutory days are counted against the law's list — a mismatch means the
package and the law disagree, and the year gets no provisional calendar rather than a wrong one.
Only statutory days and their 补假 are used; the package's "substituted" days (调休 of published
years) are ignored. ``holidays`` is imported only when a provisional year is first asked about.

File format (``format`` 1)::

    {"format": 1, "law": "...", "effective_from_year": 2025, "weekend_compensation": true,
     "compensation_suffix": "（补假）",
     "holidays": [{"name": "春节", "days": 4, "library_names": ["农历除夕", "春节"]}, ...]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .calendar_schema import FORMAT, PROVISIONAL_LABELS, ProvisionalRuleFile
from .schema_base import read_json
from .schema_errors import chinese_errors
from .workdays import CalendarError as RuleError

__all__ = ["FORMAT", "ProvisionalRule", "StatutoryHoliday", "load_provisional_rule", "provisional_note"]


@dataclass(frozen=True)
class StatutoryHoliday:
    name: str                          # as the law names it, e.g. "春节"
    days: int                          # statutory days off, e.g. 4
    library_names: tuple[str, ...]     # the names ``holidays.China(language="zh_CN")`` gives its days


@dataclass(frozen=True)
class ProvisionalRule:
    holidays: tuple[StatutoryHoliday, ...]
    effective_from_year: int
    weekend_compensation: bool = True
    compensation_suffix: str = "（补假）"
    law: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "暂定节假日规则") -> ProvisionalRule:
        """Validate the file (:class:`desktop.domain.calendar_schema.ProvisionalRuleFile`); a problem
        raises :class:`RuleError` naming ``origin`` and the field in Chinese."""
        try:
            spec = ProvisionalRuleFile.model_validate(data)
        except ValidationError as exc:
            raise RuleError(chinese_errors(exc, origin, PROVISIONAL_LABELS)) from None
        return cls(tuple(StatutoryHoliday(h.name, h.days, tuple(h.library_names)) for h in spec.holidays),
                   spec.effective_from_year, spec.weekend_compensation, spec.compensation_suffix, spec.law)

    def applies_to(self, year: int) -> bool:
        return year >= self.effective_from_year

    def days_off(self, year: int) -> dict[date, str]:
        """The statutory days off of ``year`` (and their 补假 when compensated): date -> law's name.

        Raises :class:`RuleError` when the ``holidays`` package and the law disagree on a
        holiday's number of days (then the year has no provisional calendar)."""
        import holidays  # a maintained, pure library; imported only when a provisional year is asked

        known = holidays.China(years=year, language="zh_CN", observed=self.weekend_compensation)
        by_library_name = {n: h for h in self.holidays for n in h.library_names}
        statutory: dict[str, set[date]] = {h.name: set() for h in self.holidays}
        out: dict[date, str] = {}
        for day, label in known.items():
            for part in str(label).split("; "):
                compensation = bool(self.compensation_suffix) and part.endswith(self.compensation_suffix)
                base = part.removesuffix(self.compensation_suffix) if compensation else part
                holiday = by_library_name.get(base)
                if holiday is None:
                    continue    # 调休 of a published year, or a day the law does not give everybody
                if not compensation:
                    statutory[holiday.name].add(day)
                out.setdefault(day, holiday.name)
        for h in self.holidays:
            if len(statutory[h.name]) != h.days:
                raise RuleError(f"{year}年{h.name}的法定假日天数（{len(statutory[h.name])}天）与"
                                f"《全国年节及纪念日放假办法》（{h.days}天）不一致，无法推算暂定日历")
        return out


def load_provisional_rule(path: Path | str) -> ProvisionalRule:
    p = Path(path)
    return ProvisionalRule.from_dict(read_json(p, "暂定节假日规则文件", RuleError),
                                     origin=f"暂定节假日规则文件 {p.name}")


def provisional_note(year: int) -> str:
    """Why a due day is 暂定, for the screen and the printed documents."""
    return f"{year}年节假日安排尚未发布，日期按法定节假日暂定，以正式安排为准"
