"""The demo's casework after the bulk cases: home visits and economic checks of the cases past
investigation, 先行救助 grants, and real notice batches — through the services where one exists,
so batches, cases, audit and outbox agree (see :mod:`desktop.demo.generator`)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert

from desktop.demo import recent_events
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.roles import Role
from desktop.services.deadlines import planner as clocks
from desktop.services.errors import ServiceError
from desktop.services.session import AppSession
from desktop.store.models import Case, CaseCategory, Person, new_uuid


def populate_investigations(session: AppSession, rng: random.Random, today: date) -> None:
    """The investigation record of demo cases already past it (待审核确认, 已办结): a home visit by two
    staff and, where the policy requires it, the economic-check result (符合, or 不符合 for a refusal) —
    so those cases show what they were decided on. Cases still under investigation keep theirs to do."""
    from sqlalchemy import select  # noqa: PLC0415

    from desktop.store.models_investigation import Deliberation, EconomicCheck, HomeVisit  # noqa: PLC0415

    done = (CaseStatus.AWAITING_DECISION.value, CaseStatus.APPROVED.value, CaseStatus.REFUSED.value)
    planner = clocks.DeadlinePlanner.of(session)
    with session.db.write() as s:
        rows = s.execute(select(Case.uuid, Case.division_code, Case.accepted_on, Case.status, Case.clerk,
                                Case.received_at)
                         .where(Case.status.in_(done), Case.emergency.is_(False), Case.accepted_on.is_not(None))).all()
        cats: dict[str, list[str]] = {}
        for case_uuid, code in s.execute(select(CaseCategory.case_uuid, CaseCategory.category)
                                         .join(Case, Case.uuid == CaseCategory.case_uuid)
                                         .where(Case.status.in_(done))).all():
            cats.setdefault(case_uuid, []).append(code)
        visits, checks, deliberations = [], [], []
        for r in rows:
            day = min(today, r.accepted_on + timedelta(days=rng.randint(1, 4)))
            at = max(r.received_at, datetime.combine(day, time(2, 0), tzinfo=UTC))
            visits.append({"uuid": new_uuid(), "case_uuid": r.uuid, "visited_on": day,
                           "investigators": list(DEMO_INVESTIGATORS), "proposed_monthly_cents": None,
                           "note": "", "findings": "演示数据：入户核实家庭人口、收入、住房和财产情况",
                           "recorded_by": r.clerk, "recorded_at": at})
            policy = planner.policy_for(r.division_code, r.accepted_on)
            codes = [c for c in cats.get(r.uuid, []) if c in Category._value2member_map_]
            if any(policy.democratic_deliberation_required(c) for c in codes):
                deliberations.append({"uuid": new_uuid(), "case_uuid": r.uuid, "held_on": day, "participants": 9,
                                      "result": "disagree" if r.status == CaseStatus.REFUSED.value else "agree",
                                      "summary": "演示数据", "recorded_by": r.clerk, "recorded_at": at})
            if any(policy.economic_check_required(c) for c in codes):
                refused = r.status == CaseStatus.REFUSED.value
                checks.append({"uuid": new_uuid(), "case_uuid": r.uuid, "requested_on": day,
                               "requested_to": "县居民家庭经济状况核对中心", "request_note": "",
                               "requested_by": r.clerk, "requested_at": at, "result_on": day,
                               "conclusion": "ineligible" if refused else "eligible",
                               "summary": "演示数据：家庭人均收入高于低保标准" if refused else "演示数据：收入、财产符合条件",
                               "result_by": r.clerk, "result_at": at})
        if visits:
            s.execute(insert(HomeVisit), visits)
        if checks:
            s.execute(insert(EconomicCheck), checks)
        if deliberations:
            s.execute(insert(Deliberation), deliberations)


def populate_grants(session: AppSession, rng: random.Random) -> None:
    """A 先行救助 grant row for every demo case already 已先行救助 (within the township limit, approved by
    the demo supervisor on the day of acceptance), so the case detail shows what was granted."""
    from sqlalchemy import select  # noqa: PLC0415

    from desktop.domain.investigation import EmergencyReason  # noqa: PLC0415
    from desktop.store.models_investigation import EmergencyGrant  # noqa: PLC0415

    with session.db.write() as s:
        rows = s.execute(select(Case.uuid, Case.applicant_uuid, Case.accepted_on, Case.received_at, Case.clerk,
                                Person.id_hash).join(Person, Person.uuid == Case.applicant_uuid)
                         .where(Case.status == CaseStatus.EMERGENCY_AIDED.value)).all()
        if not rows:
            return
        reasons = list(EmergencyReason)
        s.execute(insert(EmergencyGrant), [
            {"uuid": new_uuid(), "case_uuid": r.uuid, "person_uuid": r.applicant_uuid, "id_hash": r.id_hash,
             "amount_cents": rng.choice((50000, 100000, 150000, 200000, 300000)),
             "reason_code": rng.choices(reasons, (50, 20, 25, 5))[0].value,
             "reason_note": "演示数据", "route": "township", "granted_on": r.accepted_on or r.received_at.date(),
             "approved_by": "supervisor", "recorded_by": r.clerk, "recorded_at": r.received_at} for r in rows])


def _record_check(clerk: AppSession, case_uuid: str, on: date, today: date) -> None:
    """The economic-check request and its result (符合), which the policy requires before a 低保 notice."""
    from desktop.services.investigation import records as inv  # noqa: PLC0415

    check = inv.request_economic_check(clerk, case_uuid, inv.CheckRequestInput(on, "县居民家庭经济状况核对中心"),
                                       today=today)
    inv.record_check_result(clerk, check, inv.CheckResultInput(on, "eligible", "收入、财产状况符合低保条件"),
                            today=today)


# Real notice batches for a bounded number of the cases meant to be in notice (the rest stay 调查中):
# (days before today the poster went up, or None for a draft not yet posted; most cases per batch).
DEMO_BATCHES: tuple[tuple[int | None, int], ...] = ((12, 12), (3, 15), (0, 15), (None, 10))
DEMO_INVESTIGATORS = ("王晓燕", "李建军")


def populate_notices(session: AppSession, noticed: list[tuple[str, str, date]], today: date) -> None:
    """Home visits, a batch per village (低保), the A4 poster printed (recorded) and posted — through
    the notice service as the demo clerk, so batches, cases, audit and outbox agree."""
    from desktop.services.investigation import records as inv  # noqa: PLC0415 (the one home-visit service)
    from desktop.services.notices import batches as notices  # noqa: PLC0415 (the notice service imports a lot; only the demo needs it here)
    from desktop.services.session import UserInfo  # noqa: PLC0415

    clerk = AppSession(db=session.db, user=UserInfo("clerk", "王晓燕", Role.CLERK))
    by_village: dict[str, list[tuple[str, date]]] = {}
    for case_uuid, code, accepted in noticed:
        by_village.setdefault(code, []).append((case_uuid, accepted))
    villages = sorted(by_village, key=lambda v: -len(by_village[v]))
    for (ago, most), code in zip(DEMO_BATCHES, villages, strict=False):
        chosen = by_village[code][:most]
        start = max([today - timedelta(days=ago or 0)] + [accepted for _u, accepted in chosen])
        with session.db.write() as s:     # the county gets these cases before what the notice does to them
            recent_events.queue_cases(s, [u for u, _a in chosen])
        try:
            for case_uuid, accepted in chosen:
                inv.record_home_visit(clerk, case_uuid, inv.HomeVisitInput(
                    accepted, DEMO_INVESTIGATORS, "演示数据：入户核实家庭人口、收入、住房和财产情况",
                    52000 + 4000 * (len(chosen) % 5)), today=today)
                _record_check(clerk, case_uuid, accepted, today)
            batch = notices.create_batch(clerk, code, Category.DIBAO, [u for u, _a in chosen], start_on=start)
            if ago is None:
                continue
            notices.print_poster(clerk, batch.uuid, "A4", "portrait")
            notices.post_batch(clerk, batch.uuid, notices.PostingInput(start, "村务公开栏", "马春花"), today=today)
        except ServiceError:
            continue   # e.g. a period beyond the holiday calendar: those cases simply stay under investigation
