"""The contact phone: what may be typed, its stored form, and how screens mask it."""

from __future__ import annotations

import pytest

from desktop.domain.phone import NO_PHONE, mask_phone, normalize_phone, phone_problem
from desktop.domain.text_rules import LIMITS, TextKind


@pytest.mark.parametrize("typed, stored", [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),          # full-width digits
    ("+86 139 1234 5678", "13912345678"),
    ("0931-5550123", "0931-5550123"),
    ("0931 5550123", "0931-5550123"),
    ("09315550123", "0931-5550123"),                 # a four-digit area code
    ("（0931）5550123", "0931-5550123"),
    ("01066551234", "010-66551234"),                 # 010 and 02x are three digits long
    ("021-61234567", "021-61234567"),
    ("0931-5550123-12", "0931-5550123-12"),          # an extension
    (" 无 ", NO_PHONE),
    ("", ""),
])
def test_accepted_phones_and_their_stored_form(typed, stored):
    assert phone_problem(typed) is None
    assert normalize_phone(typed) == stored
    assert len(stored) <= LIMITS[TextKind.PHONE]


@pytest.mark.parametrize("typed, words", [
    ("1391234567", "手机号码应为11位，现输入了10位"),
    ("139123456789", "手机号码应为11位"),
    ("12912345678", "13–19开头"),
    ("5550123", "带区号的固定电话"),
    ("0931-123", "区号加7或8位号码"),
    ("电话坏了", "只能由数字组成"),
    ("139\u200b12345678", "不可见的控制字符"),
    ("139\n12345678", "只能填写一行"),
])
def test_bad_phones_are_refused_in_chinese(typed, words):
    message = phone_problem(typed)
    assert message is not None and words in message
    with pytest.raises(ValueError):
        normalize_phone(typed)


def test_the_window_requires_a_phone_or_no():
    assert "没有电话时填“无”" in phone_problem("  ", required=True)
    assert phone_problem("无", required=True) is None


def test_masking_keeps_the_first_three_and_last_four_of_a_mobile():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0931-5550123") == "0931-***0123"
    assert mask_phone("0931-5550123-12") == "0931-***0123"
    assert mask_phone(NO_PHONE) == NO_PHONE and mask_phone("") == ""
