"""The policy field ``notice_content``: what a table lets a notice show, checked on load."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.categories import Category
from desktop.domain.notice import DEFAULT_NOTICE_CONTENT, NoticeContent, NoticeField, notice_content_for
from desktop.domain.notice_content import NoticeContentRule
from desktop.domain.policy import PolicyError, parse_policy_table

NATIONAL_FILE = Path(__file__).resolve().parents[2] / "resources" / "policy" / "000000-2024-01-01.json"


def table(content: Any = None) -> dict:
    raw = json.loads(NATIONAL_FILE.read_text(encoding="utf-8"))
    if content is not None:
        raw["notice_content"] = copy.deepcopy(content)
    return raw


def test_absent_means_the_default_content() -> None:
    policy = parse_policy_table(table(), "t.json")
    assert policy.notice_content is None
    assert notice_content_for(policy, Category.DIBAO) == DEFAULT_NOTICE_CONTENT


def test_one_content_for_every_category() -> None:
    policy = parse_policy_table(table({"fields": ["holder_name", "village", "household_size"],
                                       "id_fragment": {"head": 6, "tail": 4}}), "t.json")
    got = notice_content_for(policy, Category.TEKUN)
    assert got == NoticeContent((NoticeField.HOLDER_NAME, NoticeField.VILLAGE, NoticeField.HOUSEHOLD_SIZE), 6, 4)
    assert notice_content_for(policy, Category.DIBAO) == got


def test_default_with_a_category_exception() -> None:
    raw = {"default": {"fields": ["holder_name", "village", "monthly_amount"]},
           "by_category": {"tekun": {"fields": ["holder_name", "village"]}}}
    policy = parse_policy_table(table(raw), "t.json")
    assert isinstance(policy.notice_content, NoticeContentRule)
    assert notice_content_for(policy, Category.TEKUN).fields == (NoticeField.HOLDER_NAME, NoticeField.VILLAGE)
    assert NoticeField.MONTHLY_AMOUNT in notice_content_for(policy, Category.DIBAO).fields
    assert notice_content_for(policy).fields == notice_content_for(policy, Category.DIBAO).fields


@pytest.mark.parametrize(("content", "fragment"), [
    ({"fields": ["holder_name", "address"]}, "家庭住址依规不得公示"),
    ({"fields": ["holder_name", "phone"]}, "家庭成员电话依规不得公示"),
    ({"fields": ["village"]}, "必须包括申请人姓名"),
    ({"fields": ["holder_name", "shoe_size"]}, "未知的公示项目"),
    ({"fields": ["holder_name"], "id_fragment": {"head": 8, "tail": 4}}, "最多只能公示前6位和后4位"),
    ({"fields": ["holder_name"], "id_fragment": {"head": 6, "tail": 5}}, "最多只能公示前6位和后4位"),
    ({"fields": "holder_name"}, "fields 应为列表"),
    ({"fields": [["holder_name"]]}, "未知的公示项目"),
    ({"fields": ["holder_name"], "colour": "red"}, "未知项目：colour"),
    ("holder_name", "应为 JSON 对象"),
    ({"default": {"fields": ["holder_name"]}, "by_category": {"nonsense": {"fields": ["holder_name"]}}},
     "未知的救助类别"),
    ({"default": {"fields": ["holder_name"]}, "by_category": {"tekun": {"fields": ["holder_name", "income"]}}},
     "特困人员救助供养：收入依规不得公示"),
    ({"default": {"fields": ["holder_name", "bank_account"]}}, "银行账号依规不得公示"),
])
def test_invalid_content_is_refused_in_chinese(content: Any, fragment: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy_table(table(content), "620102-2026-07-01.json")
    assert "620102-2026-07-01.json" in err.value.message
    assert "notice_content" in err.value.message
    assert fragment in err.value.message
