"""The audit log as the auditor reads it: filters, paging newest first, Chinese labels, permission,
chain verification (read-only) and CSV export of the filtered events."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest
from conftest import FAST_KDF
from factories import sample_application
from sqlalchemy import func, select, update

from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines import planner as clocks
from desktop.services.intake.accept import submit_application
from desktop.services.reporting import audit_log
from desktop.services.reporting.audit_log import AuditFilter
from desktop.store import audit
from desktop.store.models import AuditEvent, Case

VILLAGE = "620102101201"


def _accept(clerk, categories) -> str:
    plan = clocks.DeadlinePlanner.bundled().plan(VILLAGE, datetime.now(UTC).astimezone().date(), list(categories))
    app = sample_application(categories=categories)
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))
    return submit_application(clerk, app, "accept").case_uuid


@pytest.fixture
def people(admin_session, data_dir):
    roles = (("clerk", Role.CLERK), ("auditor", Role.AUDITOR), ("supervisor", Role.SUPERVISOR))
    for name, role in roles:
        auth.add_user(admin_session, name, f"名{name}", role, f"{name}-pass-1")
    sessions = {n: sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF) for n, _r in roles}
    yield sessions
    for s in sessions.values():
        s.close()


def _log(db, n: int, *, actor="clerk", action="probe", at: datetime | None = None) -> None:
    with db.write() as s:
        for i in range(n):
            audit.append_event(s, actor=actor, action=action, entity_type="thing", entity_id=f"t{i}",
                               detail={"i": i}, at=at)


def test_clerk_is_refused_auditor_and_supervisor_read(people):
    with pytest.raises(PermissionDenied):
        audit_log.list_events(people["clerk"], AuditFilter())
    for fn in (audit_log.count_events, audit_log.verify, audit_log.action_choices, audit_log.actor_choices):
        with pytest.raises(PermissionDenied):
            fn(people["clerk"])
    assert audit_log.count_events(people["auditor"]) > 0
    assert audit_log.list_events(people["supervisor"], limit=1)


def test_newest_first_and_paging_by_seq(people, admin_session):
    _log(admin_session.db, 25)
    auditor = people["auditor"]
    f = AuditFilter(action="probe")
    assert audit_log.count_events(auditor, f) == 25
    first = audit_log.list_events(auditor, f, limit=10)
    assert [r.detail for r in first[:2]] == ['{"i":24}', '{"i":23}']
    second = audit_log.list_events(auditor, f, limit=10, before_seq=first[-1].seq)
    by_offset = audit_log.list_events(auditor, f, offset=10, limit=10)
    assert [r.seq for r in second] == [r.seq for r in by_offset]
    assert second[0].seq == first[-1].seq - 1
    rest = audit_log.list_events(auditor, f, limit=10, before_seq=second[-1].seq)
    assert len(rest) == 5
    page = audit_log.first_page(auditor, f, limit=10)
    assert page.total == 25 and [r.seq for r in page.rows] == [r.seq for r in first]


def test_filters_actor_date_outcome_and_labels(people, admin_session):
    db = admin_session.db
    old = datetime.now(UTC) - timedelta(days=30)
    _log(db, 3, actor="supervisor", action="probe_old", at=old)
    with db.write() as s:
        audit.append_event(s, actor="clerk", action="document_printed", entity_type="case", entity_id="c1",
                           detail={"kind": "receipt"})
        audit.append_event(s, actor="clerk", action="case.approve", entity_type="case", entity_id="c1")
        audit.append_event(s, actor="ghost", action="strange_thing", outcome="failed")
    auditor = people["auditor"]
    rows = audit_log.list_events(auditor, AuditFilter(actor="supervisor", action="probe_old"))
    assert len(rows) == 3 and rows[0].actor_name == "名supervisor"
    today = datetime.now(UTC).astimezone().date()
    assert audit_log.count_events(auditor, AuditFilter(action="probe_old", date_to=today - timedelta(days=1))) == 3
    assert audit_log.count_events(auditor, AuditFilter(action="probe_old", date_from=today - timedelta(days=1))) == 0
    both = audit_log.list_events(auditor, AuditFilter(text="c1"))
    assert [r.action_label for r in both] == ["批准", "打印文书"]     # a transition by its own label
    failed = audit_log.list_events(auditor, AuditFilter(outcome="failed"))
    assert [(r.action_label, r.actor_name, r.outcome_label) for r in failed] == [("strange_thing", "ghost", "失败")]
    assert audit_log.count_events(auditor, AuditFilter(action="case.")) == 1
    values = [v for v, _l in audit_log.action_choices(auditor)]
    assert values[0] == "case." and "document_printed" in values and "strange_thing" in values
    labels = dict(audit_log.action_choices(auditor))
    assert labels["document_printed"] == "打印文书（document_printed）"
    actors = dict(audit_log.actor_choices(auditor))
    assert actors["clerk"] == "名clerk（clerk）" and actors["ghost"] == "ghost"


def test_case_number_finds_the_case_and_its_referrals(people):
    case_uuid = _accept(people["clerk"], (Category.EDUCATION, Category.MEDICAL))
    with people["clerk"].db.read() as s:
        number = s.get(Case, case_uuid).case_number
    auditor = people["auditor"]
    dashed = f"{number[:9]}-{number[9:12]}-{number[12:16]}-{number[16:22]}-{number[22:]}"
    rows = audit_log.list_events(auditor, AuditFilter(text=dashed))
    actions = {r.action for r in rows}
    assert "case_created" in actions and any(a.startswith("referral.") for a in actions)
    assert {r.entity_id for r in rows if r.action == "case_created"} == {case_uuid}
    assert audit_log.list_events(auditor, AuditFilter(text=number[-8:]))     # the last digits are enough
    created = next(r for r in rows if r.action == "case_created")
    assert created.action_label == "受理登记"
    assert created.entity_label == f"案件 {dashed}"
    sent = [r for r in rows if r.action.startswith("referral.")]
    assert sent and all(r.entity_label.startswith(f"案件 {dashed}（") for r in sent)


def test_verify_is_read_only_and_detects_tampering(people, admin_session):
    db = admin_session.db
    _log(db, 5)
    auditor = people["auditor"]
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEvent))
    report = audit_log.verify(auditor)
    assert report.ok and report.events == before
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before
        target = s.scalar(select(AuditEvent.seq).where(AuditEvent.action == "probe").order_by(AuditEvent.seq)
                          .offset(2).limit(1))
    with db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == target).values(actor="mallory"))
    bad = audit_log.verify(auditor)
    assert not bad.ok and bad.first_broken_seq == target


def test_export_writes_the_filtered_rows_and_is_audited(people, admin_session, tmp_path):
    _log(admin_session.db, 7, action="probe")
    _log(admin_session.db, 2, action="other")
    auditor = people["auditor"]
    out = tmp_path / "audit.csv"
    n = audit_log.export_csv(auditor, AuditFilter(action="probe"), out)
    assert n == 7
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "序号" and len(rows) == 8
    assert {r[5] for r in rows[1:]} == {"probe"} and rows[1][7] == "thing"
    assert [int(r[0]) for r in rows[1:]] == sorted((int(r[0]) for r in rows[1:]), reverse=True)
    last = audit_log.list_events(auditor, limit=1)[0]
    assert last.action == "audit_exported" and last.action_label == "导出审计日志"
    assert '"events":7' in last.detail
    assert audit_log.verify(auditor).ok
