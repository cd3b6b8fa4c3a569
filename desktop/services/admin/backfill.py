"""Clocks and referrals for accepted cases that have none: databases from before Step 5, and the demo.

A database made by release 0.1.0 upgrades through the migrations with its
cases intact but without ``case_clocks`` or ``referrals`` rows. Right after the
migrations, once per database (a ``meta`` marker remembers it, see
:mod:`desktop.services.admin.upgrade`), :func:`backfill` fills them in for every
open accepted case, from what the case shows: its status, its acceptance day, the day it reached its status
(from the status history) and its stored decision deadline. The demo builds
its bulk cases the same way (:func:`run_once`, which also sets the markers).

Rows are inserted in bulk (tens of thousands of cases stay fast); one audit
event records the counts. Referrals of cases already 已转办 are taken as sent
on the day the case was referred; the others wait 待转出. Categories the policy
carries by the township procedure (``township_procedure``: 低保, 特困, 临时救助…)
get no referral, as at acceptance.

Also once per database (its own marker, the next post-upgrade step), :func:`cancel_township_referrals`:
a database from before ``township_procedure`` (the demo, older installs) has
referrals to 民政局 for 低保 and the like, waiting 待转出 for ever. Those never
sent whose categories are all township-procedure ones are cancelled (已撤销),
each with a history row and an outbox item, and one audit event with the
counts. Referrals already sent (or back from the department) are kept: the
department has the paper and its result may still come.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.orm import Session

from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.policy import PolicyNotFound, PolicyTable
from desktop.services.deadlines.clocks import CLOCK_LABELS, ClockKind
from desktop.services.deadlines.planner import DeadlinePlanner, primary_category
from desktop.services.referrals.lifecycle import ReferralState
from desktop.services.referrals.records import referral_event
from desktop.store import audit, outbox
from desktop.store.models import Case, CaseCategory, Meta, StatusChange, new_uuid
from desktop.store.models_clock import CaseClock
from desktop.store.models_referral import Referral, ReferralEvent
from desktop.store.timekeeping import clock_of

__all__ = ["MARKER", "TOWNSHIP_MARKER", "backfill", "cancel_township_referrals", "run_once"]

MARKER = "backfill.step5_clocks_referrals"
TOWNSHIP_MARKER = "backfill.township_procedure_referrals"
TOWNSHIP_NOTE = "乡镇初审、县级审核确认，不转办"
K = ClockKind
# status -> clocks still running in it, besides the decision clock (started on the day it was reached)
_RUNNING: dict[CaseStatus, tuple[ClockKind, ...]] = {
    CaseStatus.ACCEPTED: (K.INVESTIGATION_START,),
    CaseStatus.INVESTIGATING: (K.INVESTIGATION,),
    CaseStatus.DELIBERATION: (),
    CaseStatus.IN_NOTICE: (),
    CaseStatus.AWAITING_DECISION: (),
    CaseStatus.REFERRED: (),
    CaseStatus.EMERGENCY_AIDED: (K.EMERGENCY_PAPERWORK,),
}


def run_once(s: Session, *, actor: str = "system", today: date | None = None,
             **options: Any) -> tuple[int, int] | None:
    """Backfill once per database (inside the caller's write transaction); None when already done.
    Then, also once, cancel the referrals never sent of township-procedure categories. The demo uses it
    (with its own options) so that the post-upgrade steps find their markers set."""
    now = clock_of(s).now()
    counts = None
    if s.get(Meta, MARKER) is None:
        counts = backfill(s, actor=actor, today=today, **options)
        s.add(Meta(key=MARKER, value=now.isoformat()))
    if s.get(Meta, TOWNSHIP_MARKER) is None:
        cancel_township_referrals(s, actor=actor, enqueue=options.get("enqueue", True),
                                  planner=options.get("planner"))
        s.add(Meta(key=TOWNSHIP_MARKER, value=now.isoformat()))
    return counts


def _local(dt: Any) -> date:
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone().date()


def _policy(planner: DeadlinePlanner, ref: str, division: str, accepted_on: date) -> PolicyTable:
    """The case's table: by the ``policy_ref`` it stored; a row that never stored one (release 0.1.0)
    by its place and acceptance day."""
    return planner.policy_by_ref(ref) if ref else planner.policy_for(division, accepted_on)


def backfill(s: Session, *, actor: str = "system", today: date | None = None, enqueue: bool = True,
             stage_day: Callable[[str, date], date] | None = None,
             planner: DeadlinePlanner | None = None) -> tuple[int, int]:
    """Open the clocks and referrals of every open accepted case that has none; returns (clocks,
    referrals) added. ``stage_day(case_uuid, day the status was reached)`` may move the day the current
    stage began (the demo: its synthetic status history is one day after acceptance)."""
    planner = planner or DeadlinePlanner.of(s)
    today = today or clock_of(s).today()
    open_statuses = [st.value for st in _RUNNING]
    cases = s.execute(select(Case.uuid, Case.case_number, Case.status, Case.division_code, Case.accepted_on,
                             Case.decision_due, Case.policy_ref, Case.decision_due_provisional)
                      .where(Case.accepted_on.is_not(None), Case.status.in_(open_statuses))).all()
    if not cases:
        return 0, 0
    has_clock = set(s.scalars(select(CaseClock.case_uuid).distinct()))
    has_referral = set(s.scalars(select(Referral.case_uuid).distinct()))
    cats: dict[str, list[Category]] = {}
    for case_uuid, code in s.execute(select(CaseCategory.case_uuid, CaseCategory.category)):
        cats.setdefault(case_uuid, []).append(Category(code))
    reached = {u: _local(at) for u, at in s.execute(
        select(StatusChange.case_uuid, func.max(StatusChange.at))
        .join(Case, and_(Case.uuid == StatusChange.case_uuid, Case.status == StatusChange.to_status))
        .group_by(StatusChange.case_uuid))}
    now = clock_of(s).now()
    policies: dict[tuple[str, str, date], PolicyTable | None] = {}
    skipped = 0
    clock_rows: list[dict[str, Any]] = []
    ref_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []

    def due(start: date, days: int) -> tuple[date | None, bool, str]:
        return planner.due(start, days)

    def clock(case_uuid: str, kind: ClockKind, start: date, days: int, table: PolicyTable,
              subject: str | None = None, label: str = "", fixed_due: date | None = None) -> None:
        d, provisional, note = (fixed_due, False, "") if fixed_due is not None else due(start, days)
        clock_rows.append({"uuid": new_uuid(), "case_uuid": case_uuid, "kind": kind.value, "subject_uuid": subject,
                           "label": label or CLOCK_LABELS[kind], "started_on": start, "working_days": days,
                           "due_on": d, "calendar_note": note, "provisional": provisional, "policy_ref": table.ref,
                           "state": "open",
                           "opened_by": actor, "opened_at": now, "close_note": ""})

    for case_uuid, _number, status, division, accepted_on, decision_due, policy_ref, due_provisional in cases:
        case_cats = cats.get(case_uuid) or [Category.DIBAO]
        key = (policy_ref or "", division, accepted_on)
        if key not in policies:
            try:
                policies[key] = _policy(planner, *key)
            except PolicyNotFound:
                policies[key] = None     # no table for that place and day: nothing to count from
        table = policies[key]
        if table is None:
            skipped += 1
            continue
        st = CaseStatus(status)
        since = reached.get(case_uuid, accepted_on)
        since = min(max(stage_day(case_uuid, since) if stage_day else since, accepted_on), today)
        if case_uuid not in has_clock:
            main = primary_category(case_cats)
            clock(case_uuid, K.DECISION_TOTAL, accepted_on, table.deadline("decision_total", main), table,
                  fixed_due=None if due_provisional else decision_due)   # a 暂定 day is counted again
            for kind in _RUNNING[st]:
                start = accepted_on if kind is K.INVESTIGATION_START else since
                clock(case_uuid, kind, start, table.deadline(kind.value, main), table)
        if case_uuid in has_referral:
            continue
        for code, covered in table.referral_departments(case_cats).items():
            dept = table.departments[code]
            ref_uuid = new_uuid()
            sent = None
            if st is CaseStatus.REFERRED:
                sent = since
                clock(case_uuid, K.REFERRAL, sent, dept.deadline_working_days, table, ref_uuid,
                      f"转办：{dept.name_zh}")
            state = ReferralState.SENT if sent else ReferralState.PENDING
            ref_rows.append({"uuid": ref_uuid, "case_uuid": case_uuid, "department": code,
                             "department_name": dept.name_zh, "categories": [c.value for c in covered],
                             "deadline_working_days": dept.deadline_working_days, "policy_ref": table.ref,
                             "state": state.value, "sent_on": sent, "sent_by": actor if sent else None,
                             "result_reason": "", "decided_by": "", "return_reason": "", "reply_filename": "",
                             "reply_mime": "", "reply_size": 0, "reply_sha256": "", "created_by": actor,
                             "created_at": now, "updated_at": now})
            event_rows.append({"referral_uuid": ref_uuid, "action": "backfilled", "from_state": None,
                               "to_state": state.value, "on_day": sent, "note": "补建", "actor": actor, "at": now})
    if clock_rows:
        s.execute(insert(CaseClock), clock_rows)
    if ref_rows:
        s.execute(insert(Referral), ref_rows)
        s.execute(insert(ReferralEvent), event_rows)
    numbers = {u: n for u, n, *_rest in cases}
    if enqueue:
        for r in ref_rows:
            outbox.enqueue(s, referral_event(
                "backfilled", r["uuid"], r["case_uuid"], numbers[r["case_uuid"]], r["department"],
                r["department_name"], r["categories"], r["state"], r["deadline_working_days"], r["sent_on"], "补建",
                now))
    if clock_rows or ref_rows or skipped:
        audit.append_event(s, actor=actor, action="clocks_backfilled",
                           detail={"clocks": len(clock_rows), "referrals": len(ref_rows), "skipped": skipped})
    return len(clock_rows), len(ref_rows)


def cancel_township_referrals(s: Session, *, actor: str = "system", enqueue: bool = True,
                              planner: DeadlinePlanner | None = None) -> int:
    """Cancel the 待转出 referrals (never sent) whose categories are all carried by the township procedure
    under the policy in force on their case's acceptance day; returns how many. Each gets a history row
    and (``enqueue``) an outbox item; one audit event records the counts."""
    planner = planner or DeadlinePlanner.of(s)
    rows = s.execute(select(Referral.uuid, Referral.case_uuid, Referral.department, Referral.department_name,
                            Referral.categories, Referral.deadline_working_days, Case.case_number,
                            Case.division_code, Case.accepted_on, Case.policy_ref)
                     .join(Case, Case.uuid == Referral.case_uuid)
                     .where(Referral.state == ReferralState.PENDING.value, Case.accepted_on.is_not(None))).all()
    policies: dict[tuple[str, str, date], frozenset[Category]] = {}
    chosen = []
    for row in rows:
        key = (row.policy_ref or "", row.division_code, row.accepted_on)
        if key not in policies:
            try:
                policies[key] = _policy(planner, *key).township_procedure
            except PolicyNotFound:
                policies[key] = frozenset()
        township = {c.value for c in policies[key]}
        if row.categories and all(c in township for c in row.categories):
            chosen.append(row)
    if not chosen:
        return 0
    now = clock_of(s).now()
    cancelled = ReferralState.CANCELLED.value
    uuids = [r.uuid for r in chosen]
    for i in range(0, len(uuids), 500):
        s.execute(update(Referral).where(Referral.uuid.in_(uuids[i:i + 500]))
                  .values(state=cancelled, updated_at=now))
    s.execute(insert(ReferralEvent), [
        {"referral_uuid": r.uuid, "action": "cancelled", "from_state": ReferralState.PENDING.value,
         "to_state": cancelled, "on_day": None, "note": TOWNSHIP_NOTE, "actor": actor, "at": now}
        for r in chosen])
    if enqueue:
        for r in chosen:
            outbox.enqueue(s, referral_event(
                "cancelled", r.uuid, r.case_uuid, r.case_number, r.department, r.department_name,
                list(r.categories), cancelled, r.deadline_working_days, None, TOWNSHIP_NOTE, now))
    departments: dict[str, int] = {}
    for r in chosen:
        departments[r.department] = departments.get(r.department, 0) + 1
    audit.append_event(s, actor=actor, action="referrals_township_cancelled",
                       detail={"referrals": len(chosen), "cases": len({r.case_uuid for r in chosen}),
                               "departments": departments, "note": TOWNSHIP_NOTE})
    return len(chosen)


def missing_count(s: Session) -> int:
    """Open accepted cases without any clock (what a backfill would fill)."""
    return int(s.scalar(select(func.count()).select_from(Case).where(
        Case.accepted_on.is_not(None), Case.status.in_([st.value for st in _RUNNING]),
        ~exists().where(CaseClock.case_uuid == Case.uuid))) or 0)
