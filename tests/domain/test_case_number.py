from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.case_number import (
    CaseNumber,
    CaseNumberError,
    case_number_check,
    format_case_number,
    make_case_number,
    parse_case_number,
)

CANON = "62010210100320260001234"
DISPLAY = "620102101-003-2026-000123-4"


def _weighted_check(first22: str) -> str:
    """Independent MOD 11-2: weights 2**(23-i) mod 11, check c with S + c ≡ 1 (mod 11)."""
    s = sum(int(d) * pow(2, 22 - i, 11) for i, d in enumerate(first22))
    c = (12 - s % 11) % 11
    return "X" if c == 10 else str(c)


def test_make_and_format_example() -> None:
    assert make_case_number("620102101", "003", 2026, 123) == CANON
    assert len(CANON) == 23
    assert format_case_number(CANON) == DISPLAY
    assert _weighted_check(CANON[:22]) == "4"


@pytest.mark.parametrize("text", [CANON, DISPLAY, f"  {DISPLAY} ", "６２０１０２１０１－００３－２０２６－０００１２３－４"])
def test_parse_accepts_both_forms(text: str) -> None:
    n = parse_case_number(text)
    assert n == CaseNumber("620102101", "003", 2026, 123, "4")
    assert n.canonical == CANON
    assert n.display == DISPLAY
    assert str(n) == DISPLAY


def test_x_check_character_and_lower_case() -> None:
    # find a sequence whose check character is X
    for seq in range(1, 100):
        n = make_case_number("620102101", "003", 2026, seq)
        if n.endswith("X"):
            break
    else:  # pragma: no cover - one in eleven sequences ends in X
        pytest.fail("no X found")
    assert parse_case_number(n.lower()).check == "X"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("62010210", "003", 2026, 1), "township"),
        (("6201021011", "003", 2026, 1), "township"),
        (("62010210a", "003", 2026, 1), "township"),
        (("020102101", "003", 2026, 1), "township"),
        (("620102101", "03", 2026, 1), "device"),
        (("620102101", "0a3", 2026, 1), "device"),
        (("620102101", "003", 1999, 1), "year"),
        (("620102101", "003", 10000, 1), "year"),
        (("620102101", "003", 2026, 0), "sequence"),
        (("620102101", "003", 2026, 1_000_000), "sequence"),
        (("620102101", "003", 2026, True), "sequence"),
    ],
)
def test_make_rejects_bad_parts(args: tuple, code: str) -> None:
    with pytest.raises(CaseNumberError) as exc:
        make_case_number(*args)
    assert exc.value.code == code
    assert exc.value.message and str(exc.value) == exc.value.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("---", "empty"),
        (CANON[:-1], "length"),
        (CANON + "1", "length"),
        (CANON[:-1] + "Y", "chars"),
        ("A" + CANON[1:], "chars"),
        (CANON[:-1] + "5", "checksum"),
        (DISPLAY.replace("000123", "000132"), "checksum"),  # swapped adjacent digits
    ],
)
def test_parse_rejects(text: str, code: str) -> None:
    with pytest.raises(CaseNumberError) as exc:
        parse_case_number(text)
    assert exc.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_parse_rejects_zero_sequence_even_with_right_check() -> None:
    first22 = "620102101003" + "2026" + "000000"
    with pytest.raises(CaseNumberError) as exc:
        parse_case_number(first22 + case_number_check(first22))
    assert exc.value.code == "sequence"


def test_format_rejects_invalid() -> None:
    with pytest.raises(CaseNumberError):
        format_case_number(CANON[:-1] + "0")


townships = st.from_regex(r"[1-9][0-9]{8}", fullmatch=True)
devices = st.from_regex(r"[0-9]{3}", fullmatch=True)
years = st.integers(2000, 9999)
sequences = st.integers(1, 999_999)
parts = st.tuples(townships, devices, years, sequences)


@given(parts)
def test_round_trip(p: tuple[str, str, int, int]) -> None:
    canonical = make_case_number(*p)
    assert len(canonical) == 23
    assert canonical[-1] == _weighted_check(canonical[:22])
    for text in (canonical, format_case_number(canonical)):
        parsed = parse_case_number(text)
        assert (parsed.township_code, parsed.device_code, parsed.year, parsed.sequence) == p
        assert parsed.canonical == canonical


@settings(max_examples=300)
@given(parts, st.integers(0, 22), st.sampled_from("0123456789X"))
def test_any_single_change_is_detected(p: tuple[str, str, int, int], pos: int, new: str) -> None:
    canonical = make_case_number(*p)
    if canonical[pos] == new:
        new = "0123456789X"[("0123456789X".index(new) + 1) % 11]
    mutated = canonical[:pos] + new + canonical[pos + 1:]
    with pytest.raises(CaseNumberError):
        parse_case_number(mutated)
    if pos < 22 and new != "X":
        # the check character alone catches it
        assert case_number_check(mutated[:22]) != canonical[22]


@given(parts, st.integers(0, 21))
def test_adjacent_transposition_is_detected(p: tuple[str, str, int, int], pos: int) -> None:
    canonical = make_case_number(*p)
    a, b = canonical[pos], canonical[pos + 1]
    if a == b:
        return
    swapped = canonical[:pos] + b + a + canonical[pos + 2:]
    with pytest.raises(CaseNumberError):
        parse_case_number(swapped)


@given(parts, parts)
def test_different_devices_never_collide(p1: tuple[str, str, int, int], p2: tuple[str, str, int, int]) -> None:
    # Different (township, device) pairs can never produce the same number,
    # whatever their years and sequences.
    if (p1[0], p1[1]) != (p2[0], p2[1]):
        assert make_case_number(*p1) != make_case_number(*p2)
    # and the number is a function of its parts alone (injective)
    assert (make_case_number(*p1) == make_case_number(*p2)) == (p1 == p2)


@given(townships, st.lists(devices, min_size=2, max_size=5, unique=True), years,
       st.lists(sequences, min_size=1, max_size=30, unique=True))
def test_device_number_spaces_are_disjoint(township: str, devs: list[str], year: int, seqs: list[int]) -> None:
    spaces = [{make_case_number(township, d, year, s) for s in seqs} for d in devs]
    union = set().union(*spaces)
    assert len(union) == len(devs) * len(seqs)


@given(st.text(max_size=40))
def test_arbitrary_text_only_raises_case_number_error(text: str) -> None:
    try:
        parse_case_number(text)
    except CaseNumberError:
        pass
