"""The working-day calendar (工作日历): weekends, official holidays, make-up workdays.

Built from the State Council's yearly notice (国务院办公厅关于部分节假日安排的
通知), shipped as ``resources/calendar/cn_workdays.json`` and updatable from the
county. A day is a working day when it is a make-up workday (调休上班), or a
Monday–Friday that is not an official day off.

Coverage is explicit. The calendar knows officially only the years it was given
(``covered_years``). For any other year it answers from its provisional rule
(:mod:`desktop.domain.provisional`: weekends plus the statutory holidays of the law,
with their 补假) when it has one, and every such answer is marked: :meth:`WorkCalendar.due`
returns ``provisional=True``, :meth:`WorkCalendar.is_provisional` tells a day. Without a
rule (or for a year before the law's rule applies) it raises :class:`CalendarNotCovered`
— it never falls back to "weekends only".

Counting convention (民法典第二百零一条: the starting day is not counted):
``add_working_days(start, n)`` is the n-th working day *after* ``start``; the
day of acceptance never counts, whether or not it is itself a working day.
So a 3-working-day deadline for a case accepted on Monday 2025-01-06 is
Thursday 2025-01-09; for a case accepted on Saturday 2025-01-04 it is
Wednesday 2025-01-08.

File format (``format`` 1)::

    {"format": 1, "source": "...", "covered_years": [2024, 2025, 2026],
     "years": {"2025": {"announced": "2024-11-12",
                        "holidays": [{"name": "春节",
                                      "off": ["2025-01-28", ...],
                                      "makeup": ["2025-01-26", "2025-02-08"]}, ...],
                        "makeup_workdays": []}}}

``makeup`` (per holiday) and ``makeup_workdays`` (per year, unnamed) are both
optional and may be combined. A year's notice may name days in the December
before it (e.g. 2011-12-31 was a make-up Saturday announced for 2012's 元旦).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from pydantic import ValidationError

from .calendar_schema import FORMAT, LABELS, CalendarFile, HolidaySpec, YearSpec
from .errors import YimenError
from .schema_base import read_json
from .schema_errors import chinese_errors, place

__all__ = [
    "CalendarError",
    "CalendarNotCovered",
    "DayInfo",
    "DayKind",
    "Due",
    "HolidayBlock",
    "WorkCalendar",
    "YearCalendar",
    "dump_calendar",
    "load_calendar",
]

_ONE_DAY = timedelta(days=1)


class CalendarNotCovered(YimenError, LookupError):
    """A date outside the years the calendar knows. ``.message`` is for people."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = f"工作日历未覆盖{year}年，请从县级平台更新节假日安排"
        super().__init__(self.message)


