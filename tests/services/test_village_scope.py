"""A village assistant works for its villages only — at the service layer — and sends on to the township
what it may not decide (不予受理 is a township decision): 待乡镇审查, then the clerk accepts or refuses."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from conftest import FAST_KDF, TEST_TOWNSHIP
from factories import EAST_VILLAGE, complete_application, make_id
from sqlalchemy import func, select

from desktop.domain.case_state import CaseStatus
from desktop.domain.household import Person, Relation
from desktop.domain.roles import OutsideVillages, PermissionDenied, Role
from desktop.services.admin import accounts
from desktop.services.cases import detail as cases
from desktop.services.documents import issue as documents
from desktop.services.errors import InvalidInput
from desktop.services.intake import accept, search
from desktop.services.intake import form as intake_form
from desktop.services.session import AppSession
from desktop.services.workflow import transitions as workflow
from desktop.services.workflow.facts import TransitionInput
from desktop.store.models import AuditEvent, Case, Household, OutboxItem, StatusChange

WEST = TEST_TOWNSHIP.villages[1][0]
WEST_HEAD = make_id("62010219800303003")


def west_application(session: AppSession, missing: bool = False):  # type: ignore[no-untyped-def]
    """王五明's family of 西沟村, every document received (or the first one ``missing``)."""
    app = complete_application(session)
    hh = dataclasses.replace(app.household, division_code=WEST, address="西沟村一组3号",
                             members=(Person("王五明", WEST_HEAD, Relation.SELF),))
    app = dataclasses.replace(app, household=hh, applicant_id_number=WEST_HEAD)
    if missing:
        first, *rest = app.documents_received
        app = dataclasses.replace(app, documents_received=tuple(rest), documents_missing=(first,))
    return app


class Town:
    def __init__(self, clerk: AppSession, assistant: AppSession) -> None:
        self.clerk, self.assistant = clerk, assistant
        self.east = accept.submit_application(clerk, complete_application(clerk), "accept")
        self.west = accept.submit_application(clerk, west_application(clerk, missing=True), "missing_documents")
        with clerk.db.read() as s:
            self.east_household = s.get(Case, self.east.case_uuid).household_uuid
            self.west_household = s.get(Case, self.west.case_uuid).household_uuid


@pytest.fixture
def town(admin_session, data_dir) -> Iterator[Town]:
    accounts.add_user(admin_session, "clerk", "王经办", Role.CLERK, "clerk-pass-1")
    accounts.add_user(admin_session, "xieli", "马协理", Role.VILLAGE_ASSISTANT, "xieli-pass-1", villages=[EAST_VILLAGE])
    clerk = accounts.sign_in(data_dir, "clerk", "clerk-pass-1", kdf=FAST_KDF)
    assistant = accounts.sign_in(data_dir, "xieli", "xieli-pass-1", kdf=FAST_KDF)
    try:
        yield Town(clerk, assistant)
    finally:
        clerk.close()
        assistant.close()


def _written(session: AppSession) -> tuple[int, ...]:
    with session.db.read() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Case, Household, StatusChange, AuditEvent, OutboxItem))


def _refused(session: AppSession, call) -> None:  # type: ignore[no-untyped-def]
    before = _written(session)
    with pytest.raises(OutsideVillages) as err:
        call()
    assert "不属于您负责的村" in err.value.message
    assert _written(session) == before


def test_search_finds_only_the_assistants_villages(town):
    a, c = town.assistant, town.clerk
    assert [h.household_uuid for h in search.search(a, "张三明").households] == [town.east_household]
    assert search.search(a, "王五明").households == ()
    assert [h.household_uuid for h in search.search(c, "王五明").households] == [town.west_household]
    assert search.search(a, WEST_HEAD).households == ()          # by ID number: not there either
    assert search.search(a, WEST_HEAD[-4:]).households == ()      # nor by its tail
    west_number = town.west.case_number_display
    assert search.search(a, west_number).households == () and search.search(a, west_number).case is None
    assert search.search(c, west_number).case is not None
    assert [o.code for o in intake_form.villages(a)] == [EAST_VILLAGE]
    assert [o.code for o in intake_form.villages(c)] == [code for code, _n in TEST_TOWNSHIP.villages]
    assert accept.existing_records(a, WEST_HEAD) == []
    assert len(accept.existing_records(c, WEST_HEAD)) == 1


