"""Screenshots of the 调查核实 tab and the 先行救助 dialog at 1366×768 (real window under Xvfb).

    Xvfb :95 -screen 0 1366x768x24 &
    .venv/bin/yimen demo --data-dir /tmp/shot_i --households 2000
    DISPLAY=:95 .venv/bin/python tools/screenshots_investigation.py --data-dir /tmp/shot_i

Writes docs/screenshots/investigation.png (a 低保 case under investigation:
a home visit with its signed form, a neighbour visit, the economic check
requested but not yet back, so the tab says what is still missing) and
emergency-aid.png (an accepted emergency case whose applicant already had
aid for the same reason: the dialog as a clerk sees it, with the limit,
the route, the repeat warning and the supervisor's confirmation), the same
dialog at large type, and the home-visit dialog at large type (filled in,
not saved). The records are added to the demo database given, through
the services.
"""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import Harness, run_screen_shots  # noqa: E402
from sqlalchemy import select  # noqa: E402

from desktop.services.cases import queries as case_queries  # noqa: E402
from desktop.services.cases.queries import CaseFilter  # noqa: E402
from desktop.services.emergency import grants as emergency  # noqa: E402
from desktop.services.investigation import records as inv  # noqa: E402
from desktop.services.session import AppSession  # noqa: E402
from desktop.store.models import Case, CaseCategory  # noqa: E402
from desktop.store.models_investigation import EmergencyGrant, HomeVisit  # noqa: E402
from desktop.ui.cases.page import CasesPage  # noqa: E402
from desktop.ui.typography import apply_large_type  # noqa: E402


def cases_page(h: Harness, role: str = "clerk") -> CasesPage:
    win = h.main_window(role, "cases")
    page = win.page("cases")
    assert isinstance(page, CasesPage)
    h.wait_until(lambda: page.model.total is not None and page.choices is not None)
    return page


def _signed_form() -> bytes:
    from reportlab.pdfgen import canvas  # noqa: PLC0415

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 760, "Home visit form (scanned, signed)")
    c.save()
    return buf.getvalue()


def _investigating_dibao(session: AppSession) -> str:
    """A 低保 case under investigation with no home visit yet, accepted at least a few days ago."""
    with session.db.read() as s:
        visited = set(s.scalars(select(HomeVisit.case_uuid)).all())
        rows = s.execute(select(Case.uuid, Case.accepted_on).join(CaseCategory, CaseCategory.case_uuid == Case.uuid)
                         .where(Case.status == "investigating", CaseCategory.category == "dibao")
                         .order_by(Case.accepted_on.desc())).all()
    today = session.clock.today()
    return next(u for u, acc in rows if u not in visited and acc is not None and acc <= today - timedelta(days=3))


def shot_investigation(h: Harness) -> None:
    page = cases_page(h)
    session = page.ctx.session
    uuid = _investigating_dibao(session)
    detail = case_queries.case_detail(session, uuid)
    today = session.clock.today()
    day = max(detail.accepted_on or today, today - timedelta(days=2))
    inv.record_home_visit(session, uuid, inv.HomeVisitInput(
        day, ("王晓燕", "李建军"), "土坯房两间，户主腰椎病不能从事重体力劳动，配偶务农，家中无车辆、无经营",
        52000, inv.AttachmentInput("入户调查表-签字.pdf", _signed_form())))
    inv.record_neighbour_visit(session, uuid, inv.NeighbourVisitInput(
        day, "邻居张某、村民小组长李某", "反映家庭确实困难，户主长期看病，无其他收入来源"))
    inv.request_economic_check(session, uuid, inv.CheckRequestInput(day, "县居民家庭经济状况核对中心",
                                                                     "已附授权书"))
    page.open_case(uuid)
    h.wait_until(lambda: page.detail.detail is not None and page.detail.investigation.view is not None)
    page.detail.tabs.setCurrentWidget(page.detail.investigation)
    h.settle(500)


def _new_emergency_case(session: AppSession) -> str:
    """An emergency application accepted now (a demo that keeps up may have none waiting)."""
    from desktop.domain.categories import Category  # noqa: PLC0415
    from desktop.domain.household import Application, Channel, Household, HukouType, Relation  # noqa: PLC0415
    from desktop.domain.household import Person as Member  # noqa: PLC0415
    from desktop.services.deadlines import planner as clocks
    from desktop.services.intake import accept as intake  # noqa: PLC0415
    from desktop.store.models import Village  # noqa: PLC0415
    from forms.idnumber import check_char  # noqa: PLC0415

    with session.db.read() as s:
        village = s.scalars(select(Village.division_code).order_by(Village.division_code)).first()
    head = "62010219760315351"
    head += check_char(head)
    hh = Household(village, HukouType.RURAL, "三组8号", (Member("杜春生", head, Relation.SELF),))
    plan = clocks.DeadlinePlanner.of(session).plan(village, session.clock.today(), [Category.TEMP_EMERGENCY])
    app = Application((Category.TEMP_EMERGENCY,), "家中突发火灾，房屋及财物损毁", Channel.WALK_IN, hh, head,
                      emergency=True, documents_received=tuple(c for c, _n in plan.documents))
    return intake.submit_application(session, app, "accept").case_uuid


