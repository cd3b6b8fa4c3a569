"""What the investigation of a case has established, for the workflow's guards and the notice.

Read-only queries inside the caller's session; this module imports nothing of
the use cases (no workflow, no notice service), so the workflow, the notice
batch and the investigation screen all read the same facts from it:

- which home visit counts (:func:`visit_facts`, :func:`home_visit_investigators`):
  the latest recorded after the case's latest objection or return for
  re-investigation. A withdrawn notice is neither: ``withdraw_notice`` is not
  a reset, and neither is an ``object`` marked as a withdrawal (databases from
  before ``withdraw_notice`` existed);
- how many staff a home visit needs (:func:`required_investigators`): policy
  ``home_visit_min_investigators`` of the acceptance day;
- what the policy requires recorded before 公示 or 审核确认
  (:func:`missing_before_decision`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain import case_state
from desktop.domain.categories import Category
from desktop.domain.investigation import EconomicCheckConclusion
from desktop.domain.policy import PolicyTable
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.store.models import Case, CaseCategory, StatusChange
from desktop.store.models_investigation import Deliberation, EconomicCheck, HomeVisit
from desktop.store.models_notice import NoticeObjection
from desktop.store.timekeeping import clock_of

__all__ = [
    "RESET_TRANSITIONS", "WITHDRAWAL_PREFIX", "VisitFacts", "categories", "counting_visit_uuids",
    "home_visit_investigators", "home_visit_missing", "missing_before_decision", "missing_records", "policy_for_case",
    "required_investigators", "requirements", "visit_facts",
]

RESET_TRANSITIONS = ("object", "return_for_reinvestigation")
WITHDRAWAL_PREFIX = "撤回公示："


@dataclass(frozen=True)
class VisitFacts:
    investigators: int                  # distinct staff on the home visit that counts (0: none counts)
    proposed_monthly_cents: int | None
    visited_on: date | None
    visit_uuid: str | None = None


def chunks(ids: list[str], n: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


def _reset_points(s: Session, case_uuids: list[str]) -> dict[str, datetime]:
    """Since when a home visit counts: after the latest objection or return for re-investigation."""
    out: dict[str, datetime] = {}
    rows = s.execute(select(StatusChange.case_uuid, StatusChange.at, StatusChange.reason)
                     .where(StatusChange.case_uuid.in_(case_uuids),
                            StatusChange.transition.in_(RESET_TRANSITIONS))).all()
    for case_uuid, at, reason in rows:
        if (reason or "").startswith(WITHDRAWAL_PREFIX):
            continue
        if case_uuid not in out or at > out[case_uuid]:
            out[case_uuid] = at
    for case_uuid, at in s.execute(select(NoticeObjection.case_uuid, NoticeObjection.recorded_at)
                                   .where(NoticeObjection.case_uuid.in_(case_uuids))).all():
        if case_uuid not in out or at > out[case_uuid]:
            out[case_uuid] = at
    return out


def _counting(s: Session, case_uuids: list[str]) -> dict[str, list[HomeVisit]]:
    out: dict[str, list[HomeVisit]] = {c: [] for c in case_uuids}
    for chunk in chunks(case_uuids):
        resets = _reset_points(s, chunk)
        for v in s.scalars(select(HomeVisit).where(HomeVisit.case_uuid.in_(chunk))
                           .order_by(HomeVisit.recorded_at, HomeVisit.id)).all():
            reset = resets.get(v.case_uuid)
            if reset is None or v.recorded_at > reset:
                out[v.case_uuid].append(v)
    return out


def visit_facts(s: Session, case_uuids: Iterable[str]) -> dict[str, VisitFacts]:
    """The home visit that counts for each case: the latest one recorded after the reset point."""
    ids = list(dict.fromkeys(case_uuids))
    out = {c: VisitFacts(0, None, None) for c in ids}
    for case_uuid, visits in _counting(s, ids).items():
        if visits:
            v = visits[-1]
            out[case_uuid] = VisitFacts(len(set(v.investigators or [])), v.proposed_monthly_cents, v.visited_on,
                                        v.uuid)
    return out


def home_visit_investigators(s: Session, case_uuid: str) -> int:
    """Distinct staff on the home visit of the case that counts (the guards' fact)."""
    return visit_facts(s, [case_uuid])[case_uuid].investigators


def counting_visit_uuids(s: Session, case_uuid: str) -> set[str]:
    """Every visit recorded after the reset point (the screen marks the others as superseded)."""
    return {v.uuid for v in _counting(s, [case_uuid])[case_uuid]}


def policy_for_case(case: Case, today: date) -> PolicyTable:
    """The policy the case's investigation follows: the one it was taken in under (its ``policy_ref``)."""
    return DeadlinePlanner.of_record(case).policy_of(case, today)


def required_investigators(case: Case, today: date) -> int:
    return policy_for_case(case, today).home_visit_min_investigators


def categories(s: Session, case_uuid: str) -> list[Category]:
    out = []
    for code in s.scalars(select(CaseCategory.category).where(CaseCategory.case_uuid == case_uuid)).all():
        try:
            out.append(Category(code))
        except ValueError:
            continue
    return out


def requirements(s: Session, case: Case, today: date | None = None) -> tuple[bool, bool]:
    """(economic check required, 民主评议 required) for any of the case's categories."""
    policy = policy_for_case(case, today or clock_of(s).today())
    cats = categories(s, case.uuid)
    return (any(policy.economic_check_required(c) for c in cats),
            any(policy.democratic_deliberation_required(c) for c in cats))


def latest_result(s: Session, case_uuid: str) -> EconomicCheck | None:
    return s.scalars(select(EconomicCheck).where(EconomicCheck.case_uuid == case_uuid,
                                                 EconomicCheck.conclusion.is_not(None))
                     .order_by(EconomicCheck.result_on.desc(), EconomicCheck.id.desc())).first()


def home_visit_missing(s: Session, case: Case, today: date | None = None) -> str | None:
    n, least = home_visit_investigators(s, case.uuid), required_investigators(case, today or clock_of(s).today())
    return case_state.home_visit_missing(n, least)


def missing_records(s: Session, case: Case, today: date | None = None) -> tuple[str, ...]:
    """The "尚缺" line: the home visit and everything else the policy requires before 公示 or 审核确认,
    in the words the guards' refusal uses (:func:`desktop.domain.case_state.investigation_missing`)."""
    visit = home_visit_missing(s, case, today)
    return ((visit,) if visit else ()) + missing_before_decision(s, case, today)


def missing_before_decision(s: Session, case: Case, today: date | None = None) -> tuple[str, ...]:
    """What the policy requires recorded before the case may go to notice or to decision, beyond the
    home visit (Chinese, one item each; empty when complete).

    The home visit is required too, but the guards check it through their own fact
    (``home_visit_investigators`` against ``min_home_visit_investigators``) with its own message;
    repeating it here would say it twice."""
    missing = []
    check_required, deliberation_required = requirements(s, case, today)
    if check_required:
        latest = latest_result(s, case.uuid)
        if latest is None:
            missing.append("家庭经济状况核对报告")
        elif not EconomicCheckConclusion(latest.conclusion).is_final:
            missing.append("家庭经济状况核对报告（最近一次结论为需进一步核实）")
    if deliberation_required and s.scalar(select(func.count()).select_from(Deliberation)
                                          .where(Deliberation.case_uuid == case.uuid)) == 0:
        missing.append("民主评议记录")
    return tuple(missing)
