"""What the 公示 page shows: cases ready (or not) for a notice, batches, one batch in full.

Names of applicants appear here for the clerk (permission ``view_cases``);
the published text only ever comes from :mod:`desktop.services.notices.output`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.case_number import format_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.clock import NoticeNotRequired
from desktop.domain.notice import BatchStatus, NoticePeriod, candidate_problems, compute_notice_period
from desktop.domain.roles import Permission
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.errors import InvalidInput
from desktop.services.notices import data as nd
from desktop.services.notices.evidence import ObjectionInfo, PhotoInfo, objections, photos
from desktop.services.notices.output import notice_title
from desktop.services.session import AppSession
from desktop.store.models import Case, Person, Village
from desktop.store.models_notice import NoticeBatch, NoticeObjection, NoticePosting, NoticePrint


@dataclass(frozen=True)
class NoticeCandidate:
    """A case under investigation, and whether it can join a notice now (``problems`` say why not)."""

    case_uuid: str
    case_number_display: str
    holder_name: str
    division_code: str
    village_name: str
    category: Category | None          # the category it would be noticed under
    category_label: str
    status_label: str
    investigators: int
    proposed_monthly_cents: int | None
    problems: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class BatchSummary:
    uuid: str
    batch_number: str
    division_code: str
    village_name: str
    category: Category
    category_label: str
    title: str
    status: BatchStatus
    status_label: str
    start_on: date                  # the posting day
    end_on: date | None             # last day of the period (None: beyond the holiday calendar)
    period_label: str               # 7个自然日 / 5个工作日
    period_text: str                # as printed
    cases: int
    objections: int
    open_objections: int
    posted_at: datetime | None
    poster_printed: bool
    needs_reprint: bool             # a draft changed since its poster was printed (or never printed)
    withdraw_reason: str
    created_by: str
    end_provisional: bool = False   # 暂定 end_on (no official holiday schedule for its year yet)


@dataclass(frozen=True)
class BatchCaseRow:
    case_uuid: str
    case_number_display: str
    holder_name: str
    household_size: int
    proposed_monthly_cents: int | None
    case_status_label: str
    outcome: str                    # listed | moved_on | objected | withdrawn | left
    outcome_label: str


@dataclass(frozen=True)
class PostingInfo:
    uuid: str
    posted_on: date
    place: str
    posted_by: str
    note: str
    recorded_by: str


@dataclass(frozen=True)
class PrintInfo:
    uuid: str
    kind: str                       # poster | withdrawal | csv | html
    fmt: str
    copy_no: int
    rows: int
    sha256: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class BatchDetail:
    summary: BatchSummary
    cases: tuple[BatchCaseRow, ...]
    postings: tuple[PostingInfo, ...]
    photos: tuple[PhotoInfo, ...]
    objections: tuple[ObjectionInfo, ...]
    prints: tuple[PrintInfo, ...]


def list_candidates(session: AppSession, division_code: str | None = None, category: Category | str | None = None,
                    on: date | None = None, *, planner: DeadlinePlanner | None = None) -> list[NoticeCandidate]:
    """Cases under investigation or deliberation (of one village, if given), with what still stops
    each from joining a notice posted on ``on`` (default today). ``category`` keeps only the cases
    that would be noticed under it."""
    session.require(Permission.VIEW_CASES)
    planner = planner or DeadlinePlanner.of(session)
    on = on or session.clock.today()
    try:
        want = Category(category) if category is not None else None
    except ValueError:
        raise InvalidInput("未知的救助类别。", "category") from None
    with session.db.read() as s:
        q = select(Case).where(Case.status.in_((CaseStatus.INVESTIGATING.value, CaseStatus.DELIBERATION.value)))
        if division_code:
            q = q.where(Case.division_code == division_code)
        cases = list(s.scalars(q.order_by(Case.division_code, Case.case_number)).all())
        facts = nd.case_facts(s, cases, planner, on)
        villages = dict(s.execute(select(Village.division_code, Village.name)).all())
        names = dict(s.execute(select(Person.uuid, Person.name)
                               .where(Person.uuid.in_([c.applicant_uuid for c in cases]))).all()) if cases else {}
        out = []
        for c in cases:
            f, cat, visit = facts[c.uuid]
            if want is not None and cat is not want:
                continue
            out.append(NoticeCandidate(
                case_uuid=c.uuid, case_number_display=format_case_number(c.case_number),
                holder_name=names.get(c.applicant_uuid, ""), division_code=c.division_code,
                village_name=villages.get(c.division_code, c.division_code), category=cat,
                category_label=cat.label if cat else "无需公示", status_label=CaseStatus(c.status).label,
                investigators=visit.investigators, proposed_monthly_cents=visit.proposed_monthly_cents,
                problems=candidate_problems(f) + nd.investigation_gaps(s, c, f)))
        return out


def plan_period(session: AppSession, division_code: str, category: Category | str, start_on: date, *,
                planner: DeadlinePlanner | None = None) -> NoticePeriod:
    """The period a notice of ``category`` in this village posted on ``start_on`` would have (length,
    unit, last day), from the policy in force — shown before a batch is made."""
    session.require(Permission.VIEW_CASES)
    planner = planner or DeadlinePlanner.of(session)
    if not isinstance(start_on, date) or isinstance(start_on, datetime):
        raise InvalidInput("请填写张贴日期。", "start_on")
    try:
        cat = Category(category)
    except ValueError:
        raise InvalidInput("请选择救助类别。", "category") from None
    with session.db.read() as s:
        if s.get(Village, division_code or "") is None:
            raise InvalidInput("该村（社区）不属于本乡镇。", "division_code")
    policy = planner.policy_for(division_code, start_on)
    try:
        return compute_notice_period(start_on, policy, cat, planner.calendar)
    except NoticeNotRequired as exc:
        raise InvalidInput(exc.message + "。", "category") from None


def summary(s: Session, batch: NoticeBatch) -> BatchSummary:
    period = nd.batch_period(batch)
    n_cases = len(nd.members(s, batch))
    counts = dict(s.execute(select(NoticeObjection.status, func.count())
                            .where(NoticeObjection.batch_uuid == batch.uuid)
                            .group_by(NoticeObjection.status)).all())
    last = nd.last_print(s, batch, "poster")
    status = BatchStatus(batch.status)
    cat = Category(batch.category)
    return BatchSummary(
        uuid=batch.uuid, batch_number=batch.batch_number, division_code=batch.division_code,
        village_name=nd.village_name(s, batch.division_code), category=cat, category_label=cat.label,
        title=notice_title(cat), status=status, status_label=status.label, start_on=batch.start_on,
        end_on=batch.end_on, period_label=period.label, period_text=period.text, cases=n_cases,
        objections=sum(counts.values()), open_objections=counts.get("open", 0), posted_at=batch.posted_at,
        poster_printed=last is not None,
        needs_reprint=status is BatchStatus.DRAFT and (last is None or last.at < batch.updated_at),
        withdraw_reason=batch.withdraw_reason, created_by=batch.created_by, end_provisional=period.provisional)


def list_batches(session: AppSession, status: BatchStatus | str | None = None,
                 division_code: str | None = None) -> list[BatchSummary]:
    """Batches, newest posting day first (all states, or one)."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        q = select(NoticeBatch)
        if status is not None:
            try:
                q = q.where(NoticeBatch.status == BatchStatus(status).value)
            except ValueError:
                raise InvalidInput("未知的公示状态。", "status") from None
        if division_code:
            q = q.where(NoticeBatch.division_code == division_code)
        rows = s.scalars(q.order_by(NoticeBatch.start_on.desc(), NoticeBatch.batch_number.desc())).all()
        return [summary(s, b) for b in rows]


