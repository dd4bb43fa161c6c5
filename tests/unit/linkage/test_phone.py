"""Phones: digits in every writing, 市外局番 present or not, and the levels."""

from __future__ import annotations

import pytest

from linkage.phone import PhoneLevel, compare_phones, normalise_phone


@pytest.mark.parametrize(
    "text",
    ["0599-25-1234", "0599251234", "(0599)25-1234", "0599(25)1234", "０５９９－２５－１２３４", "0599 25 1234",
     "+81-599-25-1234", "+81 (0)599-25-1234", "TEL 0599-25-1234", "0599-25-1234 内線12", "0599‐25‐1234"],
)  # fmt: skip
def test_landline_writings(text: str) -> None:
    p = normalise_phone(text)
    assert (p.digits, p.local, p.kind) == ("0599251234", "251234", "landline")


@pytest.mark.parametrize(
    "text", ["090-1234-5678", "09012345678", "+81 90 1234 5678", "８１９０１２３４５６７８"]
)
def test_mobiles(text: str) -> None:
    p = normalise_phone(text)
    assert (p.digits, p.kind) == ("09012345678", "mobile")


def test_several_numbers_in_one_cell() -> None:
    for text in (
        "0599-25-1234 / 090-1111-2222",
        "自宅 0599-25-1234、携帯 090-1111-2222",
        "0599-25-1234 または 090-1111-2222",
    ):
        assert normalise_phone(text).digits == "0599251234"
    assert normalise_phone("0599-25-1234（自宅）").digits == "0599251234"


def test_kinds_and_local_numbers() -> None:
    assert normalise_phone("050-1234-5678").kind == "ip"
    assert normalise_phone("0120-123-456").kind == "freephone"
    local = normalise_phone("25-1234")
    assert (local.digits, local.kind, local.full) == ("251234", "local", None)
    assert normalise_phone("03-1234-5678").kind == "landline"


@pytest.mark.parametrize("bad", [None, "", "なし", "12", "123456789012345", "0123"])
def test_not_a_phone(bad: str | None) -> None:
    assert normalise_phone(bad).missing


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("0599-25-1234", "(0599)251234", PhoneLevel.EXACT),
        ("0599-25-1234", "25-1234", PhoneLevel.LOCAL_NUMBER),
        ("0599-25-1234", "0598-25-1234", PhoneLevel.DIFFERENT),  # same local number, other area
        ("0599-25-1234", "25-1235", PhoneLevel.DIFFERENT),
        ("0599-25-1234", "", PhoneLevel.MISSING),
    ],
)
def test_levels(a: str, b: str, level: PhoneLevel) -> None:
    pa, pb = normalise_phone(a), normalise_phone(b)
    assert compare_phones(pa, pb) is level
    assert compare_phones(pb, pa) is level
