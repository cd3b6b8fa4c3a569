"""The demo's work not yet carried to the county, queued as the event log would hold it.

The bulk cases of the demo are inserted without going through intake, so the
events of those still to be sent are queued here from what the database holds:
for each case, its household and members (once each), then the case as
received, then the status changes of its demo history. That is done for the
cases received in the last days (with their bulk insert) and for those the
demo's notice batches go on with (just before the notice services queue
their home visits, checks and moves), so the demo's whole log replays; older
demo cases are taken as already at the county.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.services.intake import snapshots
from desktop.store import outbox
from desktop.store.models import Case, CaseCategory, CaseDocument, Household, OutboxItem, Person, StatusChange
from sync import events as ev

__all__ = ["queue_cases"]


def queue_cases(s: Session, case_uuids: Iterable[str]) -> int:
    """Queue the family and the events of each case not queued yet; returns how many events were queued."""
    queued = 0
    known = set(s.scalars(select(OutboxItem.entity_uuid).where(OutboxItem.entity_type.in_(("household", "case")))))
    for case_uuid in case_uuids:
        case = s.get(Case, case_uuid)
        if case is None or case_uuid in known:
            continue
        if case.household_uuid not in known:
            known.add(case.household_uuid)
            hh = s.get(Household, case.household_uuid)
            assert hh is not None
            outbox.enqueue(s, snapshots.household_event(hh))
            queued += 1
            for p in s.scalars(select(Person).where(Person.household_uuid == hh.uuid).order_by(Person.position)):
                outbox.enqueue(s, snapshots.person_event(p))
                queued += 1
        known.add(case_uuid)
        queued += _queue_case(s, case)
    return queued


def _queue_case(s: Session, case: Case) -> int:
    cats = list(s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case.uuid)))
    docs = s.execute(select(CaseDocument.code, CaseDocument.received).where(CaseDocument.case_uuid == case.uuid)
                     .order_by(CaseDocument.id)).all()
    steps = list(s.scalars(select(StatusChange).where(StatusChange.case_uuid == case.uuid)
                           .order_by(StatusChange.at, StatusChange.id)))
    first = steps[0]
    outbox.enqueue(s, ev.CaseCreated(
        case_uuid=case.uuid, case_number=case.case_number, household_uuid=case.household_uuid,
        applicant_uuid=case.applicant_uuid, division_code=case.division_code, categories=cats,
        status=first.to_status, reason=case.reason, channel=case.channel, emergency=case.emergency,
        staff_relative=case.staff_relative, received_at=case.received_at, accepted_on=case.accepted_on,
        policy_ref=case.policy_ref, documents_received=[c for c, got in docs if got],
        documents_missing=[c for c, got in docs if not got], refusal_reason=first.reason,
        contact_phone=case.contact_phone or ""))
    for ch in steps[1:]:
        outbox.enqueue(s, ev.CaseStatusChanged(
            case_uuid=case.uuid, case_number=case.case_number, transition=ch.transition,
            from_status=ch.from_status or "", to_status=ch.to_status, reason=ch.reason, amount_cents=None,
            at=ch.at))
    return len(steps)
