"""Replaying a township's event log on an empty model: what the county rebuilds from it.

:func:`replay` is a pure fold over parsed events in ``seq`` order. It keeps
what the county needs of a township — households, persons, cases (status,
categories, number, family), referrals (state, result), coverages, emergency
grants and notice batches — as plain dataclasses. It is strict: an event whose
parent was never seen, or a status change that does not start where the case
stands, raises :class:`ReplayError` (Chinese message): the log is incomplete or
out of order, and the hub must ask again rather than guess.

Clocks, prints and users are not in the log (the hub recomputes clocks from
policy, see docs/ARCHITECTURE.md), so they are not in the model either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import events as ev

__all__ = ["CaseRecord", "CoverageRecord", "ReferralRecord", "ReplayError", "TownshipModel", "fold", "replay"]


class ReplayError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CaseRecord:
    uuid: str
    case_number: str
    household_uuid: str
    applicant_uuid: str
    division_code: str
    status: str
    categories: list[str]
    documents_missing: list[str]
    transitions: list[str] = field(default_factory=list)
    contact_phone: str = ""        # as given with the application ("无": none; "": not recorded)


@dataclass
class ReferralRecord:
    uuid: str
    case_uuid: str
    department: str
    categories: list[str]
    state: str
    result: str | None = None
    amount_cents: int | None = None


@dataclass
class CoverageRecord:
    uuid: str
    household_uuid: str
    case_uuid: str
    category: str
    since: date
    until: date | None
    monthly_amount_cents: int


@dataclass
class TownshipModel:
    households: dict[str, dict[str, Any]] = field(default_factory=dict)   # uuid -> township-owned fields
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)      # uuid -> township-owned fields
    cases: dict[str, CaseRecord] = field(default_factory=dict)
    referrals: dict[str, ReferralRecord] = field(default_factory=dict)
    coverages: dict[str, CoverageRecord] = field(default_factory=dict)
    grants: dict[str, ev.EmergencyGrantCreated] = field(default_factory=dict)
    notice_batches: dict[str, str] = field(default_factory=dict)          # uuid -> status
    attachments: dict[str, str] = field(default_factory=dict)             # uuid -> sha256
    blobs: set[str] = field(default_factory=set)                          # every sha256 an event named

    def knows(self, kind: str, uuid: str) -> bool:
        table = {"household": self.households, "person": self.persons, "case": self.cases,
                 "referral": self.referrals, "coverage": self.coverages, "emergency_grant": self.grants,
                 "notice_batch": self.notice_batches, "attachment": self.attachments}.get(kind)
        return table is not None and uuid in table


_LABELS = {"household": "家庭", "person": "家庭成员", "case": "案件", "referral": "转办", "coverage": "救助待遇",
           "notice_batch": "公示批次", "emergency_grant": "先行救助", "attachment": "附件"}


def replay(events: Iterable[ev.Event]) -> TownshipModel:
    """The model the events build, applied in the order given (the log's ``seq`` order)."""
    model = TownshipModel()
    for n, event in enumerate(events, start=1):
        for kind, uuid in event.parents():
            if not model.knows(kind, uuid):
                raise ReplayError(f"第{n}个事件（{event.TYPE}）所属的{_LABELS.get(kind, kind)}尚未出现：事件记录不完整或顺序有误。")
        _apply(model, event, n)
    return model


def fold(model: TownshipModel, event: ev.Event, n: int = 0) -> None:
    """Apply one event to ``model`` (the step :func:`replay` takes for each). The hub keeps its
    projections with it, one accepted event at a time, on a model holding only the records the event
    touches; :class:`ReplayError` when the event does not fit them."""
    for kind, uuid in event.parents():
        if not model.knows(kind, uuid):
            raise ReplayError(f"事件（{event.TYPE}）所属的{_LABELS.get(kind, kind)}尚未出现：事件记录不完整或顺序有误。")
    _apply(model, event, n)


_DECIDED = {"approve": "approved", "refuse": "refused"}


def _apply(m: TownshipModel, e: ev.Event, n: int) -> None:  # noqa: C901 (one branch per event family)
    if isinstance(e, ev.CountyCaseDecided):
        case = m.cases[e.case_uuid]
        if case.status != "awaiting_decision":
            raise ReplayError(f"县级审核确认：案件 {e.case_number} 的状态应为“awaiting_decision”，记录中为“{case.status}”。")
        case.status = _DECIDED[e.decision]
        case.transitions.append(e.decision)
    elif isinstance(e, ev.CountyReferralConcluded):
        ref = m.referrals[e.referral_uuid]
        ref.state, ref.result, ref.amount_cents = "concluded", e.result, e.amount_cents
    elif isinstance(e, ev.HouseholdSnapshot | ev.PersonSnapshot):
        fields = e.model_dump()
        table = m.households if isinstance(e, ev.HouseholdSnapshot) else m.persons
        table[e.subject()] = fields
    elif isinstance(e, ev.CaseCreated):
        if e.case_uuid in m.cases:
            raise ReplayError(f"第{n}个事件重复创建了案件 {e.case_number}。")
        m.cases[e.case_uuid] = CaseRecord(e.case_uuid, e.case_number, e.household_uuid, e.applicant_uuid,
                                          e.division_code, e.status, list(e.categories), list(e.documents_missing),
                                          contact_phone=e.contact_phone)
    elif isinstance(e, ev.CaseStatusChanged):
        case = m.cases[e.case_uuid]
        if case.status != e.from_status:
            raise ReplayError(f"第{n}个事件：案件 {e.case_number} 的状态应为“{e.from_status}”，"
                              f"记录中为“{case.status}”。")
        case.status = e.to_status
        case.transitions.append(e.transition)
    elif isinstance(e, ev.CaseDocumentsReceived):
        case = m.cases[e.case_uuid]
        case.documents_missing = [c for c in case.documents_missing if c not in e.codes]
    elif isinstance(e, ev.ReferralCreated | ev.ReferralBackfilled):
        m.referrals[e.referral_uuid] = ReferralRecord(e.referral_uuid, e.case_uuid, e.department,
                                                      list(e.categories), e.state)
    elif isinstance(e, ev.ReferralConcluded):
        ref = m.referrals[e.referral_uuid]
        ref.state, ref.result, ref.amount_cents = e.state, e.result, e.amount_cents
        _blob(m, e.reply_sha256)
    elif isinstance(e, ev.ReferralReplyAttached):
        m.referrals[e.referral_uuid].state = e.state
        _blob(m, e.reply_sha256)
    elif e.entity == "referral":      # sent, received, returned, cancelled: the step's state
        m.referrals[e.subject()].state = e.state  # type: ignore[attr-defined]
    elif isinstance(e, ev.CoverageCreated):
        m.coverages[e.coverage_uuid] = CoverageRecord(e.coverage_uuid, e.household_uuid, e.case_uuid, e.category,
                                                      e.since, None, e.monthly_amount_cents)
    elif isinstance(e, ev.RecheckRecorded):
        cov = m.coverages[e.coverage_uuid]
        cov.monthly_amount_cents = e.amount_after_cents
        if e.outcome == "stop":
            cov.until = e.done_on
    elif isinstance(e, ev.EmergencyGrantCreated):
        m.grants[e.grant_uuid] = e
    elif e.entity == "notice_batch":
        m.notice_batches[e.subject()] = e.status  # type: ignore[attr-defined]
    elif isinstance(e, ev.AttachmentAdded):
        m.attachments[e.attachment_uuid] = e.sha256
        _blob(m, e.sha256)
    for name in ("signed_form_sha256", "report_sha256", "minutes_sha256"):
        _blob(m, getattr(e, name, None))


def _blob(m: TownshipModel, sha256: str | None) -> None:
    if sha256:
        m.blobs.add(sha256)
