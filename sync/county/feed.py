"""A township's feed at the hub (what its devices pull) and the hub's projections of its cases and referrals.

- :func:`append` gives the next ``feed_seq`` of the township under the
  township row's lock (``SELECT … FOR UPDATE``; SQLite serialises writers
  anyway): the lock is held to the commit, so feed numbers are in commit order
  and a cursor never skips an item committed later. The payload is sealed as
  in ``received_events``.
- :func:`pull` answers ``GET /pull``: the township's items after the cursor,
  oldest first, never the asking device's own events, payload opened again.
- :func:`project` keeps ``hub_cases`` / ``hub_referrals`` from each accepted
  event (and the county's own decisions) with :func:`sync.replay.fold`, in
  the same transaction: only the records the event touches are loaded.
- :func:`ownership_problem`: the township owns intake data, the county owns
  decision fields — a township outcome against the county's decision is a
  conflict, never an overwrite.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import events as ev
from sync.protocol import PullItem, PullResponse
from sync.replay import CaseRecord, ReferralRecord, ReplayError, TownshipModel, fold

from .models import Device, FeedItem, HubCase, HubReferral, Township
from .sealing import Sealer

DECISION_LABELS = {"approve": "批准", "refuse": "不予批准"}
DECIDING = ("approve", "refuse")          # the township's transitions recording 审核确认
SOURCE_LABELS = {"county": "县级录入", "township": "乡镇录入"}
SCAN = 500                                 # rows read at a time while skipping the asking device's own


def lock_township(s: Session, code: str) -> Township:
    town = s.scalar(select(Township).where(Township.code == code).with_for_update())
    assert town is not None, code
    return town


def append(s: Session, sealer: Sealer, township_code: str, event: ev.Event, *, key: str, occurred_at: datetime,
           source: str, device: Device | None = None, seq: int = 0) -> FeedItem:
    """The event as the township's next feed item (in the caller's transaction)."""
    town = lock_township(s, township_code)
    town.feed_seq = (town.feed_seq or 0) + 1
    sealed, _found = sealer.seal(ev.payload_of(event))
    row = FeedItem(township_code=township_code, feed_seq=town.feed_seq, source=source,
                   device_id=device.id if device is not None else None,
                   device_code=device.device_code if device is not None else "", seq=seq, idempotency_key=key,
                   event_type=event.TYPE, schema_version=event.SCHEMA_VERSION, entity_type=event.entity,
                   entity_uuid=event.subject(), occurred_at=occurred_at, payload=sealed)
    s.add(row)
    s.flush()
    return row


def pull(s: Session, sealer: Sealer, device: Device, cursor: int, limit: int) -> PullResponse:
    """Items of the device's township after ``cursor``, at most ``limit``, never its own events. The
    cursor returned is the last feed item looked at (own ones included): nothing before it is left."""
    items: list[PullItem] = []
    pos, has_more = cursor, False
    while not has_more:
        rows = list(s.scalars(select(FeedItem).where(FeedItem.township_code == device.township_code,
                                                     FeedItem.feed_seq > pos)
                              .order_by(FeedItem.feed_seq).limit(SCAN)))
        for row in rows:
            if row.device_id == device.id:
                pos = row.feed_seq
                continue
            if len(items) == limit:
                has_more = True
                break
            items.append(PullItem(feed_seq=row.feed_seq, source=row.source,  # type: ignore[arg-type]
                                  device_code=row.device_code, seq=row.seq, idempotency_key=row.idempotency_key,
                                  event_type=row.event_type, schema_version=row.schema_version,
                                  entity_type=row.entity_type, entity_uuid=row.entity_uuid,
                                  occurred_at=_aware(row.occurred_at), payload=sealer.open(row.payload)))
            pos = row.feed_seq
        if len(rows) < SCAN:
            break
    return PullResponse(items=items, cursor=pos, has_more=has_more)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ------------------------------------------------------------------ ownership

def ownership_problem(s: Session, event: ev.Event) -> str:
    """Why a township event may not be taken ("" when it may): it records a 审核确认 outcome or a
    referral result other than the one the county already entered."""
    if isinstance(event, ev.CaseStatusChanged) and event.transition in DECIDING:
        case = s.get(HubCase, event.case_uuid)
        if case is not None and case.decided_source == "county" and case.decision != event.transition:
            return (f"县级已对案件 {case.case_number} 审核确认为“{DECISION_LABELS.get(case.decision or '', '')}”"
                    f"（{case.decided_by}），乡镇录入的“{DECISION_LABELS[event.transition]}”与之不同："
                    "县级平台保留县级的决定，已交县级信息管理员核查")
    if isinstance(event, ev.ReferralConcluded):
        ref = s.get(HubReferral, event.referral_uuid)
        if ref is not None and ref.decided_source == "county" and ref.result != event.result:
            return (f"案件 {event.case_number} 的转办（{ref.department_name or ref.department}）县级已录入办理结果"
                    f"“{DECISION_LABELS.get(ref.result or '', '')}”（{ref.decided_by}），乡镇录入的"
                    f"“{DECISION_LABELS.get(event.result, event.result)}”与之不同：县级平台保留县级录入的结果，"
                    "已交县级信息管理员核查")
    return ""


# ------------------------------------------------------------------ projections

def _projected(event: ev.Event) -> bool:
    return isinstance(event, ev.CaseCreated | ev.CaseStatusChanged) or event.entity in ("referral", "county")


def _model_for(s: Session, event: ev.Event) -> TownshipModel:
    """A model holding only what the event touches, read from the projections."""
    m = TownshipModel()
    refs = list(event.parents()) + [(event.entity, event.subject())]
    for kind, uuid in refs:
        if kind == "case" and (c := s.get(HubCase, uuid)) is not None:
            m.cases[uuid] = CaseRecord(c.uuid, c.case_number, "", "", "", c.status, list(c.categories), [])
        elif kind == "referral" and (r := s.get(HubReferral, uuid)) is not None:
            m.referrals[uuid] = ReferralRecord(r.uuid, r.case_uuid, r.department, list(r.categories), r.state,
                                               r.result, r.amount_cents)
        elif kind in ("household", "person"):
            (m.households if kind == "household" else m.persons)[uuid] = {}   # the hub keeps them sealed
    return m


def project(s: Session, township_code: str, event: ev.Event, *, source: str, decided_by: str,
            now: datetime) -> str:
    """Keep ``hub_cases`` / ``hub_referrals`` from ``event``; the problem ("" when none) when the
    event does not fit what the hub holds (the push still stands: the log is the record)."""
    if not _projected(event):
        return ""
    if isinstance(event, ev.CaseStatusChanged) and event.transition in DECIDING:
        held = s.get(HubCase, event.case_uuid)
        if held is not None and held.decided_source == "county":
            return ""          # the same outcome the county entered (another one is a conflict, not here)
    if isinstance(event, ev.ReferralConcluded):
        held_ref = s.get(HubReferral, event.referral_uuid)
        if held_ref is not None and held_ref.decided_source == "county":
            return ""
    model = _model_for(s, event)
    try:
        fold(model, event)
    except ReplayError as exc:
        return exc.message
    for rec in model.cases.values():
        row = s.get(HubCase, rec.uuid)
        if row is None:
            row = HubCase(uuid=rec.uuid, township_code=township_code, case_number=rec.case_number,
                          categories=list(rec.categories), route="intake", decided_by="")
            s.add(row)
        row.status, row.categories, row.updated_at = rec.status, list(rec.categories), now
        if rec.transitions:
            row.route = rec.transitions[-1]
    for ref in model.referrals.values():
        rrow = s.get(HubReferral, ref.uuid)
        if rrow is None:
            rrow = HubReferral(uuid=ref.uuid, case_uuid=ref.case_uuid, township_code=township_code,
                               department=ref.department, categories=list(ref.categories), decided_by="",
                               department_name=getattr(event, "department_name", ""))
            s.add(rrow)
        rrow.state, rrow.result, rrow.amount_cents, rrow.updated_at = ref.state, ref.result, ref.amount_cents, now
    s.flush()
    _decision(s, event, source=source, decided_by=decided_by)
    return ""


def _decision(s: Session, event: ev.Event, *, source: str, decided_by: str) -> None:
    """Who decided: the decision fields of the projection (the county's, or the township's record of one)."""
    if isinstance(event, ev.CaseStatusChanged) and event.transition in DECIDING:
        case = s.get(HubCase, event.case_uuid)
        assert case is not None
        case.decision, case.amount_cents, case.decided_source = event.transition, event.amount_cents, source
        case.decided_by = (event.approved_by or decided_by)[:100]
    elif isinstance(event, ev.CountyCaseDecided):
        case = s.get(HubCase, event.case_uuid)
        assert case is not None
        case.decision, case.amount_cents, case.decided_source = event.decision, event.amount_cents, source
        case.decided_by = event.decided_by[:100]
    elif isinstance(event, ev.ReferralConcluded | ev.CountyReferralConcluded):
        ref = s.get(HubReferral, event.referral_uuid)
        assert ref is not None
        ref.decided_source, ref.decided_by = source, event.decided_by[:100]
