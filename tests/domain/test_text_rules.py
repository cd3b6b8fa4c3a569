"""One set of rules for what a text field may hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.text_rules import LIMITS, TextKind, clean, is_cjk, is_invisible, problem

NAME = TextKind.PERSON_NAME


@pytest.mark.parametrize("name", ["张三明", "张𠮷祥", "阿依古丽·买买提", "阿依古丽•买买提", "李堃", "〇〇"])
def test_real_names_pass(name):
    assert problem(name, NAME, "姓名") is None


def test_middle_dot_variants_are_stored_as_one():
    assert clean("阿依古丽•买买提", NAME) == clean("阿依古丽・买买提", NAME) == "阿依古丽·买买提"


@pytest.mark.parametrize(("name", "says"), [
    ("\u200b\u200b", "不可见"),                    # zero-width only
    ("\x00\x00", "不可见"),                         # NUL
    ("张\u202e三", "不可见"),                       # bidi override
    ("张\ufeff三", "不可见"),                       # BOM
    ("张\ud800三", "无法识别"),                     # lone surrogate
    ("张3", "数字"),
    ("Zhang San", "只能由汉字组成"),
    ("张 三", "空格"),
    ("·张三", "两段姓名之间"),
    ("张··三", "两段姓名之间"),
    ("张" * 31, "过长"),
])
def test_bad_names_are_refused_with_a_reason(name, says):
    message = problem(name, NAME, "姓名")
    assert message is not None and says in message


@given(st.text(alphabet=st.characters(categories=("Cc", "Cf", "Co", "Cs")), min_size=1, max_size=5))
def test_the_message_never_echoes_an_invisible_character(junk):
    for kind in TextKind:
        message = problem(f"张{junk}三", kind, "内容")
        if message is not None:
            assert not any(is_invisible(c) for c in message)


@pytest.mark.parametrize("kind", [TextKind.ADDRESS, TextKind.SHORT_TEXT])
def test_one_line_fields_refuse_line_breaks(kind):
    assert "一行" in problem("东坪村\n三组", kind, "家庭住址")


def test_free_text_takes_line_breaks_also_windows_ones():
    assert problem("第一行\r\n第二行", TextKind.FREE_TEXT, "理由") is None
    assert clean("第一行\r\n第二行", TextKind.FREE_TEXT) == "第一行\n第二行"


@pytest.mark.parametrize("kind", list(TextKind))
def test_every_kind_has_a_limit_and_keeps_it(kind):
    limit = LIMITS[kind]
    assert problem("字" * limit, kind, "内容") is None
    assert "过长" in problem("字" * (limit + 1), kind, "内容")


def test_extension_b_and_beyond_are_chinese_characters():
    assert all(is_cjk(c) for c in "𠮷𪚥𫠠𬺰〇")
    assert not any(is_cjk(c) for c in "A1·😀")
