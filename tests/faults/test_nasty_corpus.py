"""The corpus (corpus.py, 1,200 strings) through the text fields of the services: each call either
succeeds or raises a YimenError whose message is Chinese and carries no control or invisible character,
and a refused call changed nothing (row counts, every row's content, the audit head); any other
exception fails.

What goes where (to keep the run short — one database per group of services):
- the whole corpus through a person's name at intake (the names field) and through both search boxes
  (intake search-first and the case list's text filter);
- every string through one free-text field: string ``i`` goes to ``TEXT_FIELDS[i % len(TEXT_FIELDS)]``,
  the fields of intake, investigation, transitions, referrals, notices, objections, user admin,
  emergency aid (the note) and re-checks (the outcome's reason);
- the policy import takes every 7th string as a file path.
The refusal check compares every row of every table (hashed) and the audit head; for intake and for
referrals/notices, whose every change inserts rows and an audit event, row counts and the audit head.
A call that succeeds on a one-shot step (a withdrawal, a posting, a referral result) gets a fresh
case/batch/referral for the next string."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus import corpus
from factories import complete_application
from faultkit import township_with_clerk
from sqlalchemy import select

from desktop.domain.categories import Category
from desktop.domain.errors import YimenError
from desktop.domain.policy import RecheckClass
from desktop.domain.roles import Role
from desktop.domain.text_rules import is_invisible
from desktop.services.admin import accounts
from desktop.services.admin.setup import create_township
from desktop.services.cases import queries as case_queries
from desktop.services.cases.queries import CaseFilter
from desktop.services.coverage import rechecks
from desktop.services.coverage.rechecks import OutcomeInput
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.emergency import grants as emergency
from desktop.services.emergency.grants import GrantInput
from desktop.services.intake import search
from desktop.services.intake.accept import submit_application
from desktop.services.investigation import records as inv
from desktop.services.notices import batches as notices
from desktop.services.notices import evidence
from desktop.services.policy import updates
from desktop.services.referrals import lifecycle as referrals
from desktop.services.referrals.lifecycle import ResultInput
from desktop.services.session import AppSession
from desktop.services.workflow import transitions
from desktop.services.workflow.facts import TransitionInput
from desktop.store import audit
from desktop.store.models import Case, Coverage
from desktop.store.models_recheck import Recheck
from desktop.store.models_referral import Referral

CORPUS = corpus()
CJK = re.compile("[\u4e00-\u9fff]")
VILLAGE = "620102101201"

TEXT_FIELDS = (
    "intake.address", "intake.reason", "intake.ethnicity", "intake.refusal_reason",
    "visit.findings", "visit.investigator", "check.requested_to", "check.note", "check.summary",
    "neighbour.interviewees", "neighbour.summary", "deliberation.summary",
    "transition.withdraw_reason",
    "referral.decided_by", "referral.refusal_reason", "referral.return_reason",
    "posting.place", "posting.posted_by", "posting.note",
    "objection.content", "objection.objector_name", "objection.objector_contact",
    "user.display_name", "user.username",
    "emergency.note", "recheck.reason",
)


def share(field: str) -> list[tuple[int, str]]:
    k = TEXT_FIELDS.index(field)
    return [(i, s) for i, s in enumerate(CORPUS) if i % len(TEXT_FIELDS) == k]


def test_every_string_goes_through_a_text_field() -> None:
    assert len(CORPUS) >= 1000 and len(set(CORPUS)) == len(CORPUS)
    covered = sorted(i for f in TEXT_FIELDS for i, _s in share(f))
    assert covered == list(range(len(CORPUS)))


def _snapshot(session: AppSession) -> tuple[object, ...]:
    """Every table's rows (hashed) and the audit head: a refused call must leave all of it as it was."""
    digest = hashlib.sha256()
    with session.db.engine.connect() as conn:
        names = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for name in names:
            digest.update(name.encode())
            for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"'):
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    with session.db.read() as s:
        head = audit.chain_head(s)
    return digest.hexdigest(), head


def _counts(session: AppSession) -> tuple[object, ...]:
    """Row counts and the audit head: enough for intake, which only inserts (and is 1,200 calls)."""
    with session.db.read() as s:
        head = audit.chain_head(s)
    return tuple(sorted(session.db.table_counts().items())), head


def _clean(message: str) -> bool:
    return (bool(CJK.search(message)) and not any(is_invisible(c) for c in message)
            and not any(unicodedata.category(c) in ("Cc", "Cs") for c in message))


