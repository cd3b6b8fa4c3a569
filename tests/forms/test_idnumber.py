from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.idnumber import (
    CHECK_CHARS,
    WEIGHTS,
    IdInfo,
    IdNumberError,
    age_on,
    check_char,
    is_valid_id,
    mask_id,
    mask_id_short,
    mod11_2_check,
    normalize_id,
    parse_id,
)

TODAY = date(2026, 3, 15)
VECTOR = "11010519491231002X"


# --------------------------------------------------------------------- basics

def test_weights_are_powers_of_two_mod_11() -> None:
    assert WEIGHTS == tuple(pow(2, 17 - i, 11) for i in range(17))


def test_official_test_vector() -> None:
    info = parse_id(VECTOR, today=TODAY)
    assert info == IdInfo(
        number=VECTOR,
        address_code="110105",
        birth_date=date(1949, 12, 31),
        sex="F",
        converted_from_15=False,
    )
    assert info.sequence == "002"
    assert check_char(VECTOR[:17]) == "X"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        ("11010120000229001", "8"),
        ("11010119900307001", "1"),
    ],
)
def test_check_char_matches_hand_computation(first17: str, expected: str) -> None:
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    assert CHECK_CHARS[s % 11] == expected
    assert check_char(first17) == expected
    assert mod11_2_check(first17) == expected


@pytest.mark.parametrize("bad", ["", "1234", "1101051949123100X", "11010519491231002a", "1" * 18 + "1"])
def test_check_char_rejects_malformed_input(bad: str) -> None:
    with pytest.raises(ValueError):
        check_char(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１１０１０５１９４９１２３１００２ｘ", VECTOR),
        (" 110105 19491231 002x\t", VECTOR),
        ("110105\u300019491231002X", VECTOR),  # ideographic space
        ("11010519491231002X", VECTOR),
    ],
)
def test_normalize_id(raw: str, expected: str) -> None:
    assert normalize_id(raw) == expected


# --------------------------------------------------------- table-driven parse

VALID_CASES = [
    # raw, number, birth, sex, converted
    (VECTOR, VECTOR, date(1949, 12, 31), "F", False),
    ("１１０１０５１９４９１２３１００２ｘ", VECTOR, date(1949, 12, 31), "F", False),
    ("11010519491231002x", VECTOR, date(1949, 12, 31), "F", False),
    ("44052419000101001", None, date(1900, 1, 1), "M", False),  # earliest accepted date
    # 15-digit old number: 110105 491231 002 → 110105 19 491231 002 + X
    ("110105491231002", VECTOR, date(1949, 12, 31), "F", True),
    ("１１０１０５４９１２３１００２", VECTOR, date(1949, 12, 31), "F", True),
    # leap day
    ("11010120000229001", None, date(2000, 2, 29), "M", False),
    # born today is fine
    ("110101" + TODAY.strftime("%Y%m%d") + "011", None, TODAY, "M", False),
    # retired / unknown address codes are accepted (only the shape is checked)
    ("999999" + "19800101" + "002", None, date(1980, 1, 1), "F", False),
]


def _complete(raw: str) -> str:
    """Append the check character to a 17-digit test stub."""
    return raw + check_char(raw) if len(raw) == 17 else raw


@pytest.mark.parametrize(("raw", "number", "birth", "sex", "converted"), VALID_CASES)
def test_parse_valid(raw: str, number: str | None, birth: date, sex: str, converted: bool) -> None:
    raw = _complete(raw)
    info = parse_id(raw, today=TODAY)
    assert info.number == (number or normalize_id(raw))
    assert len(info.number) == 18
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.converted_from_15 is converted
    assert info.address_code == info.number[:6]
    assert is_valid_id(raw, today=TODAY)


def test_fifteen_digit_conversion_sets_flag_and_check_char() -> None:
    info = parse_id("110105491231002", today=TODAY)
    assert info.converted_from_15 is True
    assert info.number == "110105" + "19" + "491231002" + "X"
    info = parse_id("440524800101001", today=TODAY)
    assert info.number == "44052419800101001" + check_char("44052419800101001")
    assert info.sex == "M"
    assert info.birth_date == date(1980, 1, 1)


