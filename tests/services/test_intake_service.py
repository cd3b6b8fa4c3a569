"""Intake writes case, members, checklist, audit and outbox in one transaction — or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import TEST_TOWNSHIP
from factories import HEAD, WIFE
from factories import sample_application as _app
from sqlalchemy import func, select

from desktop.domain.case_number import parse_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.household import Application, Household, HukouType, Person, Relation
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import InvalidInput
from desktop.services.intake.accept import existing_records, submit_application
from desktop.store.models import AuditEvent, Case, CaseDocument, OutboxItem
from desktop.store.models import Person as PersonRow

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)   # 10:30 Beijing, a Monday


def _docs(categories=(Category.DIBAO,)):
    plan = clocks.DeadlinePlanner.bundled().plan("620102101201", NOW.date(), list(categories))
    return [c for c, _n in plan.documents]


def _with_docs(app: Application, received, missing=()) -> Application:
    return Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                       documents_received=tuple(received), documents_missing=tuple(missing),
                       emergency=app.emergency)


def _rows(session):
    with session.db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Case, PersonRow, AuditEvent, OutboxItem))


def test_accept_commits_everything_once(clerk):
    before = _rows(clerk)
    r = submit_application(clerk, _with_docs(_app(), _docs()), "accept", now=NOW)
    assert r.status is CaseStatus.ACCEPTED
    n = parse_case_number(r.case_number)
    assert (n.township_code, n.device_code, n.year, n.sequence) == (TEST_TOWNSHIP.township_code, "007", 2026, 1)
    assert r.decision_due is not None and r.decision_due > NOW.date()
    # the case, audited and queued after its household and two members; 低保 is carried by the township
    # procedure: no referral
    assert _rows(clerk) == (before[0] + 1, before[1] + 2, before[2] + 1, before[3] + 4)
    r2 = submit_application(clerk, _with_docs(_app(), _docs()), "accept", now=NOW)
    assert parse_case_number(r2.case_number).sequence == 2
    found = existing_records(clerk, HEAD)
    assert {c for f in found for c in f.open_case_numbers} == {r.case_number, r2.case_number}


@pytest.fixture
def clerk(admin_session):
    from conftest import FAST_KDF

    from desktop.domain.roles import Role
    from desktop.services.admin import accounts as auth
    from desktop.services.admin.accounts import sign_in

    auth.add_user(admin_session, "clerk", "王晓燕", Role.CLERK, "clerk-pass-1")
    s = sign_in(admin_session.db.data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    yield s
    s.close()


def test_missing_documents_path(clerk):
    docs = _docs()
    r = submit_application(clerk, _with_docs(_app(), docs[:-1], docs[-1:]), "missing_documents", now=NOW)
    assert r.status is CaseStatus.PENDING_DOCUMENTS and r.decision_due is None
    assert len(r.documents_missing) == 1
    with clerk.db.read() as s:
        missing = s.scalars(select(CaseDocument.code).where(CaseDocument.case_uuid == r.case_uuid,
                                                            CaseDocument.received.is_(False))).all()
    assert missing == docs[-1:]


def test_conditional_documents_may_not_apply(clerk):
    plan = clocks.DeadlinePlanner.bundled().plan("620102101201", NOW.date(), [Category.DIBAO])
    assert plan.conditional, "the 低保 checklist has conditional documents (残疾人证 …)"
    needed = [c for c, _n in plan.documents if c not in plan.conditional]
    r = submit_application(clerk, _with_docs(_app(), needed), "accept", now=NOW)
    assert r.status is CaseStatus.ACCEPTED
    with clerk.db.read() as s:
        stored = set(s.scalars(select(CaseDocument.code).where(CaseDocument.case_uuid == r.case_uuid)).all())
    assert stored == set(needed)


def test_refusal_needs_a_reason(clerk):
    before = _rows(clerk)
    with pytest.raises(InvalidInput) as err:
        submit_application(clerk, _with_docs(_app(), _docs()), "refuse", now=NOW)
    assert "理由" in err.value.message
    assert _rows(clerk) == before
    r = submit_application(clerk, _with_docs(_app(), _docs()), "refuse", refusal_reason="户籍不在本乡镇", now=NOW)
    assert r.status is CaseStatus.NOT_ACCEPTED


@pytest.mark.parametrize("mutate,needle", [
    (lambda a: _with_docs(a, _docs()[1:]), "已收到还是缺少"),
    (lambda a: _with_docs(a, _docs(), _docs()[:1]), "同时"),
    (lambda a: _with_docs(a, _docs()[:-1], _docs()[-1:]), "一次性告知书"),
    (lambda a: _with_docs(a, _docs() + ["no_such_doc"]), "不在"),
    (lambda a: _with_docs(Application(a.categories, "", a.channel, a.household, HEAD), _docs()), ""),
    (lambda a: _with_docs(Application(a.categories, a.reason, a.channel, Household(
        "620102101201", HukouType.RURAL, "x", (Person("张三明", HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1"),
                                                      Relation.SELF),)), HEAD), _docs()), ""),
    (lambda a: _with_docs(Application(a.categories, a.reason, a.channel, Household(
        "620102101999", HukouType.RURAL, "x", a.household.members), HEAD), _docs()), "不属于本乡镇"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(clerk, mutate, needle):
    before = _rows(clerk)
    with pytest.raises(InvalidInput) as err:
        submit_application(clerk, mutate(_app()), "accept", now=NOW)
    msg = err.value.message
    assert msg and any("\u4e00" <= ch <= "\u9fff" for ch in msg)
    assert needle in msg
    assert _rows(clerk) == before
    assert WIFE not in msg and HEAD not in msg      # never echo an ID number