class Probe:
    """Runs one call per corpus string and holds it to the rule; counts what was taken."""

    def __init__(self, session: AppSession, snapshot: Callable[[AppSession], object] = _snapshot) -> None:
        self.session = session
        self.snapshot = snapshot
        self.taken: dict[str, int] = {}
        self.refused: dict[str, int] = {}

    def __call__(self, field: str, i: int, call: Callable[[], object], *, reads_only: bool = False) -> bool:
        where = f"{field} corpus[{i}]={CORPUS[i][:40]!r}"
        before = None if reads_only else self.snapshot(self.session)
        try:
            call()
        except YimenError as exc:
            assert _clean(exc.message), f"{where}: message {exc.message[:200]!r}"
            if before is not None:
                assert self.snapshot(self.session) == before, f"{where}: refused but changed the database"
            self.refused[field] = self.refused.get(field, 0) + 1
            return False
        except Exception as exc:
            raise AssertionError(f"{where}: {type(exc).__name__}: {exc!r}"[:500]) from exc
        self.taken[field] = self.taken.get(field, 0) + 1
        return True


def _member_named(app, name: str):  # type: ignore[no-untyped-def]
    members = list(app.household.members)
    members[-1] = dataclasses.replace(members[-1], name=name)
    return dataclasses.replace(app, household=dataclasses.replace(app.household, members=tuple(members)))


def _with_household(app, **changes):  # type: ignore[no-untyped-def]
    return dataclasses.replace(app, household=dataclasses.replace(app.household, **changes))


def _with_ethnicity(app, ethnicity: str):  # type: ignore[no-untyped-def]
    members = list(app.household.members)
    members[0] = dataclasses.replace(members[0], ethnicity=ethnicity)
    return dataclasses.replace(app, household=dataclasses.replace(app.household, members=tuple(members)))


@pytest.fixture
def clerk(tmp_path: Path):  # type: ignore[no-untyped-def]
    session = township_with_clerk(tmp_path / "data")
    yield session
    session.close()


def test_intake_names_searches_and_intake_text(clerk: AppSession) -> None:
    probe = Probe(clerk, _counts)
    base = complete_application(clerk)
    for i, s in enumerate(CORPUS):
        probe("intake.name", i, lambda s=s: submit_application(clerk, _member_named(base, s), "accept"))
        probe("search", i, lambda s=s: search.search(clerk, s), reads_only=True)
        probe("case_list.text", i, lambda s=s: case_queries.list_cases(clerk, CaseFilter(text=s)), reads_only=True)
    for i, s in share("intake.address"):
        probe("intake.address", i, lambda s=s: submit_application(clerk, _with_household(base, address=s), "accept"))
    for i, s in share("intake.reason"):
        probe("intake.reason", i, lambda s=s: submit_application(clerk, dataclasses.replace(base, reason=s), "accept"))
    for i, s in share("intake.ethnicity"):
        probe("intake.ethnicity", i, lambda s=s: submit_application(clerk, _with_ethnicity(base, s), "accept"))
    missing = dataclasses.replace(base, documents_received=(), documents_missing=base.documents_received)
    for i, s in share("intake.refusal_reason"):
        probe("intake.refusal_reason", i,
              lambda s=s: submit_application(clerk, missing, "refuse", refusal_reason=s))
    assert probe.taken.get("intake.name", 0) > 50 and probe.refused.get("intake.name", 0) > 300, probe.taken


def _investigating(clerk: AppSession) -> str:
    case_uuid = submit_application(clerk, complete_application(clerk), "accept").case_uuid
    transitions.transition(clerk, case_uuid, "start_investigation")
    return case_uuid


def test_investigation_and_transition_text(clerk: AppSession) -> None:
    probe = Probe(clerk)
    today = clerk.clock.today()
    case_uuid = _investigating(clerk)
    check = inv.request_economic_check(clerk, case_uuid, inv.CheckRequestInput(today, "县核对中心"), today=today)
    fields: dict[str, Callable[[str], object]] = {
        "visit.findings": lambda s: inv.record_home_visit(
            clerk, case_uuid, inv.HomeVisitInput(today, ("王喆", "李明"), s, 86000), today=today),
        "visit.investigator": lambda s: inv.record_home_visit(
            clerk, case_uuid, inv.HomeVisitInput(today, (s, "李明"), "入户核实", 86000), today=today),
        "check.requested_to": lambda s: inv.request_economic_check(
            clerk, case_uuid, inv.CheckRequestInput(today, s), today=today),
        "check.note": lambda s: inv.request_economic_check(
            clerk, case_uuid, inv.CheckRequestInput(today, "县核对中心", s), today=today),
        "check.summary": lambda s: inv.record_check_result(
            clerk, check, inv.CheckResultInput(today, "eligible", s), today=today),
        "neighbour.interviewees": lambda s: inv.record_neighbour_visit(
            clerk, case_uuid, inv.NeighbourVisitInput(today, s, "情况属实"), today=today),
        "neighbour.summary": lambda s: inv.record_neighbour_visit(
            clerk, case_uuid, inv.NeighbourVisitInput(today, "邻居张某", s), today=today),
        "deliberation.summary": lambda s: inv.record_deliberation(
            clerk, case_uuid, inv.DeliberationInput(today, 9, "agree", s), today=today),
    }
    for field, call in fields.items():
        for i, s in share(field):
            probe(field, i, lambda s=s, call=call: call(s))
    target = _investigating(clerk)
    for i, s in share("transition.withdraw_reason"):
        if probe("transition.withdraw_reason", i, lambda s=s, target=target: transitions.transition(
                clerk, target, "withdraw", TransitionInput(reason=s))):
            target = _investigating(clerk)      # withdrawn: the next string needs a case that is open
    assert probe.taken and probe.refused


