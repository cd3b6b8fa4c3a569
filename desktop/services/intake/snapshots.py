"""Households and persons as events: snapshots of the township-owned fields.

What intake records of a household (village, hukou, address) and of each
member (name, ID number, relation, health, labour, income…) travels whole,
as ``household.snapshot`` / ``person.snapshot``, the first time and again
whenever the township changes it — queued before the case that needs them.
Fields made from these on this PC (pinyin initials, the keyed ID hash, the
ID tail) stay local: the hub makes its own.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.store import outbox
from desktop.store.models import Household, Person
from sync import events as ev

__all__ = ["household_event", "person_event", "queue_if_changed"]


def household_event(hh: Household) -> ev.HouseholdSnapshot:
    return ev.HouseholdSnapshot(household_uuid=hh.uuid, division_code=hh.division_code, hukou_type=hh.hukou_type,
                                address=hh.address)


def person_event(p: Person) -> ev.PersonSnapshot:
    return ev.PersonSnapshot(
        person_uuid=p.uuid, household_uuid=p.household_uuid, position=p.position, name=p.name,
        id_number=p.id_number, birth_date=p.birth_date, sex=p.sex, ethnicity=p.ethnicity, relation=p.relation,
        health=p.health, disability_category=p.disability_category, disability_grade=p.disability_grade,
        labour_capacity=p.labour_capacity, employment=p.employment, monthly_income_cents=p.monthly_income_cents,
        is_obliged_supporter=p.is_obliged_supporter, staff_relative=p.staff_relative)


def queue_if_changed(s: Session, before: ev.Event | None, after: ev.Event) -> bool:
    """Queue the new snapshot when the record is new (``before`` None) or any field changed."""
    if before is not None and before == after:
        return False
    outbox.enqueue(s, after)
    return True
