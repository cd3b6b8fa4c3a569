"""The embedded demo township: a realistic synthetic 青石镇 in an encrypted database.

`create_demo(data_dir, households=5000)` builds villages with real-looking
12-digit codes, households and members with valid ID numbers, existing
coverage, cases in every status (with their documents, status history and
audit events) and one account per role. Passwords are random, returned once
and written to DEMO-ACCOUNTS.txt in the demo directory so the login screen
can show them on first start (demo data only — a real installation never
writes a password anywhere).

Bulk rows are inserted with executemany in a few transactions so that
50,000 households stay well under a minute on an old PC. The cases and their
status history go through the workflow's bulk path
(:func:`desktop.services.workflow.history.insert_cases`, which checks each
status is where its history ends) instead of one guarded transition at a
time; the cases noticed, their home visits and economic checks go through
the services themselves.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from desktop.config import DEMO_ACCOUNTS_FILENAME
from desktop.demo import casework, recent_events
from desktop.demo.casework import DEMO_INVESTIGATORS  # noqa: F401 (re-exported: tests and tools ask here)
from desktop.demo.names import (
    GIVEN_FEMALE,
    GIVEN_MALE,
    GROUPS,
    RARE,
    REASONS,
    REFUSAL_REASONS,
    SURNAME_WEIGHTS,
    SURNAMES,
    VILLAGES,
    fictional_phone,
)
from desktop.domain.case_number import make_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.names import name_initials
from desktop.domain.policy import RecheckClass
from desktop.domain.roles import Role
from desktop.services.admin.accounts import add_user
from desktop.services.admin.setup import TownshipSetup, create_township
from desktop.services.deadlines import planner as clocks
from desktop.services.session import AppSession
from desktop.services.workflow import history
from desktop.store import audit
from desktop.store.keyslots import KdfParams
from desktop.store.models import (
    AuditEvent,
    CaseCategory,
    CaseDocument,
    Coverage,
    Household,
    Person,
    Sequence,
    new_uuid,
)
from forms.idnumber import check_char

DEMO_TOWNSHIP = TownshipSetup(
    township_code="620102101", township_name="青石镇", county_name="示范县",
    window_name="青石镇社会救助“一门受理”窗口", device_code="001",
    villages=tuple((f"620102101{suffix}", name) for suffix, name in VILLAGES),
)
DEMO_USERS = (
    ("admin", "系统管理员", Role.ADMIN),
    ("clerk", "王晓燕", Role.CLERK),
    ("clerk2", "李建军", Role.CLERK),
    ("supervisor", "赵立新", Role.SUPERVISOR),
    ("assistant", "马春花", Role.VILLAGE_ASSISTANT),
    ("auditor", "陈静", Role.AUDITOR),
)
# The demo village assistant works for these two villages (its search and intake are limited to them).
DEMO_ASSISTANT_VILLAGES = ("620102101201", "620102101202")
# How demo cases spread over statuses: every status appears.
# A township with about 200 days of history where most cases are closed and the open ones are
# recent (see DEMO_AGE_*): the open share is about what a month of work leaves open.
STATUS_WEIGHTS: dict[CaseStatus, int] = {
    CaseStatus.PENDING_DOCUMENTS: 3, CaseStatus.TOWNSHIP_REVIEW: 1, CaseStatus.ACCEPTED: 2, CaseStatus.NOT_ACCEPTED: 4,
    CaseStatus.INVESTIGATING: 6, CaseStatus.DELIBERATION: 1, CaseStatus.IN_NOTICE: 4,
    CaseStatus.AWAITING_DECISION: 2, CaseStatus.REFERRED: 3, CaseStatus.EMERGENCY_AIDED: 1,
    CaseStatus.APPROVED: 66, CaseStatus.REFUSED: 16, CaseStatus.WITHDRAWN: 6,
}
CATEGORY_WEIGHTS: dict[Category, int] = {
    Category.DIBAO: 30, Category.TEKUN: 5, Category.TEMP_EMERGENCY: 8, Category.TEMP_EXPENSE: 6,
    Category.MEDICAL: 12, Category.EDUCATION: 8, Category.HOUSING: 4, Category.EMPLOYMENT: 3,
    Category.DISASTER: 3, Category.LOW_INCOME_EDGE: 4, Category.RIGID_EXPENSE: 2,
    Category.POVERTY_MONITORING: 3, Category.DISABILITY_SUBSIDY: 5, Category.CHILD_WELFARE: 1,
    Category.LEGAL_AID: 1, Category.FUNERAL: 1, Category.HEATING: 2,
}


@dataclass(frozen=True)
class DemoResult:
    data_dir: Path
    accounts: tuple[tuple[str, str, str], ...]    # (username, role label, password)
    households: int
    persons: int
    cases: int


def _password(rng: random.Random) -> str:
    words = ("qing", "shi", "dong", "ping", "liu", "wan", "hong", "ya", "bai", "he")
    return f"{rng.choice(words)}-{secrets.randbelow(9000) + 1000}-{rng.choice(words)}"


class _IdMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, birth: date, male: bool) -> str:
        area = "620102" if self.rng.random() < 0.85 else self.rng.choice(("620121", "620123", "621102", "622901"))
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = first17 + check_char(first17)
            if number not in self.used:
                self.used.add(number)
                return number


def _name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    sur = surname or rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    if rng.random() < 0.004:
        given = given[:-1] + rng.choice(RARE)
    return sur + given


def _birth(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    age_days = rng.randint(min_age * 365 + 1, max_age * 365 + 300)
    return today - timedelta(days=age_days)


def create_demo(data_dir: Path, households: int = 5000, *, seed: int = 20261124, today: date | None = None,
                kdf: KdfParams | None = None, progress: Callable[[str], None] | None = None) -> DemoResult:
    """Create the demo database in `data_dir` (which must not hold one yet)."""
    if households < 1:
        raise ValueError("户数至少为1。")
    rng = random.Random(seed)
    say = progress or (lambda _msg: None)
    accounts = [(u, _account_label(r), _password(rng)) for u, _n, r in DEMO_USERS]
    admin_pw = accounts[0][2]
    session = create_township(Path(data_dir), DEMO_TOWNSHIP, "admin", admin_pw, "系统管理员", kdf=kdf)
    try:
        today = today or session.clock.today()
        for (username, display, role), (_u, _l, pw) in zip(DEMO_USERS[1:], accounts[1:], strict=True):
            add_user(session, username, display, role, pw,
                     villages=DEMO_ASSISTANT_VILLAGES if role is Role.VILLAGE_ASSISTANT else ())
        say(f"正在生成 {households} 户家庭……")
        counts = _populate(session, rng, households, today, say)
    finally:
        session.close()
    _write_accounts_file(Path(data_dir), accounts)
    return DemoResult(Path(data_dir), tuple(accounts), households, counts[0], counts[1])


def _account_label(role: Role) -> str:
    """The role as the login screen's demo list shows it; the assistant's with its villages."""
    if role is not Role.VILLAGE_ASSISTANT:
        return role.label
    names = dict(DEMO_TOWNSHIP.villages)
    return f"{role.label}（{'、'.join(names[c] for c in DEMO_ASSISTANT_VILLAGES)}）"


def _write_accounts_file(data_dir: Path, accounts: list[tuple[str, str, str]]) -> None:
    lines = ["# 演示账户（仅用于演示数据库；正式安装不会保存任何密码）", ""]
    lines += [f"{u}\t{label}\t{pw}" for u, label, pw in accounts]
    (data_dir / DEMO_ACCOUNTS_FILENAME).write_text("\n".join(lines) + "\n", "utf-8")


def _populate(session: AppSession, rng: random.Random, n_households: int, today: date,
              say: Callable[[str], None]) -> tuple[int, int]:
    db = session.db
    ids = _IdMaker(rng)
    now = session.clock.now()
    villages = [code for code, _ in DEMO_TOWNSHIP.villages]
    hh_rows: list[dict[str, Any]] = []
    person_rows: list[dict[str, Any]] = []
    cov_rows: list[dict[str, Any]] = []
    heads: list[tuple[str, str, str]] = []   # (household uuid, head person uuid, division code)
    village_names = dict(DEMO_TOWNSHIP.villages)
    n_persons = 0

    def flush() -> None:
        nonlocal n_persons
        with db.write() as s:
            s.execute(insert(Household), hh_rows)
            s.execute(insert(Person), person_rows)
            if cov_rows:
                s.execute(insert(Coverage), cov_rows)
        n_persons += len(person_rows)
        hh_rows.clear()
        person_rows.clear()
        cov_rows.clear()

    for n in range(n_households):
        if n and n % 5000 == 0:
            flush()
            say(f"已生成 {n} 户……")
        hh = new_uuid()
        code = rng.choice(villages)
        hh_rows.append({"uuid": hh, "division_code": code, "hukou_type": "urban" if code.endswith("001") else "rural",
                        "address": f"{village_names[code]}{rng.choice(GROUPS)}{rng.randint(1, 120)}号",
                        "created_at": now, "updated_at": now})
        members = _household_members(rng, today)
        surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        head_uuid = ""
        for pos, (relation, male, birth, supporter) in enumerate(members):
            p_uuid = new_uuid()
            same_surname = relation in ("self", "son", "daughter", "grandchild") or (relation == "parent" and male)
            name = _name(rng, male, surname if same_surname else None)
            number = ids.make(birth, male)
            age = (today - birth).days // 365
            disabled = rng.random() < 0.07
            person_rows.append({
                "uuid": p_uuid, "household_uuid": hh, "position": pos, "name": name,
                "name_initials": name_initials(name), "id_number": number, "id_hash": db.id_hash(number),
                "id_tail": number[-6:], "birth_date": birth, "sex": "M" if male else "F", "ethnicity":
                rng.choices(("汉族", "回族", "东乡族", "藏族"), (90, 6, 2, 2))[0], "relation": relation,
                "health": "disabled" if disabled else rng.choices(("healthy", "chronic", "serious"), (80, 15, 5))[0],
                "disability_category": rng.choice(("physical", "visual", "intellectual")) if disabled else "none",
                "disability_grade": rng.choice(("1", "2", "3", "4")) if disabled else "none",
                "labour_capacity": "not_applicable" if age < 16 or age >= 65 else
                ("none" if disabled else rng.choices(("full", "partial"), (85, 15))[0]),
                "employment": "student" if 6 <= age < 19 else ("none" if age < 6 else
                              rng.choice(("farming", "flexible", "employed", "unemployed", "retired"))),
                "monthly_income_cents": 0 if age < 16 else rng.choice((0, 0, 50000, 120000, 180000, 260000)),
                "is_obliged_supporter": supporter, "staff_relative": rng.random() < 0.003,
            })
            if relation == "self":
                head_uuid = p_uuid
        heads.append((hh, head_uuid, code))
        r = rng.random()
        if r < 0.08:
            cov_rows.append({"household_uuid": hh, "category": Category.DIBAO.value,
                             "since": today - timedelta(days=rng.randint(60, 2000)), "until": None,
                             "monthly_amount_cents": rng.choice((35000, 52000, 68000)) * len(members),
                             "recheck_class": rng.choice((RecheckClass.STABLE, RecheckClass.IRREGULAR_INCOME,
                                                           RecheckClass.CLASS_C_RURAL)).value,
                             "case_uuid": None})
        elif r < 0.09:
            cov_rows.append({"household_uuid": hh, "category": Category.TEKUN.value,
                             "since": today - timedelta(days=rng.randint(60, 3000)), "until": None,
                             "monthly_amount_cents": 98000, "recheck_class": RecheckClass.TEKUN.value, "case_uuid": None})
    flush()
    say(f"已生成 {n_households} 户 {n_persons} 人，正在生成案件……")
    n_cases, noticed = _populate_cases(session, rng, heads, today)
    say("正在生成办理时限与转办……")
    _populate_clocks(session, rng, today)
    say("正在生成公示批次……")
    casework.populate_notices(session, noticed, today)
    casework.populate_grants(session, rng)
    casework.populate_investigations(session, rng, today)
    say("正在排定动态复核……")
    from desktop.services.coverage import rechecks  # noqa: PLC0415

    rechecks.schedule_missing(session, today=today)
    return n_persons, n_cases


def _household_members(rng: random.Random, today: date) -> list[tuple[str, bool, date, bool]]:
    """(relation, male, birth date, is an obliged supporter living elsewhere)."""
    kind = rng.choices(("single_old", "couple_old", "family", "single_parent", "three_gen"), (12, 14, 40, 10, 24))[0]
    head_male = rng.random() < 0.75
    if kind in ("single_old", "couple_old"):
        if kind == "single_old":
            members = [("self", head_male, _birth(rng, today, 62, 92), False)]
        else:
            members = [("self", True, _birth(rng, today, 60, 88), False),
                       ("spouse", False, _birth(rng, today, 58, 85), False)]
        for _ in range(rng.choice((0, 1, 1, 2))):   # adult children living elsewhere (赡养义务人)
            male = rng.random() < 0.5
            members.append(("son" if male else "daughter", male, _birth(rng, today, 30, 55), True))
        return members
    head_birth = _birth(rng, today, 26, 55)
    members = [("self", head_male, head_birth, False)]
    if kind != "single_parent":
        members.append(("spouse", not head_male, _birth(rng, today, 24, 55), False))
    head_age = (today - head_birth).days // 365
    for _ in range(rng.randint(1, 3)):
        child_age_max = max(1, min(30, head_age - 20))
        male = rng.random() < 0.5
        members.append(("son" if male else "daughter", male, _birth(rng, today, 0, child_age_max), False))
    if kind == "three_gen":
        members.append(("parent", rng.random() < 0.4, _birth(rng, today, max(62, head_age + 20), 95), False))
    return members


# How old a demo case is, by its status: closed cases spread over the last ~7 months, open ones
# mostly within their statutory time for the stage they are at (a township that keeps up), a few
# left behind (what the dashboard shows as overdue).
DEMO_AGE_CLOSED_DAYS = 200
DEMO_AGE_DECIDED_MIN_DAYS = 12
DEMO_AGE_OPEN_DAYS: dict[CaseStatus, tuple[int, int]] = {
    CaseStatus.PENDING_DOCUMENTS: (0, 20), CaseStatus.ACCEPTED: (0, 3), CaseStatus.EMERGENCY_AIDED: (0, 5),
    CaseStatus.INVESTIGATING: (1, 14), CaseStatus.DELIBERATION: (5, 16), CaseStatus.IN_NOTICE: (5, 18),
    CaseStatus.AWAITING_DECISION: (8, 24), CaseStatus.REFERRED: (1, 18), CaseStatus.TOWNSHIP_REVIEW: (0, 2),
}
# What the demo assistant wrote when it sent an application on to the township (待乡镇审查).
REVIEW_NOTES = ("申请人称去年已享受过临时救助，是否可再次申请请乡镇把关。", "家中情况复杂，请乡镇审查后决定是否受理。",
                "户籍刚迁入本村，是否符合条件请乡镇审查。")
DEMO_AGE_STALE_DAYS = (30, 120)
DEMO_STALE_SHARE = 0.04


def _demo_age_days(rng: random.Random, status: CaseStatus) -> int:
    if status in (CaseStatus.APPROVED, CaseStatus.REFUSED):    # decided: investigated and noticed first
        return rng.randint(DEMO_AGE_DECIDED_MIN_DAYS, DEMO_AGE_CLOSED_DAYS)
    if status.is_terminal:
        return rng.randint(0, DEMO_AGE_CLOSED_DAYS)
    if rng.random() < DEMO_STALE_SHARE:
        return rng.randint(*DEMO_AGE_STALE_DAYS)
    return rng.randint(*DEMO_AGE_OPEN_DAYS[status])


def _populate_cases(session: AppSession, rng: random.Random, heads: list[tuple[str, str, str]],
                    today: date) -> tuple[int, list[tuple[str, str, date]]]:
    """Bulk cases; returns their number and the cases meant to be in notice: (uuid, village, accepted
    on). Those are stored as 调查中 (a notice needs a real batch, made by :func:`desktop.demo.casework.populate_notices`)."""
    db = session.db
    dev = DEMO_TOWNSHIP
    statuses = list(STATUS_WEIGHTS)
    cats = list(CATEGORY_WEIGHTS)
    n_cases = max(len(CaseStatus), int(len(heads) * 0.6))
    chosen = [heads[i % len(heads)] for i in rng.sample(range(max(n_cases, len(heads))), n_cases)]
    seq_by_year: dict[int, int] = {}
    case_rows, cat_rows, doc_rows, change_rows, audit_rows, recent = [], [], [], [], [], []
    clerks = ("clerk", "clerk2")
    planner = clocks.DeadlinePlanner.of(session)
    drawn = []
    for i, head in enumerate(chosen):
        status = statuses[i] if i < len(statuses) else rng.choices(statuses, list(STATUS_WEIGHTS.values()))[0]
        if status is CaseStatus.TOWNSHIP_REVIEW:   # sent on by the demo assistant: a family of its villages
            head = rng.choice([h for h in heads if h[2] in DEMO_ASSISTANT_VILLAGES] or [head])
        received_day = today - timedelta(days=_demo_age_days(rng, status))
        received = datetime.combine(received_day, time(rng.randint(0, 8), rng.randint(0, 59)), tzinfo=UTC)
        drawn.append((received, head, status))
    drawn.sort(key=lambda d: d[0])
    noticed: list[tuple[str, str, date]] = []
    for received, (hh, applicant, code), drawn_status in drawn:
        received_day = received.date()
        main_cat = rng.choices(cats, list(CATEGORY_WEIGHTS.values()))[0]
        status = drawn_status
        if drawn_status is CaseStatus.IN_NOTICE:    # noticed through a real batch below, or still investigated
            status, main_cat = CaseStatus.INVESTIGATING, Category.DIBAO
        if status is CaseStatus.REFERRED:           # only what a department decides is referred as a whole
            township = planner.policy_for(code, received_day).township_procedure
            referred = [c for c in cats if c not in township]
            main_cat = rng.choices(referred, [CATEGORY_WEIGHTS[c] for c in referred])[0]
        categories = [main_cat]
        if main_cat is Category.DIBAO and rng.random() < 0.3:
            categories.append(rng.choice((Category.MEDICAL, Category.EDUCATION)))
        if status is CaseStatus.EMERGENCY_AIDED:
            categories = [Category.TEMP_EMERGENCY]
        seq_by_year[received_day.year] = seq_by_year.get(received_day.year, 0) + 1
        number = make_case_number(dev.township_code, dev.device_code, received_day.year, seq_by_year[received_day.year])
        case_uuid = new_uuid()
        if drawn_status is CaseStatus.IN_NOTICE:
            noticed.append((case_uuid, code, received_day))
        accepted = status not in (CaseStatus.PENDING_DOCUMENTS, CaseStatus.NOT_ACCEPTED, CaseStatus.TOWNSHIP_REVIEW)
        plan = planner.plan(code, received_day, categories)
        clerk = "assistant" if status is CaseStatus.TOWNSHIP_REVIEW else rng.choice(clerks)
        case_rows.append({
            "uuid": case_uuid, "case_number": number, "household_uuid": hh, "applicant_uuid": applicant,
            "division_code": code, "reason": rng.choice(REASONS[main_cat.value]),
            "channel": "on_behalf" if clerk == "assistant" else rng.choices(("walk_in", "on_behalf",
                                                                                 "active_discovery"), (75, 15, 10))[0],
            "emergency": Category.TEMP_EMERGENCY in categories, "staff_relative": False, "status": status.value,
            "received_at": received, "accepted_on": received_day if accepted else None,
            "decision_due": plan.decision_due if accepted else None, "policy_ref": plan.policy_ref,
            "decision_due_provisional": accepted and plan.decision_provisional,
            "clerk": clerk, "updated_at": received, "contact_phone": fictional_phone(rng),
        })
        cat_rows += [{"case_uuid": case_uuid, "category": c.value} for c in categories]
        required = [d for d in plan.documents if d[0] not in plan.conditional]
        missing_code = rng.choice(required)[0] if status is CaseStatus.PENDING_DOCUMENTS else None
        for doc_code, doc_name in plan.documents:
            if doc_code in plan.conditional and rng.random() > 0.2:
                continue   # does not apply to this family
            got = doc_code != missing_code
            doc_rows.append({"case_uuid": case_uuid, "code": doc_code, "name": doc_name, "received": got,
                             "received_at": received if got else None})
        initial = status.value if status in (CaseStatus.PENDING_DOCUMENTS, CaseStatus.NOT_ACCEPTED,
                                             CaseStatus.TOWNSHIP_REVIEW) else "accepted"
        note = {CaseStatus.NOT_ACCEPTED: REFUSAL_REASONS, CaseStatus.TOWNSHIP_REVIEW: REVIEW_NOTES}.get(status)
        change_rows.append({"case_uuid": case_uuid, "transition": "intake", "from_status": None,
                            "to_status": initial, "actor": clerk, "reason": rng.choice(note) if note else "",
                            "at": received})
        if initial != status.value:
            change_rows.append({"case_uuid": case_uuid, "transition": "demo_history", "from_status": initial,
                                "to_status": status.value, "actor": clerk, "reason": "演示数据",
                                "at": received + timedelta(days=1)})
        audit_rows.append((received.isoformat(timespec="microseconds"), clerk, "case_created", "case", case_uuid,
                           "ok", {"status": status.value, "demo": True}))
        if received_day >= today - timedelta(days=2):   # recent work not yet carried to the county
            recent.append(case_uuid)
    with db.write() as s:
        # the workflow's bulk path: it checks each status is where the case's history ends
        history.insert_cases(s, case_rows, change_rows)
        s.execute(insert(CaseCategory), cat_rows)
        s.execute(insert(CaseDocument), doc_rows)
        recent_events.queue_cases(s, recent)
        for year, value in seq_by_year.items():
            s.merge(Sequence(scope=f"case:{dev.device_code}:{year}", value=value))
        chained = audit.chain_rows(s, audit_rows)
        s.execute(insert(AuditEvent), chained)
        audit.set_head(s, chained[-1]["seq"], chained[-1]["hash"])
        audit.append_event(s, actor="admin", action="demo_created", detail={"households": len(heads),
                                                                              "cases": len(case_rows)})
    return len(case_rows), noticed


def _populate_clocks(session: AppSession, rng: random.Random, today: date) -> None:
    """The statutory clocks and referrals of the open cases, as a database from before Step 5 gets
    them (:mod:`desktop.services.admin.backfill`). The current stage of each began in the last weeks (the
    synthetic history says the day after acceptance, which would make every old case's stage late):
    the dashboard then shows a mix of overdue, due today, due this week and later."""
    from desktop.services.admin import backfill  # noqa: PLC0415

    with session.db.write() as s:
        backfill.run_once(s, actor="clerk", today=today, enqueue=False,
                          stage_day=lambda _case, since: max(since, today - timedelta(days=rng.randint(0, 18))))
