"""Public notice (公示): batches of cases per village and category, from draft to the end of the period.

    cands = notices.list_candidates(session, village_code)              # who is ready, and why not
    batch = notices.create_batch(session, village_code, "dibao", [c.case_uuid for c in cands if c.ready],
                                 start_on=date(2026, 9, 30))            # draft; period computed and shown
    doc = notices.print_poster(session, batch.uuid, "A4", "portrait")    # recorded; bytes after commit
    notices.post_batch(session, batch.uuid, PostingInput(date(2026, 9, 30), "东坪村村务公开栏", "马春花"))
    notices.add_photo(session, batch.uuid, jpeg_bytes)
    notices.record_objection(session, batch.uuid, case_uuid, ObjectionInput(...))   # case → 调查中
    notices.close_due_batches(session)                                   # at start and daily: 期满 → 待审核确认
    notices.withdraw_batch(session, batch.uuid, "名单中一户家庭人口有误")  # then print_withdrawal_notice

States of a batch: draft → posted → ended | withdrawn (a draft may also be
withdrawn — discarded). Cases move with it through the case state machine,
each move guarded, audited and queued for the county in the same transaction
as the batch: ``post_notice`` when posted (the guard's home-visit fact comes
from :func:`desktop.services.investigation.records.record_home_visit`, the one
home-visit service), ``end_notice`` when the period is over,
``object`` on an objection. Every function raises a service error with a
Chinese message and changes nothing when the input or the state is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import TRANSITIONS_BY_NAME, CaseStatus, TransitionRefused
from desktop.domain.categories import Category
from desktop.domain.clock import NoticeNotRequired
from desktop.domain.notice import BatchStatus, candidate_problems, compute_notice_period, notice_content_for
from desktop.domain.roles import Permission
from desktop.services import validation
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import InvalidInput
from desktop.services.notices import data as nd
from desktop.services.notices.evidence import (  # re-exported: the notice API is this module
    ObjectionInfo,
    ObjectionInput,
    PhotoInfo,
    add_photo,
    handle_objection,
    objections,
    photo_data,
    photos,
    record_objection,
)
from desktop.services.notices.output import (
    NoticeDocument,
    NoticePreview,
    export_csv,
    export_html,
    notice_title,
    preview,
    print_poster,
    print_withdrawal_notice,
    record_print,
)
from desktop.services.notices.queries import (
    BatchCaseRow,
    BatchDetail,
    BatchSummary,
    NoticeCandidate,
    PostingInfo,
    PrintInfo,
    batch_detail,
    list_batches,
    list_candidates,
    plan_period,
    summary,
)
from desktop.services.session import AppSession
from desktop.services.workflow import transitions as workflow
from desktop.services.workflow.transitions import CallerFacts, TransitionInput
from desktop.store.device import device_info
from desktop.store.models import Case, Person, Sequence, Village
from desktop.store.models_notice import (
    NoticeBatch,
    NoticeBatchCase,
    NoticePosting,
    NoticePrint,
)
from forms.documents.notice_poster import UnmaskedNumberError, check_cells

__all__ = [
    "BatchCaseRow", "BatchDetail", "BatchStatus", "BatchSummary", "ClosedBatch", "InvalidInput",
    "MovedCase", "NoticeCandidate", "NoticeDocument", "NoticePreview", "NoticeRefused", "ObjectionInfo",
    "ObjectionInput", "PhotoInfo", "PostingInfo", "PostingInput", "PrintInfo", "add_photo", "batch_detail",
    "close_due_batches", "create_batch", "export_csv", "export_html", "handle_objection", "list_batches",
    "list_candidates", "notice_title", "objections", "photo_data", "photos", "plan_period", "post_batch", "preview",
    "print_poster", "print_withdrawal_notice", "prints", "record_print", "record_objection", "remove_case",
    "set_start_date", "withdraw_batch",
]

NoticeRefused = nd.NoticeRefused
MAX_REASON = 200
MAX_PLACE = 100


@dataclass(frozen=True)
class PostingInput:
    posted_on: date
    place: str              # e.g. 东坪村村务公开栏
    posted_by: str          # who put it up
    note: str = ""


@dataclass(frozen=True)
class MovedCase:
    case_uuid: str
    case_number_display: str
    holder_name: str
    status_label: str
    note: str = ""


@dataclass(frozen=True)
class ClosedBatch:
    """A batch whose period ended, and what became of its cases (for the clerk to see)."""

    batch_uuid: str
    batch_number: str
    village_name: str
    category_label: str
    end_on: date
    moved: tuple[MovedCase, ...]        # → 待审核确认
    not_moved: tuple[MovedCase, ...]    # still in notice for a reason, or no longer in notice


# ------------------------------------------------------------------ drafting

def _eligible(s, session: AppSession, cases: list[Case], division_code: str, category: Category,  # type: ignore[no-untyped-def]
              planner: DeadlinePlanner, on: date, exclude_batch: str = "") -> None:
    facts = nd.case_facts(s, cases, planner, on, exclude_batch=exclude_batch)
    for c in cases:
        f, cat, _visit = facts[c.uuid]
        number = format_case_number(c.case_number)
        if c.division_code != division_code:
            raise InvalidInput(f"案件 {number} 不属于本村（社区），不能列入本批公示。", "cases")
        problems = candidate_problems(f)
        if not problems and cat is not category:
            problems = (f"该案件应列入“{cat.label if cat else '无需公示'}”的公示，而不是“{category.label}”",)
        if problems:
            raise InvalidInput(f"案件 {number} 不能列入公示：{problems[0]}。", "cases")


def create_batch(session: AppSession, division_code: str, category: Category | str, case_uuids: list[str],
                 start_on: date | None = None, *, planner: DeadlinePlanner | None = None) -> BatchSummary:
    """A draft notice for one village and category; the period is computed from the policy in force."""
    session.require(Permission.TRANSITION_CASE)
    planner = planner or DeadlinePlanner.of(session)
    start_on = start_on or session.clock.today()
    if not isinstance(start_on, date) or isinstance(start_on, datetime):
        raise InvalidInput("请填写张贴日期。", "start_on")
    try:
        cat = Category(category)
    except ValueError:
        raise InvalidInput("请选择救助类别。", "category") from None
    ids = list(case_uuids or [])
    if not ids:
        raise InvalidInput("请至少选择一件案件列入公示。", "cases")
    if len(set(ids)) != len(ids):
        raise InvalidInput("同一案件不能重复列入公示。", "cases")
    with session.db.write() as s:
        if s.get(Village, division_code or "") is None:
            raise InvalidInput("该村（社区）不属于本乡镇。", "division_code")
        policy = planner.policy_for(division_code, start_on)
        try:
            period = compute_notice_period(start_on, policy, cat, planner.calendar)
        except NoticeNotRequired as exc:
            raise InvalidInput(exc.message + "。", "category") from None
        cases = [s.get(Case, u) for u in ids]
        if any(c is None for c in cases):
            raise InvalidInput("所选案件中有的已不存在，请刷新后重试。", "cases")
        _eligible(s, session, cases, division_code, cat, planner, start_on)  # type: ignore[arg-type]
        dev = device_info(s)
        scope = f"notice:{dev.device_code}:{start_on.year}"
        seq = s.get(Sequence, scope) or Sequence(scope=scope, value=0)
        seq.value += 1
        s.add(seq)
        now = session.clock.now()
        batch = NoticeBatch(
            batch_number=f"GS-{start_on.year}-{dev.device_code}-{seq.value:04d}", division_code=division_code,
            category=cat.value, status=BatchStatus.DRAFT.value, policy_ref=policy.ref, period_length=period.length,
            period_unit=period.unit.value, start_on=start_on, end_on=period.end_on, end_provisional=period.provisional,
            content=notice_content_for(policy, cat).to_dict(), created_by=session.user.username, created_at=now,
            withdraw_reason="", updated_at=now)
        s.add(batch)
        s.flush()
        for i, c in enumerate(cases):
            s.add(NoticeBatchCase(batch_uuid=batch.uuid, case_uuid=c.uuid, position=i, outcome="listed"))  # type: ignore[union-attr]
        s.flush()
        nd.batch_event(s, session, batch, "notice_batch_created",
                       {"cases": [c.case_number for c in cases]})  # type: ignore[union-attr]
        return summary(s, batch)


def _draft(s, batch_uuid: str):  # type: ignore[no-untyped-def]
    batch = nd.load_batch(s, batch_uuid)
    if batch.status != BatchStatus.DRAFT.value:
        raise InvalidInput(f"该公示当前为“{BatchStatus(batch.status).label}”，只有草稿可以修改。", "batch")
    return batch


def remove_case(session: AppSession, batch_uuid: str, case_uuid: str) -> BatchSummary:
    """Take a case out of a draft (e.g. held back, or not ready after all)."""
    session.require(Permission.TRANSITION_CASE)
    with session.db.write() as s:
        batch = _draft(s, batch_uuid)
        n = s.scalar(select(func.count()).select_from(NoticeBatchCase).where(NoticeBatchCase.batch_uuid == batch.uuid))
        gone = s.execute(delete(NoticeBatchCase).where(NoticeBatchCase.batch_uuid == batch.uuid,
                                                       NoticeBatchCase.case_uuid == case_uuid)).rowcount
        if not gone:
            raise InvalidInput("该案件不在本批公示名单中。", "case")
        if n <= 1:
            raise InvalidInput("这是名单中最后一件案件：请直接撤回（放弃）本草稿。", "case")
        batch.updated_at = session.clock.now()
        case = s.get(Case, case_uuid)
        nd.batch_event(s, session, batch, "notice_case_removed",
                       {"case_number": case.case_number if case else ""})
        return summary(s, batch)


def set_start_date(session: AppSession, batch_uuid: str, start_on: date, *,
                   planner: DeadlinePlanner | None = None) -> BatchSummary:
    """Change the planned posting day of a draft; the period is computed again (reprint the poster)."""
    session.require(Permission.TRANSITION_CASE)
    planner = planner or DeadlinePlanner.of(session)
    if not isinstance(start_on, date) or isinstance(start_on, datetime):
        raise InvalidInput("请填写张贴日期。", "start_on")
    with session.db.write() as s:
        batch = _draft(s, batch_uuid)
        cases = [s.get(Case, m.case_uuid) for m in nd.members(s, batch)]
        _eligible(s, session, cases, batch.division_code, Category(batch.category), planner, start_on,  # type: ignore[arg-type]
                  exclude_batch=batch.uuid)
        policy = planner.policy_for(batch.division_code, start_on)
        try:
            period = compute_notice_period(start_on, policy, batch.category, planner.calendar)
        except NoticeNotRequired as exc:
            raise InvalidInput(exc.message + "。", "start_on") from None
        batch.start_on, batch.end_on, batch.policy_ref = start_on, period.end_on, policy.ref
        batch.end_provisional = period.provisional
        batch.period_length, batch.period_unit = period.length, period.unit.value
        batch.content = notice_content_for(policy, batch.category).to_dict()
        batch.updated_at = session.clock.now()
        nd.batch_event(s, session, batch, "notice_start_changed", {"start_on": start_on.isoformat()})
        return summary(s, batch)


# ------------------------------------------------------------------ posting

def _text(value: str, what: str, field: str, limit: int) -> str:
    return validation.text(value, what, field, limit, squash=True)


def post_batch(session: AppSession, batch_uuid: str, posting: PostingInput, *, today: date | None = None,
               planner: DeadlinePlanner | None = None) -> BatchSummary:
    """Record that the printed poster was put up: the first posting starts the notice (every case
    ``post_notice``); a later one records another place where the same notice hangs."""
    session.require(Permission.TRANSITION_CASE)
    planner = planner or DeadlinePlanner.of(session)
    today = today or session.clock.today()
    if not isinstance(posting.posted_on, date):
        raise InvalidInput("请填写张贴日期。", "posted_on")
    if posting.posted_on > today:
        raise InvalidInput("张贴日期不能晚于今天：请在张贴之后再登记。", "posted_on")
    place = _text(posting.place, "张贴地点", "place", MAX_PLACE)
    who = _text(posting.posted_by, "张贴人", "posted_by", MAX_PLACE)
    note = validation.text(posting.note or "", "备注", "note", 500, required=False)   # a lone surrogate crashed here
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        status = BatchStatus(batch.status)
        now = session.clock.now()
        if status is BatchStatus.DRAFT:
            _start_notice(s, session, batch, posting.posted_on, planner, now)
            action = "notice_posted"
        elif status is BatchStatus.POSTED:
            if posting.posted_on < batch.start_on or (batch.end_on is not None and posting.posted_on > batch.end_on):
                raise InvalidInput("张贴日期不在本公示的公示期内。", "posted_on")
            action = "notice_posting_added"
        else:
            raise InvalidInput(f"该公示当前为“{status.label}”，不能再登记张贴。", "batch")
        row = NoticePosting(batch_uuid=batch.uuid, posted_on=posting.posted_on, place=place, posted_by=who,
                            note=note, recorded_by=session.user.username, recorded_at=now)
        s.add(row)
        s.flush()
        listed = [m.case_uuid for m in nd.members(s, batch)]
        fields: dict[str, Any] = {"posting_uuid": row.uuid, "posted_on": posting.posted_on}
        if action == "notice_posted":
            fields["case_uuids"] = listed
        nd.batch_event(s, session, batch, action, {"posting": row.uuid, "posted_on": posting.posted_on.isoformat(),
                                                   "cases": len(listed)}, event=fields)
        return summary(s, batch)


def _start_notice(s, session: AppSession, batch: NoticeBatch, posted_on: date,  # type: ignore[no-untyped-def]
                  planner: DeadlinePlanner, now: datetime) -> None:
    if posted_on != batch.start_on:
        raise InvalidInput(f"海报上印的张贴日期是{batch.start_on:%Y-%m-%d}，与实际张贴日期{posted_on:%Y-%m-%d}不同："
                           "请先把本批的张贴日期改为实际日期并重新打印海报。", "posted_on")
    last = nd.last_print(s, batch, "poster")
    if last is None:
        raise InvalidInput("尚未打印公示海报：请先打印再张贴。", "batch")
    if last.at < batch.updated_at:
        raise InvalidInput("公示草稿在最后一次打印后有修改：请重新打印海报后再张贴。", "batch")
    nd.refresh_period(planner, batch)
    for m in nd.members(s, batch):
        case = s.get(Case, m.case_uuid)
        try:
            workflow.transition_in(s, session, case.uuid, "post_notice", detail={"notice_batch": batch.batch_number},
                                   now=now)
        except TransitionRefused as exc:
            raise InvalidInput(f"案件 {format_case_number(case.case_number)} 不能公示：{exc.message}。"
                               "请将其移出本批次（需重新打印海报）。", "cases") from None
    batch.status, batch.posted_at, batch.updated_at = BatchStatus.POSTED.value, now, now


# ------------------------------------------------------------------ end of period

def close_due_batches(session: AppSession, today: date | None = None, *,
                      planner: DeadlinePlanner | None = None) -> list[ClosedBatch]:
    """End every posted notice whose period is over (today is after its last day): cases still in
    notice with no open objection move on (``end_notice`` → 待审核确认). One transaction per batch.
    Meant to run at start and daily, for the roles that move cases."""
    session.require(Permission.TRANSITION_CASE)
    planner = planner or DeadlinePlanner.of(session)
    today = today or session.clock.today()
    with session.db.read() as s:
        due = s.scalars(select(NoticeBatch.uuid).where(NoticeBatch.status == BatchStatus.POSTED.value)
                        .order_by(NoticeBatch.start_on, NoticeBatch.batch_number)).all()
    out = []
    for batch_uuid in due:
        closed = _close_one(session, batch_uuid, today, planner)
        if closed is not None:
            out.append(closed)
    return out


def _close_one(session: AppSession, batch_uuid: str, today: date, planner: DeadlinePlanner) -> ClosedBatch | None:
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        if batch.status != BatchStatus.POSTED.value:
            return None
        if batch.end_on is None:
            period = nd.refresh_period(planner, batch)   # the calendar may have been updated since
        else:
            period = nd.batch_period(batch)
        if not period.is_over(today):
            return None
        now = session.clock.now()
        moved, not_moved = [], []
        for m in nd.members(s, batch):
            case = s.get(Case, m.case_uuid)
            holder = s.get(Person, case.applicant_uuid)
            row = (case.uuid, format_case_number(case.case_number), holder.name if holder else "")
            if case.status != CaseStatus.IN_NOTICE.value:
                if m.outcome == "listed":
                    m.outcome, m.outcome_at = "left", now
                not_moved.append(MovedCase(*row, CaseStatus(case.status).label, nd.OUTCOME_LABELS[m.outcome]))
                continue
            try:   # the period is over: the batch's own fact; open objections the workflow counts itself
                after = workflow.transition_in(s, session, case.uuid, "end_notice",
                                               caller=CallerFacts(notice_period_ended=True),
                                               detail={"notice_batch": batch.batch_number}, now=now)
            except TransitionRefused as exc:
                not_moved.append(MovedCase(*row, CaseStatus(case.status).label, exc.message))
                continue
            m.outcome, m.outcome_at = "moved_on", now
            moved.append(MovedCase(*row, after.label))
        batch.status, batch.ended_at, batch.updated_at = BatchStatus.ENDED.value, now, now
        nd.batch_event(s, session, batch, "notice_ended", {"moved": len(moved), "not_moved": len(not_moved),
                                                           "today": today.isoformat()},
                       event={"moved": len(moved), "not_moved": len(not_moved), "ended_on": today})
        return ClosedBatch(batch.uuid, batch.batch_number, nd.village_name(s, batch.division_code),
                           Category(batch.category).label, batch.end_on, tuple(moved), tuple(not_moved))


# ------------------------------------------------------------------ withdrawal

def _withdraw_transition() -> tuple[str, bool]:
    """The case transition that takes a case out of a withdrawn notice: ``withdraw_notice`` once the
    state machine has it; until then ``object`` with the reason marked as a withdrawal."""
    return ("withdraw_notice", False) if "withdraw_notice" in TRANSITIONS_BY_NAME else ("object", True)


def withdraw_batch(session: AppSession, batch_uuid: str, reason: str) -> BatchSummary:
    """Withdraw a notice with a reason (printed on the withdrawal notice, so no long numbers).
    Posted: its cases go back to investigation and can join a new notice (no new home visit is
    needed for a withdrawal). Draft: simply discarded."""
    session.require(Permission.TRANSITION_CASE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("请填写撤回公示的理由。", "reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"撤回理由最多{MAX_REASON}字。", "reason")
    try:
        check_cells(("reason",), ((reason,),))
    except UnmaskedNumberError:
        raise InvalidInput("撤回理由将公开张贴，不能含有电话、银行卡或身份证号码。", "reason") from None
    name, marked = _withdraw_transition()
    with session.db.write() as s:
        batch = nd.load_batch(s, batch_uuid)
        status = BatchStatus(batch.status)
        if status not in (BatchStatus.DRAFT, BatchStatus.POSTED):
            raise InvalidInput(f"该公示当前为“{status.label}”，不能撤回。", "batch")
        now = session.clock.now()
        if status is BatchStatus.POSTED:
            for m in nd.members(s, batch):
                case = s.get(Case, m.case_uuid)
                if case.status != CaseStatus.IN_NOTICE.value:
                    continue
                text = nd.WITHDRAWAL_PREFIX + reason
                try:
                    workflow.transition_in(s, session, case.uuid, name,
                                           TransitionInput(reason=text, objection=text if marked else ""),
                                           detail={"notice_batch": batch.batch_number}, now=now)
                except TransitionRefused as exc:
                    raise InvalidInput(f"案件 {format_case_number(case.case_number)}：{exc.message}", "cases") from None
                m.outcome, m.outcome_at = "withdrawn", now
        batch.status, batch.withdrawn_at, batch.withdrawn_by = BatchStatus.WITHDRAWN.value, now, session.user.username
        batch.withdraw_reason, batch.updated_at = reason, now
        nd.batch_event(s, session, batch, "notice_withdrawn", {"was": status.value},
                       event={"was": status.value} if status is BatchStatus.POSTED else None)
        return summary(s, batch)


def prints(session: AppSession, batch_uuid: str) -> list[PrintInfo]:
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        nd.load_batch(s, batch_uuid)
        rows = s.scalars(select(NoticePrint).where(NoticePrint.batch_uuid == batch_uuid)
                         .order_by(NoticePrint.at, NoticePrint.id)).all()
        return [PrintInfo(r.uuid, r.kind, r.fmt, r.copy_no, r.rows, r.sha256, r.actor, r.at) for r in rows]
