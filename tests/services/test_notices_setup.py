"""Builders shared by the notice service tests (no tests here): real intake, real transitions."""

from __future__ import annotations

import io
import random
import re
from datetime import UTC, date, datetime

import pypdf
from conftest import FAST_KDF
from factories import villages_of
from PIL import Image

from desktop.domain.categories import Category
from desktop.domain.household import Application, Channel, Household, HukouType, Person, Relation
from desktop.domain.roles import Role
from desktop.services.admin import accounts as auth
from desktop.services.admin.accounts import sign_in
from desktop.services.deadlines.planner import DeadlinePlanner
from desktop.services.intake import accept as intake
from desktop.services.investigation import records as investigations
from desktop.services.notices import batches as notices
from desktop.services.workflow import transitions as cases
from forms.idnumber import check_char

VILLAGE = "620102101201"
OTHER_VILLAGE = "620102101202"
POSTED = date(2026, 9, 30)
INTAKE_AT = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)
ADDRESS = "东坪村三组12号"


def ident(birth: str, seq: int) -> str:
    body = f"620102{birth}{seq:03d}"
    return body + check_char(body)


def add_users(admin_session) -> None:
    for name, display, role in (("clerk", "王喆", Role.CLERK), ("assistant", "马春花", Role.VILLAGE_ASSISTANT),
                                ("supervisor", "陈静", Role.SUPERVISOR), ("auditor", "赵审", Role.AUDITOR)):
        auth.add_user(admin_session, name, display, role, f"{name}-pass-1", **villages_of(role))


def login(data_dir, name: str):
    return sign_in(data_dir, name, f"{name}-pass-1", kdf=FAST_KDF)


PHONE = "13900004321"      # every applicant's phone here: a notice never shows it (DOMAIN.md, 公示)


def make_case(clerk, name: str, birth: str, seq: int, *, others: tuple[Person, ...] = (),
              cats=(Category.DIBAO,), village: str = VILLAGE, investigate: bool = True,
              address: str = ADDRESS) -> str:
    """A case accepted on 2026-09-10 and (by default) under investigation."""
    plan = DeadlinePlanner.bundled().plan(village, INTAKE_AT.date(), list(cats))
    holder = Person(name, ident(birth, seq), Relation.SELF)
    app = Application(tuple(cats), "主要劳动力患病，收入低", Channel.WALK_IN,
                      Household(village, HukouType.RURAL, address, (holder, *others)), holder.id_number,
                      documents_received=tuple(c for c, _ in plan.documents), contact_phone=PHONE)
    case_uuid = intake.submit_application(clerk, app, "accept", now=INTAKE_AT).case_uuid
    if investigate:
        cases.transition(clerk, case_uuid, "start_investigation")
    return case_uuid


def visit(clerk, case_uuid: str, amount: int | None = 86000, names=("王喆", "李明"),
          on: date = date(2026, 9, 15)) -> str:
    """The home visit, and the economic-check result the policy requires for 低保 before a notice."""
    uuid = investigations.record_home_visit(clerk, case_uuid, investigations.HomeVisitInput(on, tuple(names), "入户核实家庭情况", amount),
                                            today=on)
    check = investigations.request_economic_check(clerk, case_uuid, investigations.CheckRequestInput(
        on, "县居民家庭经济状况核对中心"), today=on)
    investigations.record_check_result(clerk, check, investigations.CheckResultInput(
        on, "eligible", "收入、财产符合条件"), today=on)
    return uuid


def family(clerk) -> dict[str, str]:
    """Three ready households of 东坪村; the first has a child and a disabled, earning spouse."""
    spouse = Person("刘桂芳", ident("19720808", 42), Relation.SPOUSE, monthly_income_cents=123457)
    child = Person("张小雨", ident("20150601", 22), Relation.DAUGHTER)
    out = {
        "a": make_case(clerk, "张建华", "19700312", 11, others=(spouse, child)),
        "b": make_case(clerk, "李秀兰", "19650505", 34, address="东坪村五组8号"),
        "c": make_case(clerk, "王大山", "19580808", 51, address="东坪村一组3号"),
    }
    for case_uuid in out.values():
        visit(clerk, case_uuid)
    return out


def posted_batch(clerk, case_uuids) -> notices.BatchSummary:
    batch = notices.create_batch(clerk, VILLAGE, Category.DIBAO, list(case_uuids), start_on=POSTED)
    notices.print_poster(clerk, batch.uuid)
    return notices.post_batch(clerk, batch.uuid, notices.PostingInput(POSTED, "东坪村村务公开栏", "马春花"),
                              today=POSTED)


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def pdf_text(pdf: bytes) -> str:
    return squash("".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def jpeg(seed: int = 1, size: int = 96) -> bytes:
    rng = random.Random(seed)
    img = Image.frombytes("RGB", (size, size), bytes(rng.randrange(256) for _ in range(size * size * 3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()