def _received_referral(clerk: AppSession) -> str:
    today = clerk.clock.today()
    cats = [Category.EDUCATION, Category.MEDICAL]
    plan = DeadlinePlanner.of(clerk).plan(VILLAGE, today, cats)
    app = dataclasses.replace(complete_application(clerk), categories=tuple(cats),
                              documents_received=tuple(c for c, _n in plan.documents if c not in plan.conditional))
    case_uuid = submit_application(clerk, app, "accept").case_uuid
    with clerk.db.read() as s:
        ref = s.scalars(select(Referral.uuid).where(Referral.case_uuid == case_uuid)).first()
    assert ref is not None
    referrals.mark_sent(clerk, ref, today)
    referrals.mark_received(clerk, ref, today)
    return ref


def _draft_batch(clerk: AppSession) -> str:
    today = clerk.clock.today()
    case_uuid = _investigating(clerk)
    inv.record_home_visit(clerk, case_uuid, inv.HomeVisitInput(today, ("王喆", "李明"), "入户核实", 86000), today=today)
    check = inv.request_economic_check(clerk, case_uuid, inv.CheckRequestInput(today, "县核对中心"), today=today)
    inv.record_check_result(clerk, check, inv.CheckResultInput(today, "eligible", "符合条件"), today=today)
    batch = notices.create_batch(clerk, VILLAGE, Category.DIBAO, [case_uuid], start_on=today)
    notices.print_poster(clerk, batch.uuid)
    return batch.uuid


def test_referral_notice_and_objection_text(clerk: AppSession) -> None:
    probe = Probe(clerk, _counts)   # every change of these services is audited: the head moves
    today = clerk.clock.today()
    one_shot: dict[str, tuple[Callable[[], str], Callable[[str, str], object]]] = {
        "referral.decided_by": (lambda: _received_referral(clerk), lambda ref, s: referrals.record_result(
            clerk, ref, ResultInput("approve", today, s))),
        "referral.refusal_reason": (lambda: _received_referral(clerk), lambda ref, s: referrals.record_result(
            clerk, ref, ResultInput("refuse", today, "县教育局", reason=s))),
        "referral.return_reason": (lambda: _received_referral(clerk), lambda ref, s: referrals.return_referral(
            clerk, ref, today, s)),
    }
    for field, (fresh, call) in one_shot.items():
        target = fresh()
        for i, s in share(field):
            if probe(field, i, lambda s=s, target=target, call=call: call(target, s)):
                target = fresh()
    batch = _draft_batch(clerk)
    notices.post_batch(clerk, batch, notices.PostingInput(today, "村务公开栏", "马春花"), today=today)
    postings: dict[str, Callable[[str], object]] = {   # more places where the posted notice hangs
        "posting.place": lambda s: notices.post_batch(
            clerk, batch, notices.PostingInput(today, s, "马春花"), today=today),
        "posting.posted_by": lambda s: notices.post_batch(
            clerk, batch, notices.PostingInput(today, "村务公开栏", s), today=today),
        "posting.note": lambda s: notices.post_batch(
            clerk, batch, notices.PostingInput(today, "村务公开栏", "马春花", s), today=today),
    }
    for field, call in postings.items():
        for i, s in share(field):
            probe(field, i, lambda s=s, call=call: call(s))
    with clerk.db.read() as s:
        from desktop.store.models_notice import NoticeBatchCase
        case_uuid = s.scalar(select(NoticeBatchCase.case_uuid).where(NoticeBatchCase.batch_uuid == batch))
    objection_fields: dict[str, Callable[[str], object]] = {
        "objection.content": lambda s: evidence.record_objection(
            clerk, batch, case_uuid, evidence.ObjectionInput(today, "phone", s, objector_name="王某"), today=today),
        "objection.objector_name": lambda s: evidence.record_objection(
            clerk, batch, case_uuid, evidence.ObjectionInput(today, "phone", "反映收入", objector_name=s), today=today),
        "objection.objector_contact": lambda s: evidence.record_objection(
            clerk, batch, case_uuid, evidence.ObjectionInput(today, "phone", "反映收入", objector_name="王某",
                                                             objector_contact=s), today=today),
    }
    for field, call in objection_fields.items():
        for i, s in share(field):
            probe(field, i, lambda s=s, call=call: call(s))
    assert probe.taken and probe.refused