INVALID_CASES = [
    # raw, code
    ("", "empty"),
    ("   ", "empty"),
    ("1101051949123100", "length"),           # 16
    ("11010519491231002X1", "length"),        # 19
    ("11010519491231002", "length"),          # 17
    ("1101054912310A2", "chars"),             # 15 with a letter
    ("11010549123100X", "chars"),             # 15 may not end in X
    ("1101051949123100XX", "chars"),
    ("11010519491231002Y", "chars"),
    ("1101O519491231002X", "chars"),          # letter O instead of zero
    ("01010519491231002X", "address"),
    ("110105" + "19900230" + "001", "birth_date"),   # 30 February
    ("110105" + "19901301" + "001", "birth_date"),   # month 13
    ("110105" + "19900100" + "001", "birth_date"),   # day 0
    ("110105" + "19010229" + "001", "birth_date"),   # 1901 not leap
    ("110105" + "18991231" + "001", "birth_date"),   # before 1900
    ("110105" + "00000000" + "001", "birth_date"),
    ("110105" + "20260316" + "001", "future_birth"),  # tomorrow
    ("110105" + "20991231" + "001", "future_birth"),
    ("110105900230001", "birth_date"),                # 15-digit, 30 February
    ("110105490231002", "birth_date"),               # 15-digit, 1949-02-31
    ("110105194912310021", "checksum"),
    ("110105194912310020", "checksum"),
    ("11010519491231002０", "checksum"),       # full-width zero, still wrong
]


@pytest.mark.parametrize(("raw", "code"), INVALID_CASES)
def test_parse_invalid(raw: str, code: str) -> None:
    if code not in ("length", "empty", "chars"):
        raw = _complete(raw)
    with pytest.raises(IdNumberError) as exc:
        parse_id(raw, today=TODAY)
    assert exc.value.code == code
    assert exc.value.message
    assert str(exc.value) == exc.value.message
    # messages are Chinese and never echo the whole number
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    if len(raw) >= 15:
        assert normalize_id(raw) not in exc.value.message
    assert not is_valid_id(raw, today=TODAY)


def test_error_is_a_value_error() -> None:
    assert issubclass(IdNumberError, ValueError)


def test_future_birth_relative_to_today_argument() -> None:
    raw = _complete("110105" + "20260316" + "001")
    with pytest.raises(IdNumberError):
        parse_id(raw, today=date(2026, 3, 15))
    assert parse_id(raw, today=date(2026, 3, 16)).birth_date == date(2026, 3, 16)


# ------------------------------------------------------------------------ age

@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1949, 12, 31), date(2026, 3, 15), 76),
        (date(1949, 12, 31), date(2026, 12, 30), 76),
        (date(1949, 12, 31), date(2026, 12, 31), 77),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2000, 2, 29), date(2020, 2, 29), 20),
        (date(2026, 3, 15), date(2026, 3, 15), 0),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_age_on_accepts_idinfo_and_rejects_dates_before_birth() -> None:
    info = parse_id(VECTOR, today=TODAY)
    assert age_on(info, date(1967, 12, 31)) == 18
    assert age_on(info, date(1967, 12, 30)) == 17
    with pytest.raises(ValueError):
        age_on(info, date(1949, 12, 30))


# -------------------------------------------------------------------- masking

def test_mask_id_default_shows_first6_last4() -> None:
    assert mask_id(VECTOR) == "110105********002X"
    assert mask_id("１１０１０５１９４９１２３１００２ｘ") == "110105********002X"


def test_mask_id_short_shows_last4_only() -> None:
    assert mask_id_short(VECTOR) == "**************002X"
    assert len(mask_id_short(VECTOR)) == 18