def _emergency_case(session: AppSession) -> str:
    """An accepted emergency case; its applicant gets an earlier 因病 grant so the warning shows."""
    rows = case_queries.list_cases(session, CaseFilter(status="accepted", category="temp_emergency"),
                                   "received_on", True, 0, 20)
    uuid = rows[0].case_uuid if rows else _new_emergency_case(session)
    with session.db.write() as s:
        case = s.get(Case, uuid)
        if s.scalar(select(EmergencyGrant.id).where(EmergencyGrant.person_uuid == case.applicant_uuid)) is None:
            from desktop.store.models import Person  # noqa: PLC0415
            from desktop.store.models_investigation import EmergencyGrant as G  # noqa: PLC0415

            person = s.get(Person, case.applicant_uuid)
            other = s.scalar(select(Case.uuid).where(Case.status == "emergency_aided"))
            s.add(G(case_uuid=other, person_uuid=person.uuid, id_hash=person.id_hash, amount_cents=150000,
                    reason_code="illness", reason_note="演示：此前因病救助", route="township",
                    granted_on=session.clock.today() - timedelta(days=120), approved_by="supervisor", recorded_by="clerk",
                    recorded_at=case.received_at))
    return uuid


def shot_emergency(h: Harness) -> None:
    page = cases_page(h)
    uuid = _emergency_case(page.ctx.session)
    page.open_case(uuid)
    h.wait_until(lambda: page.detail.detail is not None)
    dialog = page.detail.open_emergency()
    assert dialog is not None
    h.wait_until(lambda: dialog.facts is not None)
    dialog.amount.setText("2000")
    dialog.note.setPlainText("突发脑出血住院，家中无力支付押金")
    dialog.supervisor_user.setText("supervisor")
    dialog.refresh()
    assert emergency.facts(page.ctx.session, uuid).previous
    h.settle(500)


def shot_emergency_large(h: Harness) -> None:
    """The same dialog at large type: it must still fit the screen."""
    apply_large_type(h.app, True)
    shot_emergency(h)


def shot_home_visit_dialog(h: Harness) -> None:
    """The 登记入户调查 dialog at large type, as the clerk fills it in after the visit."""
    apply_large_type(h.app, True)
    page = cases_page(h)
    uuid = _investigating_dibao(page.ctx.session)
    page.open_case(uuid)
    h.wait_until(lambda: page.detail.detail is not None and page.detail.investigation.view is not None)
    tab = page.detail.investigation
    page.detail.tabs.setCurrentWidget(tab)
    dialog = tab.add_home_visit()
    dialog.investigators.setText("王晓燕、李建军")
    dialog.findings.setPlainText("土坯房两间，户主腰椎病不能从事重体力劳动")
    dialog.amount.setText("520")
    h.settle(300)


def shot_investigation_large(h: Harness) -> None:
    """The tab at large type, on a case whose policy also asks for 民主评议 (the longest button row)."""
    apply_large_type(h.app, True)
    page = cases_page(h)
    session = page.ctx.session
    with session.db.read() as s:
        uuid = s.scalar(select(Case.uuid).join(CaseCategory, CaseCategory.case_uuid == Case.uuid)
                        .where(Case.status == "deliberation", CaseCategory.category == "temp_expense")) \
            or s.scalar(select(Case.uuid).where(Case.status == "deliberation"))
    page.open_case(uuid)
    h.wait_until(lambda: page.detail.detail is not None and page.detail.investigation.view is not None)
    page.detail.tabs.setCurrentWidget(page.detail.investigation)
    h.settle(500)


SHOTS = {"investigation": shot_investigation, "investigation-large-type": shot_investigation_large, "emergency-aid": shot_emergency,
         "emergency-aid-large-type": shot_emergency_large, "home-visit-dialog-large-type": shot_home_visit_dialog}


def main(argv: list[str] | None = None) -> int:
    return run_screen_shots(SHOTS, argv, __doc__ or "")


if __name__ == "__main__":
    sys.exit(main())