def _emergency_case(clerk: AppSession) -> str:
    cats = [Category.TEMP_EMERGENCY]
    plan = DeadlinePlanner.of(clerk).plan(VILLAGE, clerk.clock.today(), cats)
    app = dataclasses.replace(complete_application(clerk), categories=tuple(cats), emergency=True,
                              documents_received=tuple(c for c, _n in plan.documents))
    return submit_application(clerk, app, "accept").case_uuid


def _due_recheck(clerk: AppSession) -> str:
    """A 低保 coverage whose first re-check is due (overdue by today): the outcome takes a reason."""
    case_uuid = submit_application(clerk, complete_application(clerk), "accept").case_uuid
    since = clerk.clock.today().replace(day=1).replace(year=clerk.clock.today().year - 1)
    with clerk.db.write() as s:
        household = s.get(Case, case_uuid).household_uuid
        cov = Coverage(household_uuid=household, category="dibao", since=since, until=None,
                       monthly_amount_cents=104000, recheck_class=RecheckClass.CLASS_C_RURAL.value, case_uuid=None)
        s.add(cov)
        s.flush()
        coverage_id = cov.id
    rechecks.schedule_missing(clerk, today=since)
    with clerk.db.read() as s:
        row = s.scalar(select(Recheck).where(Recheck.coverage_id == coverage_id, Recheck.done_on.is_(None)))
        assert row is not None
        return row.uuid


def test_emergency_note_and_recheck_reason(clerk: AppSession) -> None:
    probe = Probe(clerk, _counts)   # a grant and a re-check outcome are audited: the head moves
    today = clerk.clock.today()
    # above the township limit the grant goes to the county (no supervisor needed); "其他" needs the note
    limit = emergency.facts(clerk, case := _emergency_case(clerk)).limit_cents
    for i, s in share("emergency.note"):
        if probe("emergency.note", i, lambda s=s, case=case: emergency.grant(
                clerk, case, GrantInput(limit + 100, "other", s, acknowledge_repeat=True))):
            case = _emergency_case(clerk)       # the grant moved the case on: the next string needs another
    recheck = _due_recheck(clerk)
    with clerk.db.read() as s:
        due = s.scalar(select(Recheck.due_on).where(Recheck.uuid == recheck))
    for i, s in share("recheck.reason"):
        if probe("recheck.reason", i, lambda s=s, recheck=recheck: rechecks.record_outcome(
                clerk, recheck, OutcomeInput("stop", due, s), today=today)):
            recheck = _due_recheck(clerk)       # stopped: the coverage ended
    assert probe.taken.get("emergency.note", 0) > 5 and probe.refused.get("emergency.note", 0) > 5, probe.taken
    assert probe.taken.get("recheck.reason", 0) > 5 and probe.refused.get("recheck.reason", 0) > 5, probe.taken


def test_user_admin_and_policy_import_text(tmp_path: Path) -> None:
    from conftest import ADMIN_PASSWORD, FAST_KDF, TEST_TOWNSHIP

    admin = create_township(tmp_path / "data", TEST_TOWNSHIP, "admin", ADMIN_PASSWORD, kdf=FAST_KDF)
    try:
        probe = Probe(admin)
        for n, (i, s) in enumerate(share("user.display_name")):
            probe("user.display_name", i,
                  lambda s=s, n=n: accounts.add_user(admin, f"user{n:03d}", s, Role.CLERK, "clerk-pass-1"))
        for i, s in share("user.username"):
            probe("user.username", i, lambda s=s: accounts.add_user(admin, s, "王晓燕", Role.CLERK, "clerk-pass-1"))
        for i, s in enumerate(CORPUS[::7]):
            probe("policy.import_path", i * 7, lambda s=s: updates.import_file(admin, s))
        assert probe.refused
    finally:
        admin.close()


def test_corpus_is_the_same_every_run() -> None:
    assert corpus() == CORPUS   # a stable index names the failing string