def test_another_villages_family_cannot_be_opened_or_taken_in(town):
    a = town.assistant
    _refused(a, lambda: intake_form.load_household(a, town.west_household))
    _refused(a, lambda: intake_form.checklist(a, WEST, ["dibao"]))
    _refused(a, lambda: accept.submit_application(a, west_application(a), "accept"))
    east = complete_application(a)   # the east family's form sent onto the west household's record
    _refused(a, lambda: accept.submit_application(a, east, "accept", household_uuid=town.west_household))
    assert intake_form.load_household(a, town.east_household).household_uuid == town.east_household


def test_receipts_and_documents_only_for_its_villages(town):
    a = town.assistant
    _refused(a, lambda: documents.print_missing_documents_notice(a, town.west.case_uuid))
    _refused(a, lambda: documents.print_receipt(a, town.west.case_uuid, preview=True))
    preview = documents.print_missing_documents_notice(town.clerk, town.west.case_uuid, preview=True)
    _refused(a, lambda: documents.record_preview(a, town.west.case_uuid, preview))
    _refused(a, lambda: workflow.mark_documents_received(a, town.west.case_uuid, ["hukou"]))
    assert documents.print_receipt(a, town.east.case_uuid).recorded     # its own village's: printed (副本)


def test_the_assistant_cannot_refuse_and_sends_on_with_a_note(town):
    a, c = town.assistant, town.clerk
    app = complete_application(a)
    before = _written(a)
    with pytest.raises(PermissionDenied) as err:
        accept.submit_application(a, app, "refuse", refusal_reason="不符合条件")
    assert "不予受理是乡镇的决定" in err.value.message and "提交乡镇审查" in err.value.message
    with pytest.raises(InvalidInput) as bad:
        accept.submit_application(a, app, "township_review", review_note="  ")
    assert bad.value.field == "review_note" and "写明情况" in bad.value.message
    assert _written(a) == before
    note = "申请人去年已享受临时救助，是否可再次申请请乡镇把关。"
    sent = accept.submit_application(a, app, "township_review", review_note=note)
    assert sent.status is CaseStatus.TOWNSHIP_REVIEW and sent.decision_due is None
    with c.db.read() as s:
        change = s.scalars(select(StatusChange).where(StatusChange.case_uuid == sent.case_uuid)).one()
        created = s.scalars(select(OutboxItem).where(OutboxItem.event_type == "case.created")
                            .order_by(OutboxItem.id.desc())).first()
    assert (change.to_status, change.reason, change.actor) == ("township_review", note, "xieli")
    payload = created.payload
    assert payload["status"] == "township_review" and payload["refusal_reason"] == ""
    with pytest.raises(InvalidInput):
        intake_form.print_intake_document(a, sent.case_uuid, sent.status)
    # the clerk sees it, with the note, and decides
    d = cases.case_detail(c, sent.case_uuid)
    assert d.status == "township_review"
    assert any(note == e.detail and "提交乡镇审查" in e.what for e in d.timeline)
    assert {o.name for o in d.actions} >= {"review_accept", "review_refuse"}
    with pytest.raises(PermissionDenied):
        workflow.transition(a, sent.case_uuid, "review_accept")
    assert workflow.transition(c, sent.case_uuid, "review_accept") is CaseStatus.ACCEPTED
    with c.db.read() as s:
        case = s.get(Case, sent.case_uuid)
        assert case.accepted_on is not None and case.decision_due is not None
        moved = s.scalars(select(OutboxItem).where(OutboxItem.event_type == "case.status_changed")
                          .order_by(OutboxItem.id.desc())).first()
    assert moved.payload["transition"] == "review_accept"


def test_the_township_refuses_what_was_sent_on(town):
    a, c = town.assistant, town.clerk
    sent = accept.submit_application(a, complete_application(a), "township_review", review_note="请乡镇审查")
    with pytest.raises(Exception, match="请填写不予受理的理由"):
        workflow.transition(c, sent.case_uuid, "review_refuse", TransitionInput(reason=""))
    assert workflow.transition(c, sent.case_uuid, "review_refuse",
                               TransitionInput(reason="户籍不在本乡镇")) is CaseStatus.NOT_ACCEPTED
    assert documents.print_refusal(c, sent.case_uuid).recorded