class CalendarError(YimenError, ValueError):
    """Malformed calendar data (bundled file or county update)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DayKind(StrEnum):
    WORKDAY = "workday"                # ordinary Monday–Friday
    WEEKEND = "weekend"                # ordinary Saturday/Sunday
    HOLIDAY = "holiday"                # official day off (放假)
    MAKEUP_WORKDAY = "makeup_workday"  # weekend day worked (调休上班)


class DayInfo(NamedTuple):
    """What a day is, for the screen: ``("春节", False, DayKind.HOLIDAY)``."""

    name: str          # holiday name for HOLIDAY / MAKEUP_WORKDAY, else "工作日" / "休息日"
    workday: bool
    kind: DayKind

    @property
    def label(self) -> str:
        if self.kind is DayKind.HOLIDAY:
            return f"{self.name}（放假）"
        if self.kind is DayKind.MAKEUP_WORKDAY:
            return f"{self.name}调休（上班）" if self.name else "调休（上班）"
        return self.name


class ProvisionalRule(Protocol):
    """What the calendar asks of its provisional rule (:class:`desktop.domain.provisional.ProvisionalRule`)."""

    def applies_to(self, year: int) -> bool: ...

    def days_off(self, year: int) -> Mapping[date, str]: ...


class Due(NamedTuple):
    """A due day, and whether it rests on a provisional (暂定) year of the calendar."""

    day: date
    provisional: bool


@dataclass(frozen=True)
class HolidayBlock:
    name: str
    off: tuple[date, ...]
    makeup: tuple[date, ...] = ()


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: tuple[HolidayBlock, ...]
    makeup_workdays: tuple[date, ...] = ()   # unnamed make-up days (besides those in holidays)
    announced: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """This year as the calendar file writes it (``years["2026"]``)."""
        return _year_spec(self).model_dump(mode="json", exclude_unset=True)


@dataclass(frozen=True)
class WorkCalendar:
    years: Mapping[int, YearCalendar]
    source: str = ""
    provisional: ProvisionalRule | None = field(default=None, compare=False)
    # date -> (name, is_workday); derived from `years` in __post_init__
    _special: Mapping[date, tuple[str, bool]] = field(init=False, repr=False, compare=False)
    # year -> its provisional days off (date -> name), computed on first use
    _provisional_days: dict[int, Mapping[date, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        special: dict[date, tuple[str, bool]] = {}
        for y in sorted(self.years):
            yc = self.years[y]
            entries: list[tuple[date, str, bool]] = []
            for h in yc.holidays:
                entries += [(d, h.name, False) for d in h.off]
                entries += [(d, h.name, True) for d in h.makeup]
            entries += [(d, "", True) for d in yc.makeup_workdays]
            for d, name, work in entries:
                if d in special and special[d][1] != work:
                    raise CalendarError(f"工作日历数据矛盾：{d.isoformat()} 同时被列为放假日和调休上班日")
                if work and d.weekday() < 5:
                    raise CalendarError(f"工作日历数据错误：调休上班日 {d.isoformat()} 不是周末")
                if d not in special or (name and not special[d][0]):
                    special[d] = (name, work)
        object.__setattr__(self, "years", MappingProxyType(dict(sorted(self.years.items()))))
        object.__setattr__(self, "_special", MappingProxyType(special))
        object.__setattr__(self, "_provisional_days", {})

    # ----------------------------------------------------------------- building

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "工作日历") -> WorkCalendar:
        """Parse and validate; any problem raises :class:`CalendarError` naming ``origin``."""
        return _parse(data, origin)

    def to_dict(self) -> dict[str, Any]:
        """The calendar file (:func:`dump_calendar`)."""
        return dump_calendar(self)

    def merge(self, other: WorkCalendar) -> WorkCalendar:
        """A county update: its years extend this calendar and replace the same years."""
        years = {**self.years, **other.years}
        source = "；".join(s for s in (self.source, other.source) if s)
        return WorkCalendar(years, source, self.provisional or other.provisional)

    def with_provisional(self, rule: ProvisionalRule | None) -> WorkCalendar:
        """The same official years, answering other years from ``rule`` (marked 暂定)."""
        return WorkCalendar(self.years, self.source, rule)

    # ----------------------------------------------------------------- coverage

    @property
    def covered_years(self) -> tuple[int, ...]:
        return tuple(self.years)

    def covers(self, d: date) -> bool:
        return d.year in self.years

    def first_day_not_covered(self, start: date | None = None) -> date:
        """The first day on or after ``start`` (default: the first covered day) not covered.

        For the UI: "节假日安排已覆盖至 {first_day_not_covered() - 1 天}".
        """
        if start is None:
            if not self.years:
                raise CalendarError("工作日历为空，请从县级平台更新节假日安排")
            start = date(min(self.years), 1, 1)
        year = start.year
        if year not in self.years:
            return start
        while year + 1 in self.years:
            year += 1
        return date(year + 1, 1, 1)

    def is_provisional(self, d: date) -> bool:
        """True when ``d`` lies in a year answered from the provisional rule (no official schedule)."""
        return d.year not in self.years and self._provisional_year(d.year) is not None

    def provisional_years(self, a: date, b: date) -> tuple[int, ...]:
        """The years from ``a`` to ``b`` (either order) that have no official schedule."""
        lo, hi = sorted((a.year, b.year))
        return tuple(y for y in range(lo, hi + 1) if y not in self.years)

    def due(self, start: date, n: int) -> Due:
        """:meth:`add_working_days`, marked provisional when any day counted lies in a year
        without an official schedule (its 调休 may still move the day)."""
        day = self.add_working_days(start, n)
        return Due(day, bool(self.provisional_years(start, day)))

    def _provisional_year(self, year: int) -> Mapping[date, str] | None:
        rule = self.provisional
        if rule is None or not rule.applies_to(year):
            return None
        days = self._provisional_days.get(year)
        if days is None:
            try:
                days = MappingProxyType(rule.days_off(year))
            except CalendarError:
                return None   # the package and the law disagree: no provisional answer for that year
            self._provisional_days[year] = days
        return days

    def _check(self, d: date) -> None:
        if d.year not in self.years and self._provisional_year(d.year) is None:
            raise CalendarNotCovered(d.year)

    def _special_day(self, d: date) -> tuple[str, bool] | None:
        special = self._special.get(d)
        if special is not None or d.year in self.years:
            return special
        days = self._provisional_year(d.year)
        name = days.get(d) if days is not None else None
        return (name, False) if name is not None else None

    # ----------------------------------------------------------------- questions

    def is_workday(self, d: date) -> bool:
        self._check(d)
        special = self._special_day(d)
        if special is not None:
            return special[1]
        return d.weekday() < 5

    def describe_day(self, d: date) -> DayInfo:
        self._check(d)
        special = self._special_day(d)
        if special is not None:
            name, work = special
            return DayInfo(name, work, DayKind.MAKEUP_WORKDAY if work else DayKind.HOLIDAY)
        if d.weekday() < 5:
            return DayInfo("工作日", True, DayKind.WORKDAY)
        return DayInfo("休息日", False, DayKind.WEEKEND)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself never counts).

        ``n == 0`` returns ``start``; a negative ``n`` counts backwards (the |n|-th
        working day before ``start``), e.g. for "remind two working days before".
        """
        self._check(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        d, left = start, abs(n)
        while left:
            d += step
            if self.is_workday(d):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b] — after ``a``, up to and including ``b``; negative if b < a.

        For a working day ``b``: ``add_working_days(a, working_days_between(a, b)) == b``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        self._check(a)
        count, d = 0, a
        while d < b:
            d += _ONE_DAY
            if self.is_workday(d):
                count += 1
        return count

    def next_workday(self, d: date) -> date:
        """``d`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(d):
            d += _ONE_DAY
        return d

    def add_calendar_days(self, start: date, n: int, *, end_on_workday: bool = False) -> date:
        """``start + n`` days (the starting day not counted).

        With ``end_on_workday`` a period ending on a day off ends on the next
        working day instead (民法典第二百零三条); that needs the calendar, so it can
        raise :class:`CalendarNotCovered`. Without it no calendar question is asked.
        """
        end = start + timedelta(days=n)
        return self.next_workday(end) if end_on_workday else end

    def days_off(self, year: int) -> list[tuple[date, str]]:
        """Official days off of a covered year, in date order (for an overview screen)."""
        if year not in self.years:
            raise CalendarNotCovered(year)
        return sorted((d, name) for d, (name, work) in self._special.items() if d.year == year and not work)


def load_calendar(path: Path | str) -> WorkCalendar:
    p = Path(path)
    return WorkCalendar.from_dict(read_json(p, "工作日历文件", CalendarError), origin=f"工作日历文件 {p.name}")


# --------------------------------------------------------------------- parsing and dumping
# The file format is :class:`desktop.domain.calendar_schema.CalendarFile`; here a validated file becomes
# a WorkCalendar (with the checks across fields the schema cannot say) and back.


def _parse(data: Any, origin: str) -> WorkCalendar:
    try:
        spec = CalendarFile.model_validate(data)
    except ValidationError as exc:
        raise CalendarError(chinese_errors(exc, origin, LABELS)) from None

    def fail(loc: tuple[str | int, ...], why: str) -> CalendarError:
        return CalendarError(f"{origin}：{place(loc, LABELS)}：{why}")

    if sorted(spec.covered_years) != sorted(int(k) for k in spec.years) or \
            len(set(spec.covered_years)) != len(spec.covered_years):
        raise fail(("covered_years",), f"与 years 中的年份不一致（{sorted(spec.covered_years)} / {sorted(map(int, spec.years))}）")

    def dates(values: list[date], loc: tuple[str | int, ...], year: int) -> tuple[date, ...]:
        for i, d in enumerate(values):
            if not (d.year == year or (d.year == year - 1 and d.month == 12)):
                raise fail((*loc, i), f"{d.isoformat()} 不属于 {year} 年的节假日安排")
        return tuple(sorted(set(values)))

    years: dict[int, YearCalendar] = {}
    for key, y in spec.years.items():
        year = int(key)
        blocks = tuple(HolidayBlock(h.name, dates(h.off, ("years", key, "holidays", i, "off"), year),
                                    dates(h.makeup, ("years", key, "holidays", i, "makeup"), year))
                       for i, h in enumerate(y.holidays))
        extra = dates(y.makeup_workdays, ("years", key, "makeup_workdays"), year)
        years[year] = YearCalendar(year, blocks, extra, y.announced)
    try:
        return WorkCalendar(years, spec.source)
    except CalendarError as exc:   # a day both off and worked, a make-up day that is not a weekend
        raise CalendarError(f"{origin}：{exc.message}") from None


def _year_spec(yc: YearCalendar) -> YearSpec:
    extra: dict[str, Any] = {"announced": yc.announced} if yc.announced else {}
    if yc.makeup_workdays:
        extra["makeup_workdays"] = list(yc.makeup_workdays)
    return YearSpec(holidays=[HolidaySpec(name=h.name, off=list(h.off), makeup=list(h.makeup)) for h in yc.holidays],
                    **extra)


def dump_calendar(cal: WorkCalendar) -> dict[str, Any]:
    """The file (JSON-ready dict) that :meth:`WorkCalendar.from_dict` reads back as an equal calendar."""
    spec = CalendarFile(format=FORMAT, source=cal.source, covered_years=list(cal.years),
                        years={str(y): _year_spec(yc) for y, yc in cal.years.items()})
    return spec.model_dump(mode="json", exclude_unset=True)
