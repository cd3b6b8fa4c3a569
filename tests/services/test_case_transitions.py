"""Case transitions through the service: guarded by role and facts, audited, queued for the county."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import FAST_KDF
from factories import sample_application as _app
from factories import to_decision, villages_of
from sqlalchemy import func, select

from desktop.domain.case_state import CaseStatus, TransitionRefused
from desktop.domain.categories import Category
from desktop.domain.household import Application
from desktop.domain.roles import PermissionDenied, Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.intake.accept import submit_application
from desktop.services.workflow import transitions as cases
from desktop.store import audit
from desktop.store.models import AuditEvent, Case, OutboxItem, StatusChange


@pytest.fixture
def people(admin_session, data_dir):
    for name, role in (("clerk", Role.CLERK), ("supervisor", Role.SUPERVISOR),
                       ("assistant", Role.VILLAGE_ASSISTANT)):
        auth.add_user(admin_session, name, name, role, f"{name}-pass-1", **villages_of(role))
    sessions = {n: sign_in(data_dir, n, f"{n}-pass-1", kdf=FAST_KDF) for n in ("clerk", "supervisor", "assistant")}
    yield sessions
    for s in sessions.values():
        s.close()


def _accepted_case(clerk) -> str:
    from desktop.services.deadlines import planner as clocks

    plan = clocks.DeadlinePlanner.bundled().plan("620102101201", datetime.now(UTC).date(), [Category.DIBAO])
    app = _app()
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(c for c, _n in plan.documents))
    return submit_application(clerk, app, "accept").case_uuid


def _counts(session):
    with session.db.read() as s:
        return (s.scalar(select(func.count()).select_from(StatusChange)),
                s.scalar(select(func.count()).select_from(AuditEvent)),
                s.scalar(select(func.count()).select_from(OutboxItem)))


def test_transition_writes_status_history_audit_and_outbox_together(people):
    clerk = people["clerk"]
    case_uuid = _accepted_case(clerk)
    before = _counts(clerk)
    assert cases.transition(clerk, case_uuid, "start_investigation") is CaseStatus.INVESTIGATING
    assert _counts(clerk) == (before[0] + 1, before[1] + 1, before[2] + 1)
    with clerk.db.read() as s:
        assert s.get(Case, case_uuid).status == "investigating"
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert ev.action == "case.start_investigation" and ev.entity_id == case_uuid
        item = s.scalars(select(OutboxItem).order_by(OutboxItem.id.desc())).first()
        assert item.event_type == "case.status_changed" and item.state == "pending"
        assert item.payload["to_status"] == "investigating" and item.payload["from_status"] == "accepted"
        assert audit.verify_chain(s).ok


def test_refused_transition_changes_nothing(people):
    clerk = people["clerk"]
    case_uuid = _accepted_case(clerk)
    before = _counts(clerk)
    with pytest.raises(TransitionRefused) as err:
        cases.transition(clerk, case_uuid, "withdraw")          # reason required
    assert "理由" in err.value.message or "原因" in err.value.message
    with pytest.raises(TransitionRefused):
        cases.transition(clerk, case_uuid, "approve")           # wrong status and role
    assert _counts(clerk) == before
    with clerk.db.read() as s:
        assert s.get(Case, case_uuid).status == "accepted"


def test_roles_at_the_service_layer(people):
    clerk, supervisor, assistant = people["clerk"], people["supervisor"], people["assistant"]
    case_uuid = _accepted_case(clerk)
    with pytest.raises(PermissionDenied):
        cases.transition(assistant, case_uuid, "start_investigation")
    to_decision(clerk, case_uuid)
    with pytest.raises(TransitionRefused) as err:
        cases.transition(clerk, case_uuid, "approve")
    assert err.value.code == "role"
    assert cases.transition(supervisor, case_uuid, "approve") is CaseStatus.APPROVED


def test_options_show_what_this_user_may_do(people):
    clerk = people["clerk"]
    case_uuid = _accepted_case(clerk)
    names = {o.name: o for o in cases.options(clerk, case_uuid)}
    assert {"start_investigation", "refer", "withdraw"} <= set(names)
    assert "grant_emergency_aid" not in names          # supervisor only
    assert names["start_investigation"].enabled
    assert not names["withdraw"].enabled               # needs a reason first


def test_documents_brought_later_complete_the_case_and_start_the_clock(people):
    from desktop.services.deadlines import planner as clocks

    clerk = people["clerk"]
    plan = clocks.DeadlinePlanner.bundled().plan("620102101201", datetime.now(UTC).date(), [Category.DIBAO])
    needed = [c for c, _n in plan.documents if c not in plan.conditional]
    app = _app()
    app = Application(app.categories, app.reason, app.channel, app.household, app.applicant_id_number,
                      documents_received=tuple(needed[1:]), documents_missing=tuple(needed[:1]))
    case_uuid = submit_application(clerk, app, "missing_documents").case_uuid
    with pytest.raises(TransitionRefused):
        cases.transition(clerk, case_uuid, "complete_documents")
    assert cases.mark_documents_received(clerk, case_uuid, needed[:1]) == ()
    assert cases.transition(clerk, case_uuid, "complete_documents") is CaseStatus.ACCEPTED
    with clerk.db.read() as s:
        case = s.get(Case, case_uuid)
        assert case.accepted_on == datetime.now(UTC).astimezone().date()
        assert case.decision_due == plan.decision_due or plan.decision_due is None
        assert case.received_at.tzinfo is not None


def test_mark_documents_refuses_bad_input(people):
    from desktop.services.errors import InvalidInput

    clerk = people["clerk"]
    case_uuid = _accepted_case(clerk)
    with pytest.raises(InvalidInput) as err:
        cases.mark_documents_received(clerk, case_uuid, ["application_form"])
    assert "无需补正" in err.value.message
    with pytest.raises(InvalidInput):
        cases.mark_documents_received(clerk, case_uuid, [])
