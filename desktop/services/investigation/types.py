"""Inputs and views of the investigation service (frozen, safe to pass to the window's thread).

Re-exported by :mod:`desktop.services.investigation.records`, which is what callers import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.domain.investigation import DeliberationResult, EconomicCheckConclusion


@dataclass(frozen=True)
class AttachmentInput:
    file_name: str
    data: bytes


@dataclass(frozen=True)
class HomeVisitInput:
    visited_on: date
    investigators: tuple[str, ...]
    findings: str
    proposed_monthly_cents: int | None = None
    signed_form: AttachmentInput | None = None


@dataclass(frozen=True)
class CheckRequestInput:
    requested_on: date
    requested_to: str                 # e.g. 县级居民家庭经济状况核对中心
    note: str = ""


@dataclass(frozen=True)
class CheckResultInput:
    result_on: date
    conclusion: EconomicCheckConclusion | str
    summary: str
    report: AttachmentInput | None = None


@dataclass(frozen=True)
class NeighbourVisitInput:
    visited_on: date
    interviewees: str                 # who was asked (e.g. 邻居张某、村民小组长李某)
    summary: str


@dataclass(frozen=True)
class DeliberationInput:
    held_on: date
    participants: int
    result: DeliberationResult | str
    summary: str = ""
    minutes: AttachmentInput | None = None


@dataclass(frozen=True)
class AttachmentInfo:
    uuid: str
    purpose_label: str
    file_name: str
    mime: str
    size: int
    sha256: str


@dataclass(frozen=True)
class HomeVisitInfo:
    uuid: str
    visited_on: date
    investigators: tuple[str, ...]
    findings: str
    proposed_monthly_cents: int | None
    form: AttachmentInfo | None
    counts: bool                      # recorded after the latest objection / return


@dataclass(frozen=True)
class EconomicCheckInfo:
    uuid: str
    requested_on: date
    requested_to: str
    request_note: str
    result_on: date | None
    conclusion: str | None
    conclusion_label: str
    summary: str
    report: AttachmentInfo | None


@dataclass(frozen=True)
class NeighbourVisitInfo:
    uuid: str
    visited_on: date
    interviewees: str
    summary: str


@dataclass(frozen=True)
class DeliberationInfo:
    uuid: str
    held_on: date
    participants: int
    result_label: str
    summary: str
    minutes: AttachmentInfo | None


@dataclass(frozen=True)
class InvestigationView:
    case_uuid: str
    status: str
    can_record: bool                  # the user may record and the case is in a status that takes records
    economic_check_required: bool
    deliberation_required: bool
    home_visits: tuple[HomeVisitInfo, ...]
    checks: tuple[EconomicCheckInfo, ...]
    neighbour_visits: tuple[NeighbourVisitInfo, ...]
    deliberations: tuple[DeliberationInfo, ...]
    missing: tuple[str, ...]
    home_visit_min_investigators: int = 2   # policy: distinct staff a home visit needs
