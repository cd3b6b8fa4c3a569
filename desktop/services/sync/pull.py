"""Pull from the county: the township's feed by cursor, each answer applied in one transaction with the new cursor.

The network call happens outside any database transaction. Each answer is
then applied in **one write transaction together with the new cursor**
(``meta`` ``sync.pull_cursor``): a cut link or a killed process leaves either
the whole answer applied and the cursor after it, or nothing. Every item
taken is kept in ``pulled_items`` by its idempotency key, so pulling it again
(a reset cursor, a lost answer) changes nothing.

County items go **through the workflow**, as the county: a 审核确认
(``county.case_decided``) by :func:`desktop.services.workflow.transitions.
transition_in` with ``origin="county"``, a department's result
(``county.referral_concluded``) by the referrals lifecycle with the same
origin — their outbox rows are written acknowledged, so they never echo back.
The county decides decision fields only: nothing of the intake (household,
persons, the application) is touched. An item that no longer fits the case
here (already decided otherwise, withdrawn, the referral cancelled…) changes
nothing: it is kept with ``outcome = conflict`` and the Chinese reason (需处理),
and the cursor moves on.

Items another device of the township pushed (``source`` township) are not
applied yet: the batch stops before the first of them and the cursor stays
there, so none is ever skipped (they are taken once the replica applier is in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.case_state import CaseStatus
from desktop.domain.errors import YimenError
from desktop.domain.roles import Permission, Role
from desktop.services.referrals import lifecycle as referrals
from desktop.services.session import AppSession, UserInfo
from desktop.services.workflow import transitions as workflow
from desktop.store import audit
from desktop.store.models import Case, OutboxItem
from desktop.store.models_referral import Referral
from desktop.store.models_sync import PulledItem
from sync import events as ev
from sync.errors import SyncError
from sync.protocol import MAX_PULL_ITEMS, PullItem, PullResponse

from . import settings
from .port import HubPort

PULL_LIMIT = 200
MAX_ROUNDS = 50                  # per run; the rest comes next run
COUNTY_ACTOR = "county"          # who the audit log and the history name for what the county decided
DECISIONS = {"approve": CaseStatus.APPROVED, "refuse": CaseStatus.REFUSED}
LABELS = {"approve": "批准", "refuse": "不予批准"}

Progress = Callable[[int, int], None]     # (items taken so far, rounds so far)


@dataclass(frozen=True)
class PullReport:
    rounds: int = 0
    applied: int = 0                 # county items applied here
    conflicts: int = 0               # county items that no longer fit: nothing changed, in 需处理
    already: int = 0                 # items this PC had taken before (changed nothing)
    waiting: int = 0                 # 1 when the pull stopped before another device's events
    cursor: int = 0
    error: str = ""                  # Chinese, when an answer never came
    retryable: bool = False

    @property
    def message(self) -> str:
        parts = [f"已接收县级结果 {self.applied} 项"]
        if self.conflicts:
            parts.append(f"{self.conflicts} 项与本机记录不符，需处理")
        if self.waiting:
            parts.append("其他设备的案件暂未同步到本机，下次同步时继续")
        if self.error:
            parts.append(self.error)
        return "；".join(parts)


def _county_session(session: AppSession) -> AppSession:
    """The county as the actor of its own decisions, on this database: the workflow's guards and
    records run as for a supervisor's 审核确认, the history and audit say ``county``."""
    return AppSession(db=session.db, user=UserInfo(COUNTY_ACTOR, "县级平台", Role.SUPERVISOR),
                      kdf=session.kdf, lockout=session.lockout)


def cursor_of(s: Session) -> int:
    raw = settings.get(s, settings.PULL_CURSOR, "0")
    return int(raw) if raw.isdigit() else 0


def pull_pending(session: AppSession, port: HubPort, *, progress: Progress | None = None,
                 max_rounds: int = MAX_ROUNDS, limit: int = PULL_LIMIT) -> PullReport:
    """Pull and apply until the hub has nothing more, an answer does not come, another device's event
    is next, or ``max_rounds``. Never raises for the wire: the report carries the Chinese reason."""
    session.require(Permission.SYNC)
    limit = max(1, min(limit, MAX_PULL_ITEMS))
    rounds = applied = conflicts = already = 0
    cursor = 0
    while rounds < max_rounds:
        with session.db.read() as s:
            cursor = cursor_of(s)
        try:
            answer = port.pull(cursor, limit)
        except SyncError as exc:
            return PullReport(rounds, applied, conflicts, already, 0, cursor, exc.message, exc.retryable)
        with session.db.write() as s:
            a, c, d, stopped, cursor = apply_answer(s, session, answer)
        rounds += 1
        applied, conflicts, already = applied + a, conflicts + c, already + d
        if progress is not None:
            progress(applied + conflicts + already, rounds)
        if stopped:
            return PullReport(rounds, applied, conflicts, already, 1, cursor)
        if not answer.has_more:
            break
    return PullReport(rounds, applied, conflicts, already, 0, cursor)


