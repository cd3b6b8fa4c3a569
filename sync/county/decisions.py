"""What the county decides, entered at the hub: 审核确认 of a case waiting for it, a department's referral result.

:func:`record_case_decision` and :func:`record_referral_result` are what the
county's web desk (Step 9) calls, and ``yimen-county decide`` /
``yimen-county referral-result`` until then. Each checks the projection (the
case of a township exists and waits for the county; the referral exists and
is at its department), then writes the county event as the township's next
feed item, folds it into the projection and records a ``hub_audit`` row — in
the caller's transaction. Anything else is refused with a Chinese
:class:`HubError` and nothing is written. The same decision entered twice is
one (the first feed item is returned); a case or referral already decided —
by the county, or by the township recording the county's paper decision
before it was entered here — is refused, naming the decision and who gave it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import events as ev

from . import feed
from .errors import HubError
from .models import FeedItem, HubAudit, HubCase, HubReferral
from .sealing import Sealer

MAX_AMOUNT_CENTS = 100_000_000          # 100万元: a sanity bound against a slipped key, not a policy limit
MAX_TEXT = 500
MAX_NAME = 100
AT_DEPARTMENT = ("sent", "received")

STATUS_LABELS = {   # the township's case statuses, as its window names them (desktop/domain/case_state.py)
    "pending_documents": "待补正", "township_review": "待乡镇审查", "accepted": "已受理", "not_accepted": "不予受理",
    "investigating": "调查中", "deliberation": "民主评议中", "in_notice": "公示中", "awaiting_decision": "待审核确认",
    "referred": "已转办", "emergency_aided": "已先行救助", "approved": "已办结（批准）", "refused": "已办结（不予批准）",
    "withdrawn": "已撤回",
}
REFERRAL_LABELS = {"pending": "待转出", "sent": "已转出", "received": "已接收", "concluded": "已办结",
                   "returned": "已退回", "cancelled": "已撤销"}


@dataclass(frozen=True)
class Recorded:
    township_code: str
    case_number: str
    feed_seq: int
    idempotency_key: str
    already: bool            # the same decision had been entered before: nothing new was written


def _yuan(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}元"


def _text(value: str, what: str, most: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise HubError(422, "missing", f"请填写{what}。")
    if len(text) > most:
        raise HubError(422, "too_long", f"{what}太长（最多 {most} 字）。")
    return text


def _checked(decision: str, amount_cents: int | None, reason: str, decided_by: str, decided_on: date,
             today: date) -> tuple[str, str]:
    if decision not in feed.DECISION_LABELS:
        raise HubError(422, "bad_decision", "结果只能是“批准”（approve）或“不予批准”（refuse）。")
    by = _text(decided_by, "作出决定的人或科室", MAX_NAME, required=True)
    why = _text(reason, "不予批准的理由", MAX_TEXT, required=decision == "refuse")
    if amount_cents is not None:
        if decision == "refuse" and amount_cents != 0:
            raise HubError(422, "bad_amount", "不予批准时不能填写金额。")
        if amount_cents < 0 or amount_cents > MAX_AMOUNT_CENTS:
            raise HubError(422, "bad_amount", f"金额须在 0 至 {MAX_AMOUNT_CENTS // 100} 元之间。")
    if not isinstance(decided_on, date) or decided_on > today:
        raise HubError(422, "bad_date", f"决定日期不能晚于今天（{today.isoformat()}）。")
    return by, why


def find_case(s: Session, case_number: str, township_code: str | None = None) -> HubCase:
    number = (case_number or "").strip()
    q = select(HubCase).where(HubCase.case_number == number)
    if township_code:
        q = q.where(HubCase.township_code == township_code)
    rows = list(s.scalars(q))
    if not rows:
        raise HubError(404, "unknown_case", f"县级平台没有案件 {number[:40]}：请核对案件编号"
                                            "（乡镇尚未上报的案件不能在县级录入）。")
    if len(rows) > 1:
        raise HubError(409, "ambiguous_case", f"有多个乡镇的案件编号为 {number}，请同时指定乡镇代码。")
    return rows[0]


def _audit(s: Session, now: datetime, actor: str, action: str, **detail: object) -> None:
    s.add(HubAudit(at=now, actor=actor, action=action, detail=dict(detail)))


def _earlier(s: Session, event_type: str, entity_uuid: str) -> FeedItem | None:
    return s.scalar(select(FeedItem).where(FeedItem.event_type == event_type, FeedItem.entity_uuid == entity_uuid)
                    .order_by(FeedItem.feed_seq.desc()).limit(1))


def record_case_decision(s: Session, sealer: Sealer, *, case_number: str, decision: str, amount_cents: int | None,
                         reason: str, decided_by: str, decided_on: date, actor: str, now: datetime,
                         township_code: str | None = None) -> Recorded:
    """审核确认 by the county of a case waiting for it (待审核确认)."""
    by, why = _checked(decision, amount_cents, reason, decided_by, decided_on, now.astimezone().date())
    if decision == "refuse":
        amount_cents = None
    found = find_case(s, case_number, township_code)
    feed.lock_township(s, found.township_code)     # one decision of a township's cases at a time
    case = s.get(HubCase, found.uuid, populate_existing=True)
    assert case is not None
    if case.decision is not None:
        earlier = _earlier(s, "county.case_decided", case.uuid)
        if (case.decided_source == "county" and earlier is not None and case.decision == decision
                and case.amount_cents == amount_cents):
            return Recorded(case.township_code, case.case_number, earlier.feed_seq, earlier.idempotency_key, True)
        raise HubError(409, "already_decided",
                       f"案件 {case.case_number} 已审核确认：{feed.DECISION_LABELS.get(case.decision, case.decision)}"
                       f"{_yuan(case.amount_cents) and ' ' + _yuan(case.amount_cents)}"
                       f"（{case.decided_by}，{feed.SOURCE_LABELS.get(case.decided_source or '', '')}），"
                       "不能再次录入。")
    if case.status != "awaiting_decision":
        raise HubError(409, "not_waiting", f"案件 {case.case_number} 当前为“{STATUS_LABELS.get(case.status, case.status)}”，"
                                           "不在待审核确认，不能录入审核确认结果。")
    event = ev.CountyCaseDecided(case_uuid=case.uuid, case_number=case.case_number, decision=decision,  # type: ignore[arg-type]
                                 amount_cents=amount_cents, reason=why, decided_by=by, decided_on=decided_on, at=now)
    return _write(s, sealer, case, event, actor, now, "case_decided")


def record_referral_result(s: Session, sealer: Sealer, *, case_number: str, department: str, result: str,
                           amount_cents: int | None, note: str, decided_by: str, decided_on: date, actor: str,
                           now: datetime, township_code: str | None = None) -> Recorded:
    """A department's result of a referral that is at it (已转出 / 已接收)."""
    by, why = _checked(result, amount_cents, note, decided_by, decided_on, now.astimezone().date())
    if result == "refuse":
        amount_cents = None
    found = find_case(s, case_number, township_code)
    feed.lock_township(s, found.township_code)
    wanted = (department or "").strip()
    refs = [r for r in s.scalars(select(HubReferral).where(HubReferral.case_uuid == found.uuid)
                                 .execution_options(populate_existing=True))
            if wanted and wanted in (r.department, r.department_name)]
    if not refs:
        raise HubError(404, "unknown_referral", f"案件 {found.case_number} 没有转给“{wanted[:40]}”的转办记录。")
    ref = refs[0]
    if ref.state == "concluded":
        earlier = _earlier(s, "county.referral_concluded", ref.uuid)
        if (ref.decided_source == "county" and earlier is not None and ref.result == result
                and ref.amount_cents == amount_cents):
            return Recorded(found.township_code, found.case_number, earlier.feed_seq, earlier.idempotency_key, True)
        raise HubError(409, "already_decided",
                       f"该转办已有办理结果：{feed.DECISION_LABELS.get(ref.result or '', ref.result or '')}"
                       f"{_yuan(ref.amount_cents) and ' ' + _yuan(ref.amount_cents)}"
                       f"（{ref.decided_by}，{feed.SOURCE_LABELS.get(ref.decided_source or '', '')}），不能再次录入。")
    if ref.state not in AT_DEPARTMENT:
        raise HubError(409, "not_at_department",
                       f"该转办当前为“{REFERRAL_LABELS.get(ref.state, ref.state)}”，只有已转出或已接收的转办可以录入办理结果。")
    event = ev.CountyReferralConcluded(referral_uuid=ref.uuid, case_uuid=found.uuid, case_number=found.case_number,
                                       department=ref.department, result=result,  # type: ignore[arg-type]
                                       amount_cents=amount_cents, note=why, decided_by=by, decided_on=decided_on,
                                       at=now)
    return _write(s, sealer, found, event, actor, now, "referral_result")


def _write(s: Session, sealer: Sealer, case: HubCase, event: ev.Event, actor: str, now: datetime,
           action: str) -> Recorded:
    key = str(uuid.uuid4())
    item = feed.append(s, sealer, case.township_code, event, key=key, occurred_at=now, source="county")
    problem = feed.project(s, case.township_code, event, source="county", decided_by="", now=now)
    assert not problem, problem          # checked above against the same projection
    _audit(s, now, actor, action, township=case.township_code, case_number=case.case_number,
           entity=event.subject(), feed_seq=item.feed_seq, idempotency_key=key)
    return Recorded(case.township_code, case.case_number, item.feed_seq, key, False)
