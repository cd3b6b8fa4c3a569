"""``investigation_requirements`` in a policy table: which categories need an economic-check result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.categories import Category
from desktop.domain.policy import PolicyError, parse_policy_table

POLICY_DIR = Path(__file__).resolve().parents[2] / "resources" / "policy"
NATIONAL_FILE = POLICY_DIR / "000000-2024-01-01.json"


def table(requirements: Any = None, *, drop: bool = False) -> dict:
    raw = json.loads(NATIONAL_FILE.read_text(encoding="utf-8"))
    raw.pop("investigation_requirements", None)
    if not drop:
        raw["investigation_requirements"] = requirements
    return raw


def test_absent_means_none_required() -> None:
    policy = parse_policy_table(table(drop=True))
    assert not any(policy.economic_check_required(c) for c in Category)


def test_default_and_exceptions_per_category() -> None:
    policy = parse_policy_table(table({"economic_check": {"default": True, "by_category": {"medical": False}}}))
    assert policy.economic_check_required(Category.DIBAO) and not policy.economic_check_required("medical")


@pytest.mark.parametrize("path", sorted(POLICY_DIR.glob("*.json")), ids=lambda p: p.name)
def test_shipped_tables_require_the_check_for_dibao_and_tekun_only_where_it_applies(path: Path) -> None:
    policy = parse_policy_table(json.loads(path.read_text(encoding="utf-8")), path.name)
    assert policy.economic_check_required(Category.DIBAO) and policy.economic_check_required(Category.TEKUN)
    assert not policy.economic_check_required(Category.TEMP_EMERGENCY)
    assert not policy.economic_check_required(Category.LEGAL_AID)


@pytest.mark.parametrize(("requirements", "fragment"), [
    ({}, "economic_check"),
    ({"economic_check": {"default": True}, "home_visit": 3}, "home_visit"),
    ({"economic_check": {"default": "yes"}}, "economic_check.default"),
    ({"economic_check": {"default": False, "by_category": {"unicorn": True}}}, "unicorn"),
    ([], "investigation_requirements"),
])
def test_invalid_requirements_are_refused_in_chinese(requirements: Any, fragment: str) -> None:
    with pytest.raises(PolicyError) as e:
        parse_policy_table(table(requirements), "测试.json")
    assert fragment in e.value.message and "测试.json" in e.value.message