def apply_answer(s: Session, session: AppSession, answer: PullResponse) -> tuple[int, int, int, bool, int]:
    """One answer in the caller's write transaction: each item once, then the new cursor.
    Returns (applied, conflicts, already, stopped before another device's event, cursor)."""
    session.require(Permission.SYNC)
    start = cursor_of(s)
    cursor = start
    county = _county_session(session)
    applied = conflicts = already = 0
    stopped = False
    now = session.clock.now()
    for item in answer.items:
        if item.feed_seq <= start or _seen(s, item.idempotency_key):
            already += 1
            cursor = max(cursor, item.feed_seq)
            continue
        if item.source != "county":
            stopped = True
            break
        outcome, reason = _apply_county(s, county, item)
        s.add(PulledItem(idempotency_key=item.idempotency_key, feed_seq=item.feed_seq, source=item.source,
                         device_code=item.device_code, event_type=item.event_type, entity_type=item.entity_type,
                         entity_uuid=item.entity_uuid, outcome=outcome, reason=reason[:2000], pulled_at=now))
        s.flush()
        applied, conflicts = applied + (outcome == "applied"), conflicts + (outcome == "conflict")
        cursor = max(cursor, item.feed_seq)
    if not stopped:
        cursor = max(cursor, answer.cursor)
    if cursor != start:
        settings.put(s, settings.PULL_CURSOR, str(cursor))
    if applied or conflicts:
        audit.append_event(s, actor=session.user.username, action="sync_pulled", entity_type="pulled_items",
                           detail={"applied": applied, "conflicts": conflicts, "already": already,
                                   "cursor": cursor})
    return applied, conflicts, already, stopped, cursor


def _seen(s: Session, key: str) -> bool:
    return (s.get(PulledItem, key) is not None
            or s.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key)) is not None)


def _apply_county(s: Session, county: AppSession, item: PullItem) -> tuple[str, str]:
    """("applied" | "conflict", reason). A refused or failed application leaves nothing behind (savepoint)."""
    try:
        event = ev.parse_event(item.event_type, item.schema_version, item.payload)
    except ev.EventError as exc:
        return "conflict", f"本机无法读取县级的这条结果（{exc.message}）：请升级本软件或联系县级信息管理员"
    savepoint = s.begin_nested()
    try:
        if isinstance(event, ev.CountyCaseDecided):
            reason = _decide(s, county, event)
        elif isinstance(event, ev.CountyReferralConcluded):
            reason = _conclude(s, county, event)
        else:
            reason = f"本机不处理此类县级事项（{item.event_type}）"
    except YimenError as exc:
        savepoint.rollback()
        return "conflict", _why(exc)
    if reason:
        savepoint.rollback()
        return "conflict", reason
    savepoint.commit()
    return "applied", ""


def _why(exc: YimenError) -> str:
    return f"县级的结果不能按本机记录办理：{getattr(exc, 'message', str(exc))}"


def _decide(s: Session, county: AppSession, e: ev.CountyCaseDecided) -> str:
    """The county's 审核确认 through the workflow; the reason it does not fit ("" when applied or already so)."""
    case = s.get(Case, e.case_uuid)
    label = LABELS[e.decision]
    if case is None:
        return f"本机没有案件 {e.case_number}，县级的审核确认（{label}）未能记录"
    status = CaseStatus(case.status)
    if status is DECISIONS[e.decision]:
        return ""                              # recorded here already (the paper decision keyed in): the same
    if status in (CaseStatus.APPROVED, CaseStatus.REFUSED):
        return (f"案件 {e.case_number} 本机已录入“{status.label}”，与县级的审核确认“{label}”（{e.decided_by}）不同："
                "本机记录未改动，请与县级核对")
    if status is not CaseStatus.AWAITING_DECISION:
        return (f"案件 {e.case_number} 本机当前为“{status.label}”，不在待审核确认：县级的审核确认“{label}”"
                f"（{e.decided_by}）未记录，请与县级核对")
    reason = e.reason or f"县级审核确认：{label}（{e.decided_by}）"
    workflow.transition_in(s, county, case.uuid, e.decision,
                           workflow.TransitionInput(reason=reason, amount_cents=e.amount_cents,
                                                    proposed_outcome=e.decision),
                           detail={"approved_by": e.decided_by[:64]}, on_day=e.decided_on, origin="county")
    return ""


def _conclude(s: Session, county: AppSession, e: ev.CountyReferralConcluded) -> str:
    """A department's result through the referrals lifecycle; the reason it does not fit."""
    ref = s.scalar(select(Referral).where(Referral.uuid == e.referral_uuid))
    label = LABELS[e.result]
    if ref is None:
        return f"本机没有案件 {e.case_number} 的这条转办，县级录入的办理结果（{label}）未能记录"
    if ref.state == referrals.ReferralState.CONCLUDED.value:
        if ref.result == e.result:
            return ""
        return (f"案件 {e.case_number} 的转办（{ref.department_name}）本机已录入办理结果"
                f"“{LABELS.get(ref.result or '', ref.result or '')}”，与县级录入的“{label}”不同：本机记录未改动，请与县级核对")
    if ref.state not in referrals.AT_DEPARTMENT:
        state = referrals.ReferralState(ref.state).label
        return (f"案件 {e.case_number} 的转办（{ref.department_name}）本机为“{state}”，"
                f"县级录入的办理结果（{label}）未记录，请与县级核对")
    referrals.record_result_in(s, county, ref.uuid, referrals.ResultInput(
        result=e.result, decided_on=e.decided_on, decided_by=e.decided_by, reason=e.note,
        amount_cents=e.amount_cents), origin="county")
    return ""
