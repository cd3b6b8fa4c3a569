"""Monthly reports: every total equals a direct count in the database; the .xlsx and PDF carry them."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import pdfplumber
import pytest
from conftest import FAST_KDF
from factories import sample_application
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from desktop.demo.generator import create_demo
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.clock import add_months
from desktop.domain.household import Application
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.coverage import rechecks
from desktop.services.deadlines import clocks as deadlines
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import InvalidInput
from desktop.services.intake.accept import submit_application
from desktop.services.reporting import reports
from desktop.services.workflow import transitions as cases
from desktop.store.models import AuditEvent, Case, StatusChange
from desktop.store.models_clock import CaseClock
from desktop.store.models_recheck import Recheck

REAL_TODAY = datetime.now(UTC).astimezone().date()
DEMO_DAY = REAL_TODAY - timedelta(days=3)   # demo history ends before today, so "status now" = "status at today"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo") / "data"
    create_demo(d, households=150, today=DEMO_DAY, kdf=FAST_KDF)
    session = sign_in(d, "clerk", dict((u, p) for u, _l, p in _accounts(d))["clerk"])
    with session.db.write() as s:     # a small demo may post no notice batch: put one case in notice by hand
        if not s.scalar(select(func.count()).select_from(Case).where(Case.status == "in_notice")):
            case = s.scalars(select(Case).where(Case.status == "investigating").order_by(Case.uuid)).first()
            case.status = "in_notice"
            s.add(StatusChange(case_uuid=case.uuid, transition="demo_history", from_status="investigating",
                               to_status="in_notice", actor="clerk", reason="测试数据",
                               at=datetime.now(UTC) - timedelta(hours=1)))
    yield session
    session.close()


def _accounts(d):
    from desktop.services.admin.local_files import read_demo_accounts

    return read_demo_accounts(d)


def _bounds(year: int, month: int):
    first = date(year, month, 1)
    last = add_months(first, 1) - timedelta(days=1)
    return first, last, datetime.combine(first, time()).astimezone(), \
        datetime.combine(last + timedelta(days=1), time()).astimezone()


def _direct(s, year, month):
    first, last, t0, t1 = _bounds(year, month)
    return {
        "received": s.scalar(select(func.count()).select_from(Case).where(Case.received_at >= t0,
                                                                         Case.received_at < t1)),
        "accepted": s.scalar(select(func.count()).select_from(Case).where(Case.accepted_on >= first,
                                                                         Case.accepted_on <= last)),
        **{st: s.scalar(select(func.count(func.distinct(StatusChange.case_uuid))).where(
            StatusChange.to_status == st, StatusChange.at >= t0, StatusChange.at < t1))
           for st in ("approved", "refused")},
        "referred": len(set(s.scalars(select(StatusChange.case_uuid).where(
            StatusChange.to_status == "referred", StatusChange.at >= t0, StatusChange.at < t1)))
            | set(s.scalars(select(CaseClock.case_uuid).where(
                CaseClock.kind == "referral", CaseClock.started_on >= first, CaseClock.started_on <= last)))),
    }


def _months_back(n: int) -> tuple[int, int]:
    d = add_months(REAL_TODAY.replace(day=1), -n)
    return d.year, d.month


def test_the_demo_has_cases_in_every_status(demo):
    with demo.db.read() as s:
        assert set(s.scalars(select(Case.status).distinct())) == {st.value for st in CaseStatus}


@pytest.mark.parametrize("back", [0, 1, 2, 3])
def test_totals_equal_direct_counts(demo, back):
    year, month = _months_back(back)
    rep = reports.monthly_report(demo, year, month)
    with demo.db.read() as s:
        direct = _direct(s, year, month)
    for measure, n in direct.items():
        assert rep.total(measure) == n, measure
    # every table adds up to the same totals (a case counts once, under its primary category)
    for table in (rep.by_category, rep.by_village):
        assert tuple(sum(r.values[i] for r in table) for i in range(len(reports.MEASURES))) == rep.totals
    assert sum(r.values[0] for r in rep.by_status) == rep.cases_at_cut


def test_status_table_of_the_running_month_is_the_status_of_every_case_now(demo):
    rep = reports.monthly_report(demo, REAL_TODAY.year, REAL_TODAY.month)
    with demo.db.read() as s:
        now = dict(s.execute(select(Case.status, func.count()).group_by(Case.status)).all())
        assert rep.cases_at_cut == s.scalar(select(func.count()).select_from(Case))
    assert {r.key: r.values[0] for r in rep.by_status if r.values[0]} == now
    assert all(r.values[0] > 0 for r in rep.by_status)          # cases in every status
    assert {r.label for r in rep.by_village} >= {"东坪村"} or len(rep.by_village) >= 2


def test_overdue_counts_decision_days_passed_without_a_final_status(demo):
    rep = reports.monthly_report(demo, REAL_TODAY.year, REAL_TODAY.month)
    final = [st.value for st in CaseStatus if st.is_terminal]
    with demo.db.read() as s:
        late_decision = set(s.scalars(select(Case.uuid).where(Case.decision_due < REAL_TODAY,
                                                              Case.status.not_in(final))))
        late_clock = set(s.scalars(select(CaseClock.case_uuid).where(CaseClock.state == "open",
                                                                     CaseClock.due_on < REAL_TODAY)))
    assert rep.total("overdue") == len(late_decision | late_clock) > 0


def _accepted_case(clerk) -> str:
    plan = clocks.DeadlinePlanner.bundled().plan("620102101201", REAL_TODAY, [Category.DIBAO])
    app = sample_application()
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents))
    return submit_application(clerk, app, "accept").case_uuid


@pytest.fixture
def clerk(admin_session, data_dir):
    auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    auth.add_user(admin_session, "auditor", "陈静", Role.AUDITOR, "auditor-pass-1")
    session = sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield session
    session.close()


def test_open_clock_past_due_is_overdue_until_it_is_closed(clerk, data_dir):
    case_uuid = _accepted_case(clerk)
    y, m = REAL_TODAY.year, REAL_TODAY.month
    assert reports.monthly_report(clerk, y, m).total("overdue") == 0
    with clerk.db.write() as s:
        s.execute(update(Case).where(Case.uuid == case_uuid).values(decision_due=None))
        s.execute(update(CaseClock).where(CaseClock.case_uuid == case_uuid, CaseClock.kind == "investigation_start")
                  .values(due_on=REAL_TODAY - timedelta(days=1)))
    rep = reports.monthly_report(clerk, y, m)
    assert rep.total("overdue") == 1 and rep.total("accepted") == 1 and rep.total("received") == 1
    assert [r.values[5] for r in rep.by_village if r.key == "620102101201"] == [1]
    with clerk.db.write() as s:
        deadlines.close_clocks(s, case_uuid, ["investigation_start"], actor="clerk")
    assert reports.monthly_report(clerk, y, m).total("overdue") == 0
    auditor = sign_in(data_dir, "auditor", "auditor-pass-1", kdf=FAST_KDF)
    try:
        with pytest.raises(PermissionDenied):
            reports.monthly_report(auditor, y, m)
    finally:
        auditor.close()


def test_year_series_matches_the_monthly_reports(demo):
    series = reports.year_series(demo, REAL_TODAY.year)
    assert len(series.months) == 12
    for m in series.months:
        if m.month > REAL_TODAY.month:
            assert m.overdue is None and m.accepted == 0
            continue
        rep = reports.monthly_report(demo, REAL_TODAY.year, m.month)
        assert (m.accepted, m.decided, m.overdue) == (
            rep.total("accepted"), rep.total("approved") + rep.total("refused"), rep.total("overdue"))


def test_xlsx_opens_with_openpyxl_and_its_totals_are_the_database_counts(demo, tmp_path):
    year, month = _months_back(1)
    rep = reports.monthly_report(demo, year, month)
    path = reports.export_xlsx(demo, rep, tmp_path / "月报.xlsx")
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["按救助类别", "按村（社区）", "按案件状态"]
    with demo.db.read() as s:
        direct = _direct(s, year, month)
        n_cases = s.scalar(select(func.count()).select_from(Case).where(
            Case.received_at < _bounds(year, month)[3]))
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert ev.action == "report.exported" and ev.entity_id == f"{year}-{month:02d}"
    for name in ("按救助类别", "按村（社区）"):
        rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
        assert rows[0][0].startswith("青石镇") and rows[1][:2] == ["统计期间", f"{year}年{month}月"]
        assert rows[2][0] == "生成时间"
        head = rows[4]
        assert head[:3] == [head[0], "收到申请", "受理"]
        totals = next(r for r in rows if r[0] == "合计")
        body = rows[5:rows.index(totals)]
        for i, (measure, _label) in enumerate(reports.MEASURES, start=1):
            assert sum(r[i] for r in body) == totals[i]
            if measure in direct:
                assert totals[i] == direct[measure], measure
    status_rows = [list(r) for r in wb["按案件状态"].iter_rows(values_only=True)]
    assert next(r for r in status_rows if r[0] == "合计")[1] == n_cases


def test_pdf_reads_back_with_the_figures(demo, tmp_path):
    year, month = _months_back(1)
    rep = reports.monthly_report(demo, year, month)
    path = reports.export_pdf(demo, rep, tmp_path / "月报.pdf")
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
        assert pdf.pages[0].width == pytest.approx(595.3, abs=1)
    assert "青石镇" in text and f"社会救助统计月报（{year}年{month}月）" in text
    assert "按救助类别" in text and "按村（社区）" in text and "按案件状态" in text
    totals_line = next(line for line in text.splitlines() if line.startswith("合计"))
    assert totals_line.split()[1:] == [str(v) for v in rep.totals]
    assert f"合计 {rep.cases_at_cut}" in text


def test_bad_period(demo):
    with pytest.raises(InvalidInput, match="不能晚于本月"):
        reports.monthly_report(demo, *_months_back(-1))
    with pytest.raises(InvalidInput):
        reports.monthly_report(demo, 2026, 13)


def test_demo_coverages_have_their_rechecks(demo):
    with demo.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Recheck)) > 0
    assert rechecks.schedule_missing(demo) == 0


def test_status_table_of_a_past_month_is_the_status_at_its_end(clerk):
    case_uuid = _accepted_case(clerk)
    last_month = add_months(REAL_TODAY.replace(day=1), -1)
    then = datetime.combine(last_month + timedelta(days=3), time(10)).astimezone()
    with clerk.db.write() as s:      # received and accepted last month
        s.execute(update(Case).where(Case.uuid == case_uuid).values(received_at=then,
                                                                     accepted_on=then.date()))
        s.execute(update(StatusChange).where(StatusChange.case_uuid == case_uuid).values(at=then))
    cases.transition(clerk, case_uuid, "start_investigation")
    past = reports.monthly_report(clerk, last_month.year, last_month.month)
    now = reports.monthly_report(clerk, REAL_TODAY.year, REAL_TODAY.month)
    assert {r.key: r.values[0] for r in past.by_status if r.values[0]} == {"accepted": 1}
    assert {r.key: r.values[0] for r in now.by_status if r.values[0]} == {"investigating": 1}
    assert (past.total("received"), past.total("accepted"), now.total("received")) == (1, 1, 0)


def test_a_case_sent_to_two_departments_counts_once_as_referred(clerk):
    case_uuid = _accepted_case(clerk)
    y, m = REAL_TODAY.year, REAL_TODAY.month
    assert reports.monthly_report(clerk, y, m).total("referred") == 0
    with clerk.db.write() as s:
        case = s.get(Case, case_uuid)
        for dept in ("dept-a", "dept-b"):
            deadlines.open_clock(s, case, "referral", actor="clerk", started_on=REAL_TODAY, working_days=10,
                                 subject_uuid=dept, label="转办部门办结")
    rep = reports.monthly_report(clerk, y, m)
    assert rep.total("referred") == 1
    assert [r.values[2] for r in rep.by_category if r.key == "dibao"] == [1]
