"""The event log's vocabulary: one typed, versioned event class per operation the county receives.

A township queues these in its outbox (``desktop.store.outbox.enqueue``) in the
same transaction as the change; the county hub (Step 8) parses them with
:func:`parse_event` and rebuilds the township's records with
:func:`sync.replay.replay`. Pure pydantic v2: nothing here knows a database.

Each class names its ``TYPE`` (``"<entity>.<operation>"``), its
``SCHEMA_VERSION`` (raised when a field changes meaning or shape; the hub keeps
a reader per version, and :func:`parse_event` still reads the older versions a class lists in
``UPGRADES``, brought to the current shape) and its typed fields — dates as :class:`date`, instants as
aware :class:`datetime`, money as integer cents, enumerations as their stable
English code. Every event names the uuid of the record it is about
(:meth:`Event.subject`) and the records it depends on (:meth:`Event.parents`):
those were queued before it. :func:`canonical_json` is the byte form the
idempotency key is compared on (same key, different bytes = a conflict).

``schema_version`` 0 on an outbox row means a row written before the typed log
(Step 6): its payload is the old hand-built dict, kept for the record, never
parsed (:class:`EventError`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, ValidationError

__all__ = [
    "COUNTY_TYPES", "EVENT_TYPES", "LEGACY_VERSION", "Event", "EventError", "Ref", "canonical_json", "parse_event", "payload_of",
]

LEGACY_VERSION = 0

Ref = tuple[str, str]   # (entity kind, uuid) of a record an event depends on


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# An instant: must carry its offset; kept in UTC, so one instant has one serialised form.
Instant = Annotated[AwareDatetime, AfterValidator(_utc)]


class EventError(ValueError):
    """An event the reader cannot take: unknown type or version, or a payload that does not fit."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    TYPE: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1
    # older versions still read: version -> how its payload becomes the current one (rows queued before the change)
    UPGRADES: ClassVar[dict[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {}
    ENTITY_FIELD: ClassVar[str] = ""      # the field holding the uuid of the record the event is about

    @property
    def entity(self) -> str:
        return self.TYPE.split(".", 1)[0]

    def subject(self) -> str:
        return str(getattr(self, self.ENTITY_FIELD))

    def parents(self) -> tuple[Ref, ...]:
        """Records that must have been queued before this event (their first event)."""
        return ()


# ------------------------------------------------------------------ households and persons

class HouseholdSnapshot(Event):
    """The township-owned fields of a household, whole (queued on creation and on every change)."""

    TYPE: ClassVar[str] = "household.snapshot"
    ENTITY_FIELD: ClassVar[str] = "household_uuid"
    household_uuid: str
    division_code: str
    hukou_type: str
    address: str


class PersonSnapshot(Event):
    """One member's township-owned fields, whole. The ID number travels: the county dedups by it."""

    TYPE: ClassVar[str] = "person.snapshot"
    ENTITY_FIELD: ClassVar[str] = "person_uuid"
    person_uuid: str
    household_uuid: str
    position: int
    name: str
    id_number: str
    birth_date: date | None
    sex: str
    ethnicity: str
    relation: str
    health: str
    disability_category: str
    disability_grade: str
    labour_capacity: str
    employment: str
    monthly_income_cents: int
    is_obliged_supporter: bool
    staff_relative: bool

    def parents(self) -> tuple[Ref, ...]:
        return (("household", self.household_uuid),)


# ------------------------------------------------------------------ cases

class _CaseEvent(Event):
    ENTITY_FIELD: ClassVar[str] = "case_uuid"
    case_uuid: str
    case_number: str

    def parents(self) -> tuple[Ref, ...]:
        return (("case", self.case_uuid),)


def _case_created_v1(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "contact_phone": ""}     # version 1 had no phone: "" = not recorded


class CaseCreated(_CaseEvent):
    """Version 2 added ``contact_phone`` (a number, "无" = the applicant has none, "" = not recorded)."""

    TYPE: ClassVar[str] = "case.created"
    SCHEMA_VERSION: ClassVar[int] = 2
    UPGRADES: ClassVar[dict[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {1: _case_created_v1}
    household_uuid: str
    applicant_uuid: str
    division_code: str
    categories: list[str]
    status: str
    reason: str
    channel: str
    emergency: bool
    staff_relative: bool
    received_at: Instant
    accepted_on: date | None
    policy_ref: str
    documents_received: list[str]
    documents_missing: list[str]
    refusal_reason: str
    contact_phone: str

    def parents(self) -> tuple[Ref, ...]:
        return (("household", self.household_uuid), ("person", self.applicant_uuid))


class CaseStatusChanged(_CaseEvent):
    TYPE: ClassVar[str] = "case.status_changed"
    transition: str
    from_status: str
    to_status: str
    reason: str
    amount_cents: int | None
    at: Instant
    notice_batch: str | None = None      # the notice batch number, for moves made by a notice
    approved_by: str | None = None       # the approver confirmed on screen, when not the one signed in


class CaseDocumentsReceived(_CaseEvent):
    TYPE: ClassVar[str] = "case.documents_received"
    codes: list[str]
    at: Instant


class CaseHomeVisitRecorded(_CaseEvent):
    TYPE: ClassVar[str] = "case.home_visit_recorded"
    visit_uuid: str
    visited_on: date
    investigators: int
    proposed_monthly_cents: int | None
    signed_form_sha256: str | None


class CaseEconomicCheckRequested(_CaseEvent):
    TYPE: ClassVar[str] = "case.economic_check_requested"
    check_uuid: str
    requested_on: date
    requested_to: str


class CaseEconomicCheckResultRecorded(_CaseEvent):
    TYPE: ClassVar[str] = "case.economic_check_result_recorded"
    check_uuid: str
    result_on: date
    conclusion: str
    report_sha256: str | None


class CaseNeighbourVisitRecorded(_CaseEvent):
    TYPE: ClassVar[str] = "case.neighbour_visit_recorded"
    visit_uuid: str
    visited_on: date


class CaseDeliberationRecorded(_CaseEvent):
    TYPE: ClassVar[str] = "case.deliberation_recorded"
    deliberation_uuid: str
    held_on: date
    participants: int
    result: str
    minutes_sha256: str | None


# ------------------------------------------------------------------ referrals

class _ReferralEvent(Event):
    """One step of a referral; every step carries the referral's whole township-side state."""

    ENTITY_FIELD: ClassVar[str] = "referral_uuid"
    referral_uuid: str
    case_uuid: str
    case_number: str
    department: str
    department_name: str
    categories: list[str]
    state: str
    deadline_working_days: int
    on_day: date | None
    note: str
    at: Instant

    def parents(self) -> tuple[Ref, ...]:
        if self.TYPE in ("referral.created", "referral.backfilled"):
            return (("case", self.case_uuid),)
        return (("case", self.case_uuid), ("referral", self.referral_uuid))


class ReferralCreated(_ReferralEvent):
    TYPE: ClassVar[str] = "referral.created"


class ReferralBackfilled(_ReferralEvent):
    """A referral made for a case accepted before referrals existed (upgrade from release 0.1.0)."""

    TYPE: ClassVar[str] = "referral.backfilled"


class ReferralSent(_ReferralEvent):
    TYPE: ClassVar[str] = "referral.sent"


class ReferralReceived(_ReferralEvent):
    TYPE: ClassVar[str] = "referral.received"


class ReferralConcluded(_ReferralEvent):
    TYPE: ClassVar[str] = "referral.concluded"
    result: str
    amount_cents: int | None
    decided_by: str
    reply_sha256: str | None


class ReferralReturned(_ReferralEvent):
    TYPE: ClassVar[str] = "referral.returned"


class ReferralCancelled(_ReferralEvent):
    TYPE: ClassVar[str] = "referral.cancelled"


class ReferralReplyAttached(_ReferralEvent):
    TYPE: ClassVar[str] = "referral.reply_attached"
    reply_sha256: str
    size: int
    media_type: str


# ------------------------------------------------------------------ emergency aid, coverage, re-checks

class EmergencyGrantCreated(Event):
    TYPE: ClassVar[str] = "emergency_grant.created"
    ENTITY_FIELD: ClassVar[str] = "grant_uuid"
    grant_uuid: str
    case_uuid: str
    case_number: str
    person_uuid: str
    amount_cents: int
    reason: str
    route: str
    granted_on: date
    approved_by: str | None
    repeat_of: str | None

    def parents(self) -> tuple[Ref, ...]:
        return (("case", self.case_uuid), ("person", self.person_uuid))


class CoverageCreated(Event):
    TYPE: ClassVar[str] = "coverage.created"
    ENTITY_FIELD: ClassVar[str] = "coverage_uuid"
    coverage_uuid: str
    household_uuid: str
    case_uuid: str
    case_number: str
    category: str
    since: date
    monthly_amount_cents: int
    recheck_class: str
    recheck_due: date

    def parents(self) -> tuple[Ref, ...]:
        return (("household", self.household_uuid), ("case", self.case_uuid))


class RecheckRecorded(Event):
    TYPE: ClassVar[str] = "recheck.recorded"
    ENTITY_FIELD: ClassVar[str] = "recheck_uuid"
    recheck_uuid: str
    coverage_uuid: str
    household_uuid: str
    category: str
    outcome: str
    done_on: date
    reason: str
    amount_before_cents: int
    amount_after_cents: int
    next_due_on: date | None
    at: Instant

    def parents(self) -> tuple[Ref, ...]:
        return (("household", self.household_uuid), ("coverage", self.coverage_uuid))


# ------------------------------------------------------------------ public notices

class _NoticeEvent(Event):
    ENTITY_FIELD: ClassVar[str] = "batch_uuid"
    batch_uuid: str
    batch_number: str
    status: str
    division_code: str
    category: str
    start_on: date
    end_on: date | None
    policy_ref: str

    def parents(self) -> tuple[Ref, ...]:
        return (("notice_batch", self.batch_uuid),)


class NoticeBatchPosted(_NoticeEvent):
    """The first event of a batch: posted (a draft never travels), with the cases it lists."""

    TYPE: ClassVar[str] = "notice_batch.posted"
    posting_uuid: str
    posted_on: date
    case_uuids: list[str]

    def parents(self) -> tuple[Ref, ...]:
        return tuple(("case", c) for c in self.case_uuids)


class NoticeBatchPostingAdded(_NoticeEvent):
    TYPE: ClassVar[str] = "notice_batch.posting_added"
    posting_uuid: str
    posted_on: date


class NoticeBatchEnded(_NoticeEvent):
    TYPE: ClassVar[str] = "notice_batch.ended"
    moved: int
    not_moved: int
    ended_on: date


class NoticeBatchWithdrawn(_NoticeEvent):
    TYPE: ClassVar[str] = "notice_batch.withdrawn"
    was: str


class NoticeBatchObjectionRecorded(_NoticeEvent):
    TYPE: ClassVar[str] = "notice_batch.objection_recorded"
    objection_uuid: str
    case_uuid: str
    case_number: str
    channel: str
    anonymous: bool
    received_on: date

    def parents(self) -> tuple[Ref, ...]:
        return (("notice_batch", self.batch_uuid), ("case", self.case_uuid))


class NoticeBatchObjectionHandled(_NoticeEvent):
    TYPE: ClassVar[str] = "notice_batch.objection_handled"
    objection_uuid: str
    case_uuid: str
    case_number: str
    result: str


# ------------------------------------------------------------------ attachments

class AttachmentAdded(Event):
    """A file kept by the township (a notice photo…) whose bytes follow as a blob (by sha256)."""

    TYPE: ClassVar[str] = "attachment.added"
    ENTITY_FIELD: ClassVar[str] = "attachment_uuid"
    attachment_uuid: str
    owner_type: str
    owner_uuid: str
    purpose: str
    sha256: str
    size: int
    media_type: str

    def parents(self) -> tuple[Ref, ...]:
        return ((self.owner_type, self.owner_uuid),)


# ------------------------------------------------------------------ the county's decisions (written at the hub)

class _CountyEvent(Event):
    """Written by the county hub (never queued by a township): it reaches the township by pull and is
    applied there through the workflow. ``decided_by`` is who decided at the county or department,
    ``decided_on`` the day of the decision, ``at`` the instant it was entered at the hub."""

    decided_by: str
    decided_on: date
    at: Instant


class CountyCaseDecided(_CountyEvent):
    """审核确认 by the county of a case waiting for it (待审核确认): approve (with the monthly or one-off
    amount, when there is one) or refuse (with the reason)."""

    TYPE: ClassVar[str] = "county.case_decided"
    ENTITY_FIELD: ClassVar[str] = "case_uuid"
    case_uuid: str
    case_number: str
    decision: Literal["approve", "refuse"]
    amount_cents: int | None
    reason: str

    def parents(self) -> tuple[Ref, ...]:
        return (("case", self.case_uuid),)


class CountyReferralConcluded(_CountyEvent):
    """A department's result of a referral (sent or received), entered at the county hub."""

    TYPE: ClassVar[str] = "county.referral_concluded"
    ENTITY_FIELD: ClassVar[str] = "referral_uuid"
    referral_uuid: str
    case_uuid: str
    case_number: str
    department: str
    result: Literal["approve", "refuse"]
    amount_cents: int | None
    note: str                     # the reason of a refusal, or a remark

    def parents(self) -> tuple[Ref, ...]:
        return (("case", self.case_uuid), ("referral", self.referral_uuid))


def _registry(*classes: type[Event]) -> dict[str, type[Event]]:
    out: dict[str, type[Event]] = {}
    for cls in classes:
        assert cls.TYPE and cls.TYPE not in out, cls
        assert cls.ENTITY_FIELD in cls.model_fields, cls
        out[cls.TYPE] = cls
    return out


EVENT_TYPES: dict[str, type[Event]] = _registry(
    HouseholdSnapshot, PersonSnapshot,
    CaseCreated, CaseStatusChanged, CaseDocumentsReceived, CaseHomeVisitRecorded, CaseEconomicCheckRequested,
    CaseEconomicCheckResultRecorded, CaseNeighbourVisitRecorded, CaseDeliberationRecorded,
    ReferralCreated, ReferralBackfilled, ReferralSent, ReferralReceived, ReferralConcluded, ReferralReturned,
    ReferralCancelled, ReferralReplyAttached,
    EmergencyGrantCreated, CoverageCreated, RecheckRecorded,
    NoticeBatchPosted, NoticeBatchPostingAdded, NoticeBatchEnded, NoticeBatchWithdrawn,
    NoticeBatchObjectionRecorded, NoticeBatchObjectionHandled,
    AttachmentAdded,
    CountyCaseDecided, CountyReferralConcluded,
)

# Written only by the county hub: a township never queues or pushes them.
COUNTY_TYPES: frozenset[str] = frozenset(t for t in EVENT_TYPES if t.startswith("county."))

_PROBLEMS = {
    "missing": "缺少", "extra_forbidden": "不应有", "int_type": "应为整数", "int_parsing": "应为整数",
    "string_type": "应为文本", "bool_type": "应为是/否", "bool_parsing": "应为是/否", "date_type": "应为日期",
    "date_parsing": "应为日期", "date_from_datetime_parsing": "应为日期", "datetime_type": "应为时间",
    "datetime_parsing": "应为时间", "datetime_from_date_parsing": "应为时间", "timezone_aware": "应带时区",
    "list_type": "应为列表", "dict_type": "应为对象", "model_type": "应为对象",
}


def parse_event(event_type: str, version: int, payload: Any) -> Event:
    """The typed event of an outbox row or a pushed item; :class:`EventError` (Chinese) when it cannot be read."""
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise EventError(f"未知的事件类型“{event_type}”。")
    if version == LEGACY_VERSION:
        raise EventError(f"事件“{event_type}”是升级前的旧格式记录（版本 0），不能按事件读取。")
    if version != cls.SCHEMA_VERSION and version not in cls.UPGRADES:
        supported = "、".join(str(v) for v in sorted({*cls.UPGRADES, cls.SCHEMA_VERSION}))
        raise EventError(f"事件“{event_type}”的版本 {version} 不受支持（支持版本 {supported}）。")
    if not isinstance(payload, dict):
        raise EventError(f"事件“{event_type}”的内容应为对象。")
    if version != cls.SCHEMA_VERSION:
        payload = cls.UPGRADES[version](payload)
    try:
        return cls.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "内容"
        problem = _PROBLEMS.get(first["type"], "格式不正确")
        more = f"（另有{exc.error_count() - 1}处问题）" if exc.error_count() > 1 else ""
        raise EventError(f"事件“{event_type}”的字段“{where}”{problem}。{more}") from None


def payload_of(event: Event) -> dict[str, Any]:
    """The event's fields as JSON-ready values (what the outbox row stores)."""
    return event.model_dump(mode="json")


def canonical_json(event: Event) -> bytes:
    """Sorted keys, no spaces, UTF-8: equal events give equal bytes (idempotency and conflict checks)."""
    return json.dumps(payload_of(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
