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
