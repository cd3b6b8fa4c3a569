"""Small builders of synthetic intake data shared by tests (no real people)."""

from __future__ import annotations

from desktop.domain.categories import Category
from desktop.domain.household import Application, Channel, Household, HukouType, Person, Relation
from forms.idnumber import check_char


def make_id(first17: str) -> str:
    return first17 + check_char(first17)


HEAD = make_id("62010219700101001")
WIFE = make_id("62010219720202002")


def sample_application(categories=(Category.DIBAO,), emergency: bool = False) -> Application:
    hh = Household("620102101201", HukouType.RURAL, "东坪村三组12号", (
        Person("张三明", HEAD, Relation.SELF), Person("李桂兰", WIFE, Relation.SPOUSE)))
    return Application(tuple(categories), "主要劳动力患病，收入低", Channel.WALK_IN, hh, HEAD, emergency=emergency)


def complete_application(session, categories=(Category.DIBAO,)) -> Application:  # type: ignore[no-untyped-def]
    """:func:`sample_application` with every document of its checklist received (it can be accepted)."""
    import dataclasses

    from desktop.services.deadlines.planner import DeadlinePlanner

    app = sample_application(categories)
    plan = DeadlinePlanner.of(session).plan(app.household.division_code, session.clock.today(), list(app.categories))
    return dataclasses.replace(app, documents_received=tuple(c for c, _n in plan.documents))


def accepted_case(session, categories=(Category.DIBAO,), seq: int = 1) -> str:  # type: ignore[no-untyped-def]
    """An accepted case (every document received) of its own one-person household (``seq``: which one),
    emergency when it is 临时救助（急难型）; its uuid."""
    import dataclasses

    from desktop.services.intake import accept as intake

    holder = Person("孙立新", make_id(f"62010219770707{seq:03d}"), Relation.SELF)
    app = complete_application(session, categories)
    app = dataclasses.replace(app, household=dataclasses.replace(app.household, members=(holder,)),
                              applicant_id_number=holder.id_number,
                              emergency=Category.TEMP_EMERGENCY in tuple(categories))
    return intake.submit_application(session, app, "accept").case_uuid


SIGNED_VISIT_FORM = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 8 + b"%%EOF\n"


def investigate(session, case_uuid: str) -> None:  # type: ignore[no-untyped-def]
    """Everything the case's policy requires before 公示 or 审核确认, recorded through the services: the
    investigation started, a home visit by two staff, the economic check (符合) and 民主评议 where required."""
    from desktop.services.investigation import records as inv
    from desktop.services.workflow import transitions as workflow

    today = session.clock.today()
    view = inv.investigation(session, case_uuid)
    if view.status == "accepted":
        workflow.transition(session, case_uuid, "start_investigation")
    inv.record_home_visit(session, case_uuid, inv.HomeVisitInput(
        today, ("王喆", "李明"), "入户核实家庭人口、收入、住房情况", 52000,
        signed_form=inv.AttachmentInput("入户调查表.pdf", SIGNED_VISIT_FORM)))
    if view.economic_check_required:
        check = inv.request_economic_check(session, case_uuid, inv.CheckRequestInput(today, "县核对中心"))
        inv.record_check_result(session, check, inv.CheckResultInput(today, "eligible", "核对完毕"))
    if view.deliberation_required:
        workflow.transition(session, case_uuid, "start_deliberation")
        inv.record_deliberation(session, case_uuid, inv.DeliberationInput(today, 9, "agree", "评议通过"))


def to_decision(session, case_uuid: str):  # type: ignore[no-untyped-def]
    """An accepted township-procedure case brought to 待审核确认 the way the window does it: investigated
    (:func:`investigate`), then — where its policy requires a notice — listed, posted and its period over,
    else submitted with the proposal to approve. Returns the status (待审核确认)."""
    from datetime import timedelta

    from desktop.services.investigation import facts
    from desktop.services.notices import batches as notices
    from desktop.services.notices.output import print_poster
    from desktop.services.workflow import transitions as workflow
    from desktop.store.models import Case

    investigate(session, case_uuid)
    today = session.clock.today()
    with session.db.read() as s:
        case = s.get(Case, case_uuid)
        policy = facts.policy_for_case(case, today)
        noticed = [c for c in facts.categories(s, case_uuid) if policy.notice_required(c)]
        village = case.division_code
    if not noticed:
        return workflow.transition(session, case_uuid, "submit_for_decision",
                                   workflow.TransitionInput(proposed_outcome="approve"))
    batch = notices.create_batch(session, village, noticed[0], [case_uuid], start_on=today)
    print_poster(session, batch.uuid)
    notices.post_batch(session, batch.uuid, notices.PostingInput(today, "村务公开栏", "马春花"), today=today)
    notices.close_due_batches(session, today + timedelta(days=30))
    with session.db.read() as s:
        return s.get(Case, case_uuid).status


EAST_VILLAGE = "620102101201"   # 东坪村 of conftest.TEST_TOWNSHIP: where sample_application's family lives


def villages_of(role) -> dict:  # type: ignore[no-untyped-def]
    """``add_user`` keywords for a test account of ``role``: a village assistant works for 东坪村."""
    from desktop.domain.roles import Role

    return {"villages": (EAST_VILLAGE,)} if role is Role.VILLAGE_ASSISTANT else {}
