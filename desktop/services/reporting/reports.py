"""Monthly figures (统计) for the county: by category, by village, by status, with overdue work.

What is counted, for a month (local dates; instants compared in UTC):

- 收到申请 ``received``: cases received in the month (any outcome, 待补正 too);
- 受理 ``accepted``: cases whose acceptance day falls in the month;
- 转办 ``referred``: cases sent to a department in the month — a referral
  clock (``case_clocks`` kind ``referral``) started in the month, or the case
  moved to 已转办 (status changes); a case sent to two departments counts once;
- 批准 / 不予批准 ``approved`` / ``refused``: cases decided in the month;
- 逾期 ``overdue``: cases with a statutory limit past due at the month's cut
  day (its last day, or today for the running month) — an open clock
  (``case_clocks``) whose due day had passed, or a decision day
  (``cases.decision_due``) passed with no final status yet;
- by status: every case received up to the cut, by its status at the cut
  (the last status change before it).

A case counts once, under its primary category (the first of its categories
in the catalogue order, as for its deadlines), so every table's totals are
the same number of cases. All of it is SQL aggregates over ``cases``,
``case_categories``, ``status_changes`` and ``case_clocks``: one grouped query
for a month, a handful of counts per month for the year's chart.

Exports: .xlsx (openpyxl, one sheet per table, header with township, period
and time of generation, a totals row) and PDF (``forms.documents.report``).
Both are audited (``report.exported``).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, case, func, literal, or_, select, text
from sqlalchemy.orm import Session

from desktop.domain.case_state import TERMINAL_STATUSES, CaseStatus
from desktop.domain.categories import Category
from desktop.domain.clock import add_months
from desktop.domain.roles import Permission
from desktop.services.errors import InvalidInput, ServiceError
from desktop.services.session import AppSession
from desktop.store import audit
from desktop.store.device import device_info
from desktop.store.models import Case, CaseCategory, StatusChange, Village
from desktop.store.models_clock import CaseClock
from forms.documents.report import ReportData, ReportTable, render_report
from forms.errors import FormsError

__all__ = [
    "MEASURES", "MonthFigures", "MonthlyReport", "ReportRow", "YearSeries", "export_pdf", "export_xlsx",
    "monthly_report", "report_pdf_bytes", "report_xlsx_bytes", "year_series",
]

MEASURES: tuple[tuple[str, str], ...] = (
    ("received", "收到申请"), ("accepted", "受理"), ("referred", "转办"), ("approved", "批准"),
    ("refused", "不予批准"), ("overdue", "逾期"),
)
_ORDER = list(Category)
_FINAL = tuple(s.value for s in TERMINAL_STATUSES)
_DECIDED = (CaseStatus.APPROVED.value, CaseStatus.REFUSED.value)


@dataclass(frozen=True)
class ReportRow:
    key: str        # category code, division code or status code
    label: str
    values: tuple[int, ...]     # in the order of the table's columns

    def __getitem__(self, i: int) -> int:
        return self.values[i]


@dataclass(frozen=True)
class MonthlyReport:
    township: str
    year: int
    month: int
    cut: date                   # the day the status and overdue figures are taken on
    generated_at: datetime
    by_category: tuple[ReportRow, ...]   # columns: MEASURES
    by_village: tuple[ReportRow, ...]    # columns: MEASURES
    by_status: tuple[ReportRow, ...]     # one column: cases
    totals: tuple[int, ...]              # MEASURES over all cases
    cases_at_cut: int                    # cases received up to the cut (the by-status total)

    @property
    def period(self) -> str:
        return f"{self.year}年{self.month}月"

    def total(self, measure: str) -> int:
        return self.totals[[m for m, _ in MEASURES].index(measure)]


@dataclass(frozen=True)
class MonthFigures:
    month: int
    accepted: int
    decided: int
    overdue: int | None     # None for a month not begun yet


@dataclass(frozen=True)
class YearSeries:
    year: int
    months: tuple[MonthFigures, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------------------ time bounds

def _instant(d: date) -> datetime:
    """Local midnight starting ``d``, as an aware instant (compared with the UTC columns)."""
    return datetime.combine(d, time()).astimezone()


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    return first, add_months(first, 1) - timedelta(days=1)


def _check_period(year: int, month: int, today: date) -> None:
    if not (2000 <= year <= 2100) or not (1 <= month <= 12):
        raise InvalidInput("请选择正确的统计年月。", "period")
    if date(year, month, 1) > today:
        raise InvalidInput("统计月份不能晚于本月。", "period")


# ------------------------------------------------------------------------------ the queries

def _primary_category_rank():  # type: ignore[no-untyped-def]
    rank = case(*[(CaseCategory.category == c.value, i) for i, c in enumerate(_ORDER)], else_=len(_ORDER))
    return (select(CaseCategory.case_uuid.label("case_uuid"), func.min(rank).label("rank"))
            .group_by(CaseCategory.case_uuid).subquery("prim"))


def _final_at():  # type: ignore[no-untyped-def]
    """When each case reached a final status (one scan of the status changes, not one per case)."""
    return (select(StatusChange.case_uuid.label("case_uuid"), func.min(StatusChange.at).label("final_at"))
            .where(StatusChange.to_status.in_(_FINAL)).group_by(StatusChange.case_uuid).subquery("fin"))


def _clock_late(cut: date, t_cut: datetime):  # type: ignore[no-untyped-def]
    """A clock open on ``cut`` whose due day had passed by then."""
    return and_(CaseClock.due_on < cut, CaseClock.opened_at < t_cut,
                or_(CaseClock.state == "open", CaseClock.closed_at >= t_cut))


def _decision_late(fin, cut: date, t_cut: datetime):  # type: ignore[no-untyped-def]
    """A decision day passed by ``cut`` with no final status by then."""
    return and_(Case.decision_due < cut, Case.received_at < t_cut,
                or_(fin.c.final_at.is_(None), fin.c.final_at >= t_cut))


def _overdue_cases(cut: date, t_cut: datetime):  # type: ignore[no-untyped-def]
    """Case uuids with a limit past due on ``cut``: a clock open then and due before it, or a
    decision day before it with no final status by then."""
    fin = _final_at()
    clocks = select(CaseClock.case_uuid).where(_clock_late(cut, t_cut))
    decision = (select(Case.uuid).join(fin, fin.c.case_uuid == Case.uuid, isouter=True)
                .where(_decision_late(fin, cut, t_cut)))
    return clocks.union(decision).subquery("od")


def _status_at(t_cut: datetime):  # type: ignore[no-untyped-def]
    ranked = (select(StatusChange.case_uuid.label("case_uuid"), StatusChange.to_status.label("status"),
                     func.row_number().over(partition_by=StatusChange.case_uuid,
                                            order_by=(StatusChange.at.desc(), StatusChange.id.desc()))
                     .label("rn"))
              .where(StatusChange.at < t_cut).subquery("ranked"))
    return select(ranked.c.case_uuid, ranked.c.status).where(ranked.c.rn == 1).subquery("st")


def _month_events(t0: datetime, t1: datetime):  # type: ignore[no-untyped-def]
    def flag(status: str):  # type: ignore[no-untyped-def]
        return func.max(case((StatusChange.to_status == status, 1), else_=0))

    return (select(StatusChange.case_uuid.label("case_uuid"), flag(CaseStatus.REFERRED.value).label("referred"),
                   flag(CaseStatus.APPROVED.value).label("approved"), flag(CaseStatus.REFUSED.value).label("refused"))
            .where(StatusChange.at >= t0, StatusChange.at < t1).group_by(StatusChange.case_uuid).subquery("ev"))


def _grouped(s: Session, first: date, last: date, cut: date, today: date) -> list:  # type: ignore[type-arg]
    t0, t1, t_cut = _instant(first), _instant(last + timedelta(days=1)), _instant(cut + timedelta(days=1))
    prim, fin, ev = _primary_category_rank(), _final_at(), _month_events(t0, t1)
    # status at the cut: today's is the case's own status (no change is dated in the future)
    st = None if cut >= today else _status_at(t_cut)
    status = Case.status if st is None else func.coalesce(st.c.status, Case.status)
    one = literal(1)
    late_clock = select(CaseClock.id).where(CaseClock.case_uuid == Case.uuid, _clock_late(cut, t_cut)).exists()
    overdue = or_(_decision_late(fin, cut, t_cut), late_clock)
    sent = select(CaseClock.id).where(CaseClock.case_uuid == Case.uuid, CaseClock.kind == "referral",
                                      CaseClock.started_on.between(first, last)).exists()
    q = (select(
        func.coalesce(prim.c.rank, len(_ORDER)).label("rank"), Case.division_code,
        status.label("status"),
        func.count().label("cases"),
        func.sum(case((and_(Case.received_at >= t0, Case.received_at < t1), one), else_=0)).label("received"),
        func.sum(case((Case.accepted_on.between(first, last), one), else_=0)).label("accepted"),
        func.sum(case((or_(ev.c.referred == 1, sent), one), else_=0)).label("referred"),
        func.sum(func.coalesce(ev.c.approved, 0)).label("approved"),
        func.sum(func.coalesce(ev.c.refused, 0)).label("refused"),
        func.sum(case((overdue, one), else_=0)).label("overdue"))
         .select_from(Case)
         .join(prim, prim.c.case_uuid == Case.uuid, isouter=True)
         .join(ev, ev.c.case_uuid == Case.uuid, isouter=True)
         .join(fin, fin.c.case_uuid == Case.uuid, isouter=True)
         .where(Case.received_at < t_cut)
         .group_by(text("1"), Case.division_code, text("3")))
    if st is not None:
        q = q.join(st, st.c.case_uuid == Case.uuid, isouter=True)
    return list(s.execute(q))


def _fold(rows: list, villages: dict[str, str]) -> tuple[tuple[ReportRow, ...], ...]:  # type: ignore[type-arg]
    names = [m for m, _ in MEASURES]
    by_cat: dict[int, list[int]] = defaultdict(lambda: [0] * len(names))
    by_village: dict[str, list[int]] = defaultdict(lambda: [0] * len(names))
    by_status: dict[str, int] = defaultdict(int)
    for r in rows:
        vals = [int(getattr(r, n) or 0) for n in names]
        for target in (by_cat[r.rank], by_village[r.division_code]):
            for i, v in enumerate(vals):
                target[i] += v
        by_status[r.status] += int(r.cases)
    cat_rows = tuple(ReportRow(c.value, c.label, tuple(by_cat.get(k, [0] * len(names))))   # every category
                     for k, c in enumerate(_ORDER))
    if len(_ORDER) in by_cat:      # a case without any category (should not exist): still counted
        cat_rows += (ReportRow("", "未填类别", tuple(by_cat[len(_ORDER)])),)
    vil_rows = tuple(ReportRow(code, villages.get(code, code), tuple(by_village[code]))
                     for code in sorted(set(villages) | set(by_village)))
    status_rows = tuple(ReportRow(st.value, st.label, (by_status.get(st.value, 0),)) for st in CaseStatus)
    extra = tuple(ReportRow(k, k, (v,)) for k, v in sorted(by_status.items()) if k not in set(CaseStatus))
    return cat_rows, vil_rows, status_rows + extra


def monthly_report(session: AppSession, year: int, month: int, today: date | None = None) -> MonthlyReport:
    """The figures of one month (see the module's note for what each one counts)."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    _check_period(year, month, today)
    first, last = _month_bounds(year, month)
    cut = min(last, today)
    with session.db.read() as s:
        township = device_info(s).township_name
        villages = {c: n for c, n in s.execute(select(Village.division_code, Village.name))}
        rows = _grouped(s, first, last, cut, today)
    cat_rows, vil_rows, status_rows = _fold(rows, villages)
    totals = tuple(sum(r.values[i] for r in cat_rows) for i in range(len(MEASURES)))
    return MonthlyReport(township, year, month, cut, session.clock.now(), cat_rows, vil_rows, status_rows, totals,
                         sum(r.values[0] for r in status_rows))


def year_series(session: AppSession, year: int, today: date | None = None) -> YearSeries:
    """Accepted, decided and overdue (at each month's cut) for every month of ``year``, for the chart."""
    session.require(Permission.VIEW_CASES)
    today = today or session.clock.today()
    if not 2000 <= year <= 2100:
        raise InvalidInput("请选择正确的统计年份。", "period")
    months = []   # (month, first, last, t0, t1, cut, t_cut) of the months begun
    for month in range(1, 13):
        first, last = _month_bounds(year, month)
        if first <= today:
            cut = min(last, today)
            months.append((month, first, last, _instant(first), _instant(last + timedelta(days=1)), cut,
                           _instant(cut + timedelta(days=1))))
    if not months:
        return YearSeries(year, tuple(MonthFigures(m, 0, 0, None) for m in range(1, 13)))
    one = literal(1)
    accepted_q = select(*[func.sum(case((Case.accepted_on.between(f, last), one), else_=0))
                          for _m, f, last, *_ in months])
    decided_by_case = (select(*[func.max(case((and_(StatusChange.at >= t0, StatusChange.at < t1), one), else_=0))
                                .label(f"m{m}") for m, _f, _l, t0, t1, *_ in months])
                       .where(StatusChange.to_status.in_(_DECIDED)).group_by(StatusChange.case_uuid)
                       .subquery("dec"))
    decided_q = select(*[func.sum(decided_by_case.c[f"m{m}"]) for m, *_ in months])
    fin = _final_at()
    late_decisions = (select(Case.uuid.label("case_uuid"),
                             *[case((_decision_late(fin, cut, tc), one), else_=0).label(f"m{m}")
                               for m, *_x, cut, tc in months])
                      .join(fin, fin.c.case_uuid == Case.uuid, isouter=True).where(Case.decision_due.is_not(None)))
    late_clocks = select(CaseClock.case_uuid, *[case((_clock_late(cut, tc), one), else_=0).label(f"m{m}")
                                                for m, *_x, cut, tc in months])
    both = late_decisions.union_all(late_clocks).subquery("late")
    by_case = (select(*[func.max(both.c[f"m{m}"]).label(f"m{m}") for m, *_ in months])
               .group_by(both.c.case_uuid).subquery("late_by_case"))
    overdue_q = select(*[func.sum(by_case.c[f"m{m}"]) for m, *_ in months])
    with session.db.read() as s:
        accepted, decided, overdue = (s.execute(q).one() for q in (accepted_q, decided_q, overdue_q))
    figures = {m: MonthFigures(m, int(a or 0), int(d or 0), int(o or 0))
               for (m, *_), a, d, o in zip(months, accepted, decided, overdue, strict=True)}
    out = [figures.get(m, MonthFigures(m, 0, 0, None)) for m in range(1, 13)]
    return YearSeries(year, tuple(out))


# ------------------------------------------------------------------------------ exports

def _tables(report: MonthlyReport) -> list[ReportTable]:
    heads = [label for _m, label in MEASURES]
    return [
        ReportTable("按救助类别", ["救助类别", *heads], [[r.label, *r.values] for r in report.by_category],
                    ["合计", *report.totals]),
        ReportTable("按村（社区）", ["村（社区）", *heads], [[r.label, *r.values] for r in report.by_village],
                    ["合计", *report.totals]),
        ReportTable("按案件状态", ["案件状态", "案件数"], [[r.label, *r.values] for r in report.by_status],
                    ["合计", report.cases_at_cut]),
    ]


def _notes(report: MonthlyReport) -> list[str]:
    return [
        f"状态与逾期统计截至{report.cut.year}年{report.cut.month}月{report.cut.day}日。",
        "每件申请按其主要救助类别计一次；逾期指法定时限已过仍未办结的案件。",
    ]


def _data(report: MonthlyReport) -> ReportData:
    local = report.generated_at.astimezone()
    return ReportData(township=report.township, title=f"社会救助统计月报（{report.period}）", period=report.period,
                      generated_at=local.replace(tzinfo=None), tables=tuple(_tables(report)),
                      notes=tuple(_notes(report)))


def report_pdf_bytes(report: MonthlyReport) -> bytes:
    try:
        return render_report(_data(report))
    except FormsError as exc:       # the forms boundary (a village name the fonts cannot draw, …)
        raise ServiceError.from_forms(exc) from exc


def report_xlsx_bytes(report: MonthlyReport) -> bytes:
    """One sheet per table: header (township, period, time of generation), column heads, rows, totals."""
    from openpyxl import Workbook  # noqa: PLC0415 (only exports need it)
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    thin = Side(style="thin")
    generated = report.generated_at.astimezone().strftime("%Y-%m-%d %H:%M")
    for table in _tables(report):
        ws = wb.create_sheet(table.title)
        ws.append([f"{report.township} 社会救助统计月报"])
        ws.append(["统计期间", report.period])
        ws.append(["生成时间", generated])
        ws.append([])
        ws.append(table.columns)
        for row in table.rows:
            ws.append(row)
        ws.append(table.totals)
        ws.append([])
        for note in _notes(report):
            ws.append([note])
        ws["A1"].font = Font(bold=True, size=14)
        head_row, total_row = 5, 5 + len(table.rows) + 1
        for cell in ws[head_row]:
            cell.font, cell.border = bold, Border(bottom=thin)
            cell.alignment = Alignment(horizontal="center")
        for cell in ws[total_row]:
            cell.font, cell.border = bold, Border(top=thin)
        ws.column_dimensions["A"].width = 26
        for col in "BCDEFG":
            ws.column_dimensions[col].width = 11
        ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _export(session: AppSession, report: MonthlyReport, path: Path, fmt: str, data: bytes) -> Path:
    session.require(Permission.VIEW_CASES)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"无法写入文件：{exc.strerror or exc}", "path") from None
    with session.db.write() as s:
        audit.append_event(s, actor=session.user.username, action="report.exported", entity_type="report",
                           entity_id=f"{report.year}-{report.month:02d}",
                           detail={"format": fmt, "cases": report.cases_at_cut, "bytes": len(data)})
    return path


def export_xlsx(session: AppSession, report: MonthlyReport, path: Path) -> Path:
    session.require(Permission.VIEW_CASES)
    return _export(session, report, path, "xlsx", report_xlsx_bytes(report))


def export_pdf(session: AppSession, report: MonthlyReport, path: Path) -> Path:
    session.require(Permission.VIEW_CASES)
    return _export(session, report, path, "pdf", report_pdf_bytes(report))
