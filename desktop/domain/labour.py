"""劳动能力 by age: what the intake form proposes before the clerk says otherwise.

A child or an old person is not presumed able to work: under ``working_from`` (16, the age the
Labour Law allows work from) and from ``working_until`` (60, the old-age line of the Law on the
Protection of the Rights of the Elderly) the default is 无（未成年/老年）— not 完全丧失劳动能力,
which is a finding about a person of working age; in between 有劳动能力. The ages
are policy data (``labour_capacity_ages`` of the policy table, docs/POLICY.md); the clerk can always
change the proposal (disability, illness, students…). Pure: the day comes from the one clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.domain.household import LabourCapacity
from forms.idnumber import age_on

__all__ = ["LabourAges", "LabourDefault", "default_labour_capacity"]


@dataclass(frozen=True)
class LabourAges:
    working_from: int = 16      # 有劳动能力 from this birthday (周岁)
    working_until: int = 60     # 无劳动能力 again from this birthday


@dataclass(frozen=True)
class LabourDefault:
    capacity: LabourCapacity
    age: int
    reason: str                 # Chinese: "未满16周岁" / "已满60周岁" / "16至59周岁"

    @property
    def note(self) -> str:
        """What the form says next to the field."""
        return f"按年龄默认为“{self.capacity.label}”（{self.reason}），可修改"


def default_labour_capacity(birth: date, on: date, ages: LabourAges = LabourAges()) -> LabourDefault:
    """The proposed 劳动能力 of someone born on ``birth``, on the day ``on`` (the intake day)."""
    age = age_on(birth, on)
    if age < ages.working_from:
        return LabourDefault(LabourCapacity.NOT_APPLICABLE, age, f"未满{ages.working_from}周岁")
    if age >= ages.working_until:
        return LabourDefault(LabourCapacity.NOT_APPLICABLE, age, f"已满{ages.working_until}周岁")
    return LabourDefault(LabourCapacity.FULL, age, f"{ages.working_from}至{ages.working_until - 1}周岁")
