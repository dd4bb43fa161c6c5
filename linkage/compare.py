"""Two records compared in Python with exactly the levels of the Splink model (for review pages and tests).

:func:`compare_records` returns, per comparison, the label of the level the model's SQL chooses for the
same pair; ``tests/unit/linkage/test_model.py`` checks the two agree on every pair of a varied set.
"""

from __future__ import annotations

from linkage.dates import compare_dates
from linkage.features import RecordFeatures
from linkage.names import compare_names
from linkage.phone import PhoneLevel, compare_phones

__all__ = ["COMPARISON_LABELS_JA", "compare_records", "same_household"]

COMPARISON_LABELS_JA: dict[str, dict[str, str]] = {
    "name": {
        "missing": "氏名なし",
        "exact": "氏名一致",
        "reading": "読み一致",
        "surname_change": "名のみ一致（姓が変わった可能性）",
        "household_other_member": "同じ世帯の別の人（名が違う）",
        "household_similar_member": "同じ世帯で名が似ている",
        "fuzzy": "氏名が近い",
        "surname_only": "姓のみ一致",
        "different": "氏名不一致",
    },
    "birth": {
        "missing": "生年月日なし",
        "exact": "生年月日一致",
        "day_month_swap": "月と日が入れ替わり",
        "year_off_by_one": "年が1年違い（元号換算の誤りの可能性）",
        "one_digit": "1桁違い",
        "partial_agree": "年（年月）が一致",
        "partial_near": "年が1年違い（年齢から）",
        "different": "生年月日不一致",
    },
    "sex": {"missing": "性別なし", "same": "性別一致", "different": "性別不一致"},
    "contact": {
        "missing": "住所・電話なし",
        "house_and_phone": "住所（番地まで）と電話が一致",
        "house": "住所（番地まで）一致",
        "phone": "電話一致",
        "block": "住所（番まで）一致",
        "town": "町字のみ一致",
        "different": "住所・電話不一致",
    },
}
"""Japanese labels of every level, for people reading a review page."""


def same_household(a: RecordFeatures, b: RecordFeatures) -> bool:
    """The records share a house (町字 and number) or a phone number."""
    ha, hb = a.address.house_key, b.address.house_key
    if ha is not None and ha == hb:
        return True
    return a.phone.digits is not None and a.phone.digits == b.phone.digits


def _contact(a: RecordFeatures, b: RecordFeatures) -> str:
    aa, ab = a.address, b.address
    phone = compare_phones(a.phone, b.phone)
    if (aa.town_key is None or ab.town_key is None) and phone is PhoneLevel.MISSING:
        return "missing"
    phone_ok = phone in (PhoneLevel.EXACT, PhoneLevel.LOCAL_NUMBER)
    house = aa.house_key is not None and aa.house_key == ab.house_key
    if house and phone_ok:
        return "house_and_phone"
    if house:
        return "house"
    if phone_ok:
        return "phone"
    if aa.block_key is not None and aa.block_key == ab.block_key:
        return "block"
    if aa.town_key is not None and aa.town_key == ab.town_key:
        return "town"
    return "different"


def compare_records(a: RecordFeatures, b: RecordFeatures) -> dict[str, str]:
    """{comparison: level label} for name, birth, sex and contact, as the model would choose them."""
    sex = "missing" if a.sex is None or b.sex is None else "same" if a.sex == b.sex else "different"
    return {
        "name": compare_names(a.name, b.name, same_household=same_household(a, b)).value,
        "birth": compare_dates(a.birth, b.birth).value,
        "sex": sex,
        "contact": _contact(a, b),
    }
