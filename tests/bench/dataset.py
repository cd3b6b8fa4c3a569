"""The bench township: built once per size and schema revision, cached under `.bench-cache/`.

`desktop.demo.generator.create_demo` is used when it works; if it cannot run
(e.g. a module it needs is unfinished) a bulk loader here writes the same
kind of data through the same models: villages, households with members
holding valid, unique ID numbers, pinyin initials and keyed hashes, current
coverage, and cases in every status with their categories.

Every run works on a fresh copy of the cached files, so the cache is never
changed by what a benchmark writes (e.g. audit events).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
import traceback
import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from desktop.config import DB_FILENAME, KEYSLOTS_FILENAME
from desktop.demo.names import GIVEN_FEMALE, GIVEN_MALE, GROUPS, RARE, SURNAME_WEIGHTS, SURNAMES, VILLAGES
from desktop.domain.case_number import make_case_number
from desktop.domain.case_state import CaseStatus
from desktop.domain.categories import Category
from desktop.domain.names import name_initials
from desktop.services.admin.setup import TownshipSetup, create_township
from desktop.store import migrate
from desktop.store.database import Database
from desktop.store.keyslots import KdfParams
from desktop.store.models import Case, CaseCategory, Coverage, Household, Person, Sequence
from forms.idnumber import check_char

REPO = Path(__file__).resolve().parents[2]
FAST_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)
BULK_PASSWORD = "bench-admin-2026"
INFO_FILE = "bench-info.json"
SEED = 20261124

BULK_TOWNSHIP = TownshipSetup(
    township_code="620102101", township_name="青石镇", county_name="示范县",
    window_name="青石镇社会救助“一门受理”窗口", device_code="001",
    villages=tuple((f"620102101{suffix}", name) for suffix, name in VILLAGES),
)


@dataclass(frozen=True)
class BenchData:
    data_dir: Path          # a working copy (safe to write to)
    username: str
    password: str
    source: str             # "create_demo" or "bulk loader (...)"
    households: int
    build_seconds: float    # 0 when reused from the cache
    reused: bool


def _cache_tag() -> str:
    """Schema revision + a digest of the code that generates the data: a change to either rebuilds."""
    h = hashlib.sha256()
    for module in ("desktop/demo/generator.py", "desktop/demo/names.py", "tests/bench/dataset.py"):
        path = REPO / module
        h.update(path.read_bytes() if path.exists() else b"")
    return f"{migrate.head_revision()[:12]}-{h.hexdigest()[:10]}"


def prepare(cache_root: Path, households: int, work_dir: Path, say: Any = print) -> BenchData:
    """Reuse or build the cached township of `households`, and copy it into `work_dir`."""
    cache_root.mkdir(parents=True, exist_ok=True)
    cached = cache_root / f"township-{households}-{_cache_tag()}"
    info_path = cached / INFO_FILE
    build_seconds, reused = 0.0, True
    if not info_path.exists():
        reused = False
        for stale in cache_root.glob(f"township-{households}-*"):   # older schema or generator
            shutil.rmtree(stale, ignore_errors=True)
        t0 = time.perf_counter()
        info = _build(cached, households, say)
        build_seconds = time.perf_counter() - t0
        info["build_seconds"] = round(build_seconds, 1)
        info_path.write_text(json.dumps(info, ensure_ascii=False, indent=1), "utf-8")
    info = json.loads(info_path.read_text("utf-8"))
    work_dir.mkdir(parents=True, exist_ok=True)
    for name in (DB_FILENAME, KEYSLOTS_FILENAME):
        shutil.copy2(cached / name, work_dir / name)
    return BenchData(work_dir, info["username"], info["password"], info["source"], households,
                     info.get("build_seconds", build_seconds) if not reused else build_seconds, reused)


def _build(target: Path, households: int, say: Any) -> dict[str, Any]:
    problem = ""
    try:
        from desktop.demo.generator import create_demo
        from desktop.services.admin.local_files import read_demo_accounts

        say(f"building the demo township with create_demo ({households} households) …")
        create_demo(target, households=households, seed=SEED, kdf=FAST_KDF)
        user, _label, password = read_demo_accounts(target)[0]
        _close_wal(target, user, password)
        return {"username": user, "password": password, "source": "create_demo", "households": households}
    except Exception as exc:  # noqa: BLE001 — any failure falls back to the bulk loader, and is reported
        problem = f"{type(exc).__name__}: {exc}"
        say(f"create_demo did not work ({problem}); using the bench bulk loader instead")
        say("".join(traceback.format_exception_only(exc)).strip())
        if target.exists():
            shutil.rmtree(target)
    bulk_load(target, households)
    _close_wal(target, "admin", BULK_PASSWORD)
    return {"username": "admin", "password": BULK_PASSWORD, "source": f"bulk loader (create_demo failed: {problem})",
            "households": households}


def _close_wal(data_dir: Path, username: str, password: str) -> None:
    """Open and close once more so the WAL is checkpointed into the main file before caching."""
    db = Database.unlock(data_dir, username, password, auto_migrate=False)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


# ------------------------------------------------------------------ bulk loader

_OPEN_WEIGHTS = {
    CaseStatus.PENDING_DOCUMENTS: 6, CaseStatus.ACCEPTED: 8, CaseStatus.NOT_ACCEPTED: 2,
    CaseStatus.INVESTIGATING: 12, CaseStatus.DELIBERATION: 2, CaseStatus.IN_NOTICE: 6,
    CaseStatus.AWAITING_DECISION: 6, CaseStatus.REFERRED: 10, CaseStatus.EMERGENCY_AIDED: 3,
    CaseStatus.APPROVED: 30, CaseStatus.REFUSED: 8, CaseStatus.WITHDRAWN: 3,
}
_CATEGORY_WEIGHTS = {
    Category.DIBAO: 30, Category.TEKUN: 5, Category.TEMP_EMERGENCY: 8, Category.TEMP_EXPENSE: 6,
    Category.MEDICAL: 12, Category.EDUCATION: 8, Category.HOUSING: 4, Category.DISABILITY_SUBSIDY: 5,
    Category.HEATING: 2,
}


def _uuid(rng: random.Random) -> str:
    return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))


def _birth(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    return today - timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 + 300))


def _name(rng: random.Random, male: bool, surname: str | None) -> str:
    sur = surname or rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    if rng.random() < 0.004:
        given = given[:-1] + rng.choice(RARE)
    return sur + given


def _members(rng: random.Random, today: date) -> list[tuple[str, bool, date]]:
    kind = rng.choices(("single_old", "couple_old", "family", "single_parent", "three_gen"), (12, 14, 40, 10, 24))[0]
    head_male = rng.random() < 0.75
    if kind == "single_old":
        return [("self", head_male, _birth(rng, today, 62, 92))]
    if kind == "couple_old":
        return [("self", True, _birth(rng, today, 60, 88)), ("spouse", False, _birth(rng, today, 58, 85))]
    head_birth = _birth(rng, today, 26, 55)
    out = [("self", head_male, head_birth)]
    if kind != "single_parent":
        out.append(("spouse", not head_male, _birth(rng, today, 24, 55)))
    head_age = (today - head_birth).days // 365
    for _ in range(rng.randint(1, 3)):
        male = rng.random() < 0.5
        out.append(("son" if male else "daughter", male, _birth(rng, today, 0, max(1, min(30, head_age - 20)))))
    if kind == "three_gen":
        out.append(("parent", rng.random() < 0.4, _birth(rng, today, max(62, head_age + 20), 95)))
    return out


def bulk_load(data_dir: Path, n_households: int, seed: int = SEED) -> None:
    """A township of `n_households` written with executemany through the ORM models."""
    rng = random.Random(seed)
    today = date.today()
    now = datetime.now(UTC)
    session = create_township(data_dir, BULK_TOWNSHIP, "admin", BULK_PASSWORD, kdf=FAST_KDF)
    db = session.db
    try:
        villages = dict(BULK_TOWNSHIP.villages)
        codes = list(villages)
        used: set[str] = set()
        hh_rows: list[dict[str, Any]] = []
        person_rows: list[dict[str, Any]] = []
        cov_rows: list[dict[str, Any]] = []
        heads: list[tuple[str, str, str]] = []
        for _ in range(n_households):
            hh = _uuid(rng)
            code = rng.choice(codes)
            hh_rows.append({"uuid": hh, "division_code": code, "hukou_type": "rural",
                            "address": f"{villages[code]}{rng.choice(GROUPS)}{rng.randint(1, 120)}号",
                            "created_at": now, "updated_at": now})
            surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
            members = _members(rng, today)
            head_uuid = ""
            for pos, (relation, male, birth) in enumerate(members):
                p_uuid = _uuid(rng)
                same = relation in ("self", "son", "daughter") or (relation == "parent" and male)
                name = _name(rng, male, surname if same else None)
                area = "620102" if rng.random() < 0.85 else rng.choice(("620121", "620123", "621102"))
                while True:
                    first17 = f"{area}{birth:%Y%m%d}{rng.randrange(0, 500) * 2 + (1 if male else 0):03d}"
                    number = first17 + check_char(first17)
                    if number not in used:
                        used.add(number)
                        break
                person_rows.append({
                    "uuid": p_uuid, "household_uuid": hh, "position": pos, "name": name,
                    "name_initials": name_initials(name), "id_number": number, "id_hash": db.id_hash(number),
                    "id_tail": number[-6:], "birth_date": birth, "sex": "M" if male else "F", "ethnicity": "汉族",
                    "relation": relation, "health": "healthy", "disability_category": "none",
                    "disability_grade": "none", "labour_capacity": "full", "employment": "farming",
                    "monthly_income_cents": 0, "is_obliged_supporter": False, "staff_relative": False,
                })
                if relation == "self":
                    head_uuid = p_uuid
            heads.append((hh, head_uuid, code))
            if rng.random() < 0.09:
                cov_rows.append({"household_uuid": hh, "category": Category.DIBAO.value,
                                 "since": today - timedelta(days=rng.randint(60, 2000)), "until": None,
                                 "monthly_amount_cents": 52000 * len(members), "recheck_class": "stable",
                                 "case_uuid": None})
        case_rows: list[dict[str, Any]] = []
        cat_rows: list[dict[str, Any]] = []
        seq: dict[int, int] = {}
        drawn = []
        for hh, applicant, code in rng.sample(heads, int(len(heads) * 0.6)):
            status = rng.choices(list(_OPEN_WEIGHTS), list(_OPEN_WEIGHTS.values()))[0]
            received = datetime.combine(today - timedelta(days=rng.randint(0, 200)),
                                        dtime(rng.randint(0, 8), rng.randint(0, 59)), tzinfo=UTC)
            drawn.append((received, hh, applicant, code, status))
        drawn.sort(key=lambda d: d[0])
        for received, hh, applicant, code, status in drawn:
            year = received.year
            seq[year] = seq.get(year, 0) + 1
            case_uuid = _uuid(rng)
            cat = rng.choices(list(_CATEGORY_WEIGHTS), list(_CATEGORY_WEIGHTS.values()))[0]
            case_rows.append({
                "uuid": case_uuid, "case_number": make_case_number("620102101", "001", year, seq[year]),
                "household_uuid": hh, "applicant_uuid": applicant, "division_code": code, "reason": "基准测试数据",
                "channel": "walk_in", "emergency": cat is Category.TEMP_EMERGENCY, "staff_relative": False,
                "status": status.value, "received_at": received, "accepted_on": received.date(),
                "decision_due": None, "policy_ref": "", "clerk": "admin", "updated_at": received,
            })
            cat_rows.append({"case_uuid": case_uuid, "category": cat.value})
            if cat is Category.DIBAO and rng.random() < 0.3:
                cat_rows.append({"case_uuid": case_uuid, "category": Category.MEDICAL.value})
        with db.write() as s:
            s.execute(insert(Household), hh_rows)
            s.execute(insert(Person), person_rows)
            s.execute(insert(Coverage), cov_rows)
            s.execute(insert(Case), case_rows)
            s.execute(insert(CaseCategory), cat_rows)
            for year, value in seq.items():
                s.merge(Sequence(scope=f"case:001:{year}", value=value))
    finally:
        session.close()
