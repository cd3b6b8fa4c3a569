"""Codes of the investigation (调查核实) and of emergency aid (急难型临时救助先行救助).

Stable English codes are stored and sent; labels are what people read. Which
categories need a household economic check or a democratic deliberation is
policy data (``investigation_requirements``, ``democratic_deliberation_required``).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "MIN_INVESTIGATORS", "AttachmentPurpose", "DeliberationResult", "EconomicCheckConclusion", "EmergencyReason",
    "EmergencyRoute",
]

MIN_INVESTIGATORS = 2   # 入户调查须由2名以上工作人员


class EconomicCheckConclusion(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_VERIFICATION = "needs_verification"

    @property
    def label(self) -> str:
        return {"eligible": "符合", "ineligible": "不符合", "needs_verification": "需进一步核实"}[self.value]

    @property
    def is_final(self) -> bool:
        """符合/不符合 settle the check; 需进一步核实 waits for another report."""
        return self is not EconomicCheckConclusion.NEEDS_VERIFICATION


class DeliberationResult(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    FURTHER_INVESTIGATION = "further_investigation"

    @property
    def label(self) -> str:
        return {"agree": "同意", "disagree": "不同意", "further_investigation": "需进一步调查"}[self.value]


class EmergencyReason(StrEnum):
    ILLNESS = "illness"
    DISASTER = "disaster"
    ACCIDENT = "accident"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"illness": "因病", "disaster": "因灾", "accident": "意外事故", "other": "其他"}[self.value]


class EmergencyRoute(StrEnum):
    TOWNSHIP = "township"    # within the township limit: the township supervisor approves on the spot
    COUNTY = "county"        # above it: reported to the county

    @property
    def label(self) -> str:
        return {"township": "乡镇当场审批", "county": "报县级审批"}[self.value]


class AttachmentPurpose(StrEnum):
    HOME_VISIT_FORM = "home_visit_form"
    ECONOMIC_CHECK_REPORT = "economic_check_report"
    DELIBERATION_MINUTES = "deliberation_minutes"

    @property
    def label(self) -> str:
        return {"home_visit_form": "入户调查表（签字）", "economic_check_report": "核对报告",
                "deliberation_minutes": "民主评议记录"}[self.value]
