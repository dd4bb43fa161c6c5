"""From a list row to the normalised columns the model compares (one flat row per record).

A list's own headers are mapped to the fields the model knows by :data:`HEADER_ALIASES` (ケース番号, 受給者証番号,
管理番号 … → ``case_id``; 氏名, 相談者氏名 … → ``name``); :func:`record_features` then normalises each field with
the comparators' own normalisers, so the model and :mod:`linkage.compare` see the same values.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from linkage.address import normalise_address
from linkage.dates import BirthDate, DateParseError, birth_year_from_age, parse_date
from linkage.names import Name, normalise_name
from linkage.phone import normalise_phone
from linkage.text import nfkc

__all__ = [
    "FEATURE_COLUMNS",
    "FIELDS",
    "HEADER_ALIASES",
    "RecordFeatures",
    "map_headers",
    "normalise_sex",
    "record_features",
]

FIELDS = ("case_id", "name", "kana", "birth", "age", "sex", "address", "phone", "head")
"""The fields a caseload row may carry (every one but ``case_id`` may be missing)."""

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": (
        "ケース番号", "ケースNo", "受給者証番号", "管理番号", "相談No", "相談番号", "台帳番号", "整理番号",
        "ID", "id", "case_id", "番号", "No",
    ),
    "name": ("氏名", "相談者氏名", "本人氏名", "名前", "氏名(漢字)", "漢字氏名", "利用者氏名", "name"),
    "kana": ("フリガナ", "ふりがな", "カナ氏名", "氏名カナ", "氏名(カナ)", "カナ", "よみがな", "kana"),
    "birth": ("生年月日", "生年月日(和暦)", "生年月日(西暦)", "誕生日", "birth", "birth_date"),
    "age": ("年齢", "age"),
    "sex": ("性別", "sex", "gender"),
    "address": ("住所", "現住所", "住所地", "居住地", "address"),
    "phone": ("電話番号", "電話", "連絡先", "TEL", "tel", "携帯電話", "phone"),
    "head": ("世帯主", "世帯主氏名", "世帯主名", "head"),
}  # fmt: skip


def map_headers(headers: list[str]) -> dict[str, str]:
    """{field: header} for the headers a list has (NFKC, spaces ignored); unknown headers are left out."""
    norm = {"".join(nfkc(h).split()): h for h in headers if h is not None}
    out: dict[str, str] = {}
    for fld, aliases in HEADER_ALIASES.items():
        for a in aliases:
            key = "".join(nfkc(a).split())
            if key in norm:
                out[fld] = norm[key]
                break
    return out


_SEX = {
    "男": "m", "男性": "m", "m": "m", "male": "m", "1": "m", "おとこ": "m",
    "女": "f", "女性": "f", "f": "f", "female": "f", "2": "f", "おんな": "f",
}  # fmt: skip


def normalise_sex(value: object) -> str | None:
    """``m``, ``f`` or ``None`` (empty, 不明, 9 …) from 男/女, 男性/女性, M/F, 1/2 (住基 and JIS X 0303 codes)."""
    if value is None:
        return None
    return _SEX.get(nfkc(str(value)).lower())


@dataclass(frozen=True, slots=True)
class RecordFeatures:
    """What the comparators need of one record, with any problems met while normalising it."""

    name: Name
    birth: BirthDate | None
    sex: str | None
    address: Any
    phone: Any
    problems: tuple[str, ...] = ()


FEATURE_COLUMNS = (
    "unique_id", "source_dataset", "nm_full", "nm_sur", "nm_given", "nm_former", "kn_full", "kn_sur",
    "kn_given", "kn_src", "dob", "dob_y", "dob_m", "dob_d", "sex", "ad_town", "ad_block", "ad_house",
    "ad_dwelling", "ph_digits", "ph_local", "ph_is_local",
)  # fmt: skip
"""The columns of the table the Splink model reads (one row per record)."""


@functools.lru_cache(maxsize=300_000)
def _name(name: str | None, kana: str | None) -> Name:
    return normalise_name(name, kana)


@functools.lru_cache(maxsize=300_000)
def _birth(text: str, reference: dt.date) -> BirthDate | None:
    return parse_date(text, today=reference + dt.timedelta(days=366))


def _clean(v: object) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def record_features(
    row: Mapping[str, object], *, reference: dt.date, default_city: str | None = None
) -> RecordFeatures:
    """Normalise one record given by field (see :data:`FIELDS`). Unreadable values become missing and are
    listed in ``problems`` (Japanese), never guessed."""
    problems: list[str] = []
    name = _name(_clean(row.get("name")), _clean(row.get("kana")))
    birth: BirthDate | None = None
    raw_birth = row.get("birth")
    if isinstance(raw_birth, (dt.date, dt.datetime)):
        raw_birth = raw_birth.isoformat()[:10]
    btxt = _clean(raw_birth)
    if btxt:
        try:
            birth = _birth(btxt, reference)
        except DateParseError as e:
            problems.append(f"生年月日: {e.message_ja}")
    if birth is None and _clean(row.get("age")):
        try:
            birth = birth_year_from_age(_clean(row.get("age")), reference)
        except DateParseError as e:
            problems.append(f"年齢: {e.message_ja}")
    address = normalise_address(_clean(row.get("address")), default_city=default_city)
    phone = normalise_phone(_clean(row.get("phone")))
    return RecordFeatures(
        name=name,
        birth=birth,
        sex=normalise_sex(row.get("sex")),
        address=address,
        phone=phone,
        problems=tuple(problems),
    )


def feature_row(uid: str, source: str, f: RecordFeatures) -> dict[str, Any]:
    """The model's row (:data:`FEATURE_COLUMNS`) for a record's features."""
    n, b, a, p = f.name, f.birth, f.address, f.phone
    return {
        "unique_id": uid,
        "source_dataset": source,
        "nm_full": n.full,
        "nm_sur": n.surname,
        "nm_given": n.given,
        "nm_former": n.former_surname,
        "kn_full": n.kana,
        "kn_sur": n.surname_kana,
        "kn_given": n.given_kana,
        "kn_src": n.kana_source,
        "dob": b.digits if b else None,
        "dob_y": b.year if b else None,
        "dob_m": b.month if b else None,
        "dob_d": b.day if b else None,
        "sex": f.sex,
        "ad_town": a.town_key,
        "ad_block": a.block_key,
        "ad_house": a.house_key,
        "ad_dwelling": a.dwelling_key,
        "ph_digits": p.digits,
        "ph_local": p.local,
        "ph_is_local": p.kind == "local" if p.digits else None,
    }