def test_mask_id_custom_and_limits() -> None:
    assert mask_id(VECTOR, keep_head=3, keep_tail=1) == "110**************X"
    assert mask_id(VECTOR, keep_head=0, keep_tail=0) == "*" * 18
    with pytest.raises(ValueError):
        mask_id(VECTOR, keep_head=7)
    with pytest.raises(ValueError):
        mask_id(VECTOR, keep_tail=5)
    with pytest.raises(ValueError):
        mask_id(VECTOR, keep_head=-1)


def test_mask_id_short_strings_are_fully_hidden() -> None:
    assert mask_id("1234567890") == "**********"
    assert mask_id("") == ""


# ----------------------------------------------------------------- properties

@st.composite
def valid_ids(draw: st.DrawFn, today: date = TODAY) -> tuple[str, date, int]:
    address = draw(st.integers(100000, 999999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=today))
    seq = draw(st.integers(0, 999))
    first17 = f"{address:06d}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17), born, seq


@given(valid_ids())
def test_generated_valid_ids_parse(case: tuple[str, date, int]) -> None:
    number, born, seq = case
    info = parse_id(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == born
    assert info.sex == ("M" if seq % 2 else "F")
    assert info.converted_from_15 is False
    # lower-case x and full-width forms parse to the same thing
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number.lower())
    assert parse_id(full_width, today=TODAY) == info


ALLOWED = "0123456789X"


@settings(max_examples=300)
@given(valid_ids(), st.integers(0, 17), st.sampled_from(ALLOWED))
def test_any_single_substitution_is_detected(case: tuple[str, date, int], pos: int, new: str) -> None:
    number = case[0]
    if number[pos] == new:
        new = ALLOWED[(ALLOWED.index(new) + 1) % len(ALLOWED)]
    mutated = number[:pos] + new + number[pos + 1:]
    assert mutated != number
    with pytest.raises(IdNumberError):
        parse_id(mutated, today=TODAY)
    # The check character alone detects it, whatever the other rules say:
    # each weight is non-zero mod 11 and 11 is prime, so w·(a'−a) ≢ 0 (mod 11).
    if pos < 17 and new != "X":
        assert check_char(mutated[:17]) != number[17]


def test_exhaustive_single_substitutions_of_the_vector() -> None:
    """Every one of the 18 × 10 single substitutions of the test vector fails."""
    count = 0
    for pos in range(18):
        for new in ALLOWED:
            if new == VECTOR[pos]:
                continue
            mutated = VECTOR[:pos] + new + VECTOR[pos + 1:]
            assert not is_valid_id(mutated, today=TODAY), mutated
            if pos < 17 and new != "X":
                assert check_char(mutated[:17]) != "X"
            count += 1
    assert count == 18 * 10


@given(st.text())
def test_arbitrary_text_never_crashes(raw: str) -> None:
    try:
        info = parse_id(raw, today=TODAY)
    except IdNumberError as e:
        assert e.message
    else:
        assert len(info.number) == 18
        assert check_char(info.number[:17]) == info.number[17]


@given(st.text(alphabet="0123456789xX １２ｘ-", max_size=20))
def test_digit_heavy_text_never_crashes(raw: str) -> None:
    assert is_valid_id(raw, today=TODAY) in (True, False)
    mask_id(raw)
    mask_id_short(raw)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.integers(0, 999))
def test_fifteen_digit_round_trip(born: date, seq: int) -> None:
    old = f"110105{born:%y%m%d}{seq:03d}"
    info = parse_id(old, today=TODAY)
    assert info.converted_from_15
    assert info.birth_date == born
    assert info.number[:6] == "110105" and info.number[6:14] == f"{born:%Y%m%d}"
    assert parse_id(info.number, today=TODAY).converted_from_15 is False


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
       st.integers(0, 40000))
def test_age_is_monotonic(born: date, days: int) -> None:
    on = born + timedelta(days=days)
    assert age_on(born, on) <= age_on(born, on + timedelta(days=1)) <= age_on(born, on) + 1