def batch_detail(session: AppSession, batch_uuid: str) -> BatchDetail:
    """One batch: its cases (with what became of each), postings, photos, objections, prints."""
    session.require(Permission.VIEW_CASES)
    with session.db.read() as s:
        batch = nd.load_batch(s, batch_uuid)
        members = nd.members(s, batch)
        visits = nd.visit_facts(s, [m.case_uuid for m in members])
        rows = []
        for m, (case, source) in zip(members, nd.sources(s, batch, members), strict=True):
            rows.append(BatchCaseRow(
                case_uuid=case.uuid, case_number_display=format_case_number(case.case_number),
                holder_name=source.holder.name, household_size=source.household_size,
                proposed_monthly_cents=visits[case.uuid].proposed_monthly_cents,
                case_status_label=CaseStatus(case.status).label, outcome=m.outcome,
                outcome_label=nd.OUTCOME_LABELS.get(m.outcome, m.outcome)))
        postings = tuple(PostingInfo(p.uuid, p.posted_on, p.place, p.posted_by, p.note, p.recorded_by)
                         for p in s.scalars(select(NoticePosting).where(NoticePosting.batch_uuid == batch.uuid)
                                            .order_by(NoticePosting.posted_on, NoticePosting.id)))
        printed = tuple(PrintInfo(r.uuid, r.kind, r.fmt, r.copy_no, r.rows, r.sha256, r.actor, r.at)
                        for r in s.scalars(select(NoticePrint).where(NoticePrint.batch_uuid == batch.uuid)
                                           .order_by(NoticePrint.at, NoticePrint.id)))
        head = summary(s, batch)
    return BatchDetail(head, tuple(rows), postings, tuple(photos(session, batch_uuid)),
                       tuple(objections(session, batch_uuid)), printed)
