"""Assistance categories (救助类别) a township window accepts.

Codes are stable English identifiers stored in the database and sent over the
wire; labels are what people read. Which department decides each category and
which documents it needs are policy data (resources/policy), not code.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    DIBAO = "dibao"                          # 最低生活保障（含单人保）
    TEKUN = "tekun"                          # 特困人员救助供养
    TEMP_EMERGENCY = "temp_emergency"        # 临时救助（急难型）
    TEMP_EXPENSE = "temp_expense"            # 临时救助（支出型）
    MEDICAL = "medical"                      # 医疗救助
    EDUCATION = "education"                  # 教育救助
    HOUSING = "housing"                      # 住房救助
    EMPLOYMENT = "employment"                # 就业救助
    DISASTER = "disaster"                    # 受灾人员救助
    LOW_INCOME_EDGE = "low_income_edge"      # 低保边缘家庭
    RIGID_EXPENSE = "rigid_expense"          # 刚性支出困难家庭
    POVERTY_MONITORING = "poverty_monitoring"  # 防止返贫监测对象
    DISABILITY_SUBSIDY = "disability_subsidy"  # 残疾人两项补贴
    CHILD_WELFARE = "child_welfare"          # 孤儿/事实无人抚养儿童基本生活保障
    LEGAL_AID = "legal_aid"                  # 法律援助
    FUNERAL = "funeral"                      # 殡葬救助
    HEATING = "heating"                      # 取暖补贴

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def is_emergency(self) -> bool:
        return self is Category.TEMP_EMERGENCY


CATEGORY_LABELS: dict[Category, str] = {
    Category.DIBAO: "最低生活保障",
    Category.TEKUN: "特困人员救助供养",
    Category.TEMP_EMERGENCY: "临时救助（急难型）",
    Category.TEMP_EXPENSE: "临时救助（支出型）",
    Category.MEDICAL: "医疗救助",
    Category.EDUCATION: "教育救助",
    Category.HOUSING: "住房救助",
    Category.EMPLOYMENT: "就业救助",
    Category.DISASTER: "受灾人员救助",
    Category.LOW_INCOME_EDGE: "低保边缘家庭认定",
    Category.RIGID_EXPENSE: "刚性支出困难家庭认定",
    Category.POVERTY_MONITORING: "防止返贫监测对象",
    Category.DISABILITY_SUBSIDY: "残疾人两项补贴",
    Category.CHILD_WELFARE: "孤儿及事实无人抚养儿童保障",
    Category.LEGAL_AID: "法律援助",
    Category.FUNERAL: "殡葬救助",
    Category.HEATING: "取暖补贴",
}


def parse_category(value: str) -> Category:
    """Accept a code or a Chinese label; raise ValueError with a Chinese message."""
    v = value.strip()
    for c in Category:
        if v == c.value or v == c.label:
            return c
    raise ValueError(f"未知的救助类别：{value}")
