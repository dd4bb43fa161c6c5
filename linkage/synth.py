"""Synthetic agency lists with known truth, built from the demo town's people (deterministic per seed).

:func:`generate_lists` takes the people and households that :mod:`loaders.demo` generates and writes up to
seven agency lists, each with its own case ids, column headers, encoding and way of writing names, dates,
addresses and phones, with the error kinds of real lists at the rates of :data:`PROFILES` (documented below),
and the truth (which real person and household each row is).

Where the demo has less than a list needs, the generator adds it deterministically from the person's id:
a full birth date within the demo's birth year, a house number (丁目・番・号, or a flat in a building),
phones, readings (:mod:`linkage.synth_names`), twins (siblings of one birth year are twins with probability
:data:`TWIN_SHARE`), sons named after their father (和夫 → 和也, :data:`JUNIOR_SHARE`) and maiden names.

Error kinds and rates (per row of the lists that have them; sources where there are any, else assumptions):

==========================  =========  ===================================================================
error                       rate       source / reason
==========================  =========  ===================================================================
異体字 registered form       30 %       of people whose surname has a common variant (髙橋, 齋藤, 渡邉, 山﨑,
                                       濵口); lists fed from 住基 keep it, hand-kept lists drop it (assumed)
name in half-width ｶﾅ only   3–8 %      legacy systems with ｶﾅ-only fields (生活保護, 民生委員; assumed)
kanji typo / homophone      1–2 %      (assumed; 裕子→祐子 kind)
reading typo                1–3 %      (assumed; ユウコ→ユーコ, small kana)
surname change              ~1 %       women who married keep the old surname in lists set up earlier;
                                       96 % of couples take the husband's surname (人口動態統計特殊報告
                                       「婚姻に関する統計」, 2016)
birth date missing          2–40 %     見守り台帳 and 相談記録 often record only an age (assumed)
day/month swapped           0.5 %      (assumed; transpositions are the commonest date error in the
                                       record-linkage literature on administrative data)
元号 year off by one         0.5–1 %    lists converting 和暦 by hand (assumed)
one digit mistyped          0.5 %      (assumed)
moved (old address)         2–4 %      (assumed; 住民基本台帳人口移動報告: about 4 % of people move a year)
house number mistyped       1 %        (assumed)
sex code wrong              0.2 %      (assumed; 1/2 or 男/女 swapped at entry)
方書き dropped / added       30–80 %    per list convention
phone without 市外局番       20–60 %    hand-kept lists in a one-area-code town
twins                       ~2 % of    人口動態統計: about 1 % of deliveries are multiple births
                            children
==========================  =========  ===================================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from linkage.synth_names import READINGS, diverse_given, diverse_surname, similar_given

__all__ = [
    "JUNIOR_SHARE",
    "LIST_KEYS",
    "PROFILES",
    "TWIN_SHARE",
    "ListProfile",
    "SynthLists",
    "TruePerson",
    "generate_lists",
    "town_people",
]

REFERENCE_DATE = dt.date(2021, 8, 31)
TWIN_SHARE = 0.35
"""Share of same-birth-year siblings made twins: about 2 % of children, as in 人口動態統計."""
JUNIOR_SHARE = 0.15
"""Share of sons under 50 of a father with a two-kanji name named after him (和夫 → 和也)."""
MAIDEN_SHARE = 0.25
"""Share of married women aged 25–70 whose maiden name some older list still carries."""

ADDRESS_TYPO = 0.01
"""Share of rows with the last house number mistyped (assumed)."""
SEX_ERROR = 0.002
"""Share of rows with the sex code wrong (1/2 or 男/女 swapped at entry; assumed)."""

_VARIANTS = {"高": "髙", "崎": "﨑", "斎": "齋", "辺": "邉", "浜": "濵"}


@dataclass
class TruePerson:
    """One real (synthetic) person as the lists see them."""

    pid: str
    hid: str
    surname: str
    given: str
    surname_kana: str
    given_kana: str
    female: bool
    birth: dt.date
    role: str
    age: int
    registered_surname: str
    maiden: tuple[str, str] | None = None
    care_level: str | None = None
    disability: bool = False
    hikikomori: bool = False
    needs_support: bool = False
    mobile: str | None = None


@dataclass
class TrueHousehold:
    hid: str
    town: str
    numbers: tuple[int, ...]
    building: str | None
    room: str | None
    landline: str | None
    flags: tuple[str, ...]
    members: list[TruePerson] = field(default_factory=list)
    old_town: str = ""
    old_numbers: tuple[int, ...] = ()


@dataclass(frozen=True)
class ListProfile:
    """How one agency writes its list (see the module docstring for the rates)."""

    key: str
    title: str
    agency_kind: str
    encoding: str
    headers: dict[str, str]
    id_prefix: str
    name_sep: tuple[float, float, float] = (0.6, 0.3, 0.1)  # ' ', '　', ''
    registered_form: float = 0.5
    kana_only: float = 0.0
    kanji_typo: float = 0.01
    kana_script: str | None = "kata"
    kana_typo: float = 0.01
    birth_styles: tuple[str, ...] = ("slash",)
    birth_missing: float = 0.02
    birth_swap: float = 0.005
    birth_era_off: float = 0.0
    birth_digit: float = 0.005
    age_only: float = 0.0
    sex_style: str = "kanji"
    sex_missing: float = 0.01
    address_style: str = "city"
    number_styles: tuple[str, ...] = ("hyphen",)
    building_kept: float = 0.7
    address_missing: float = 0.01
    moved: float = 0.02
    phone_kind: str = "landline"
    phone_no_area: float = 0.0
    phone_missing: float = 0.2
    head_column: bool = False
    duplicates: float = 0.0
    maiden_use: float = 0.0
    former_in_name: float = 0.0


PROFILES: dict[str, ListProfile] = {
    p.key: p
    for p in (
        ListProfile(
            "houkatsu",
            "地域包括支援センター ケース一覧",
            "comprehensive_care_center",
            "cp932",
            {
                "case_id": "ケース番号",
                "name": "氏名",
                "kana": "フリガナ",
                "birth": "生年月日",
                "sex": "性別",
                "address": "住所",
                "phone": "電話番号",
                "extra": "介護度",
            },
            "HK",
            registered_form=0.3,
            birth_styles=("wareki_full", "wareki_abbr"),
            birth_era_off=0.008,
            address_style="city",
            number_styles=("kanji_chome", "hyphen"),
            phone_missing=0.1,
            maiden_use=0.1,
        ),
        ListProfile(
            "shougai",
            "障害福祉サービス 受給者台帳",
            "disability_consultation",
            "utf-8",
            {
                "case_id": "受給者証番号",
                "name": "氏名",
                "kana": "ふりがな",
                "birth": "生年月日",
                "sex": "性別",
                "address": "住所",
                "phone": "連絡先",
                "extra": "障害種別",
            },
            "",
            registered_form=0.9,
            kana_script="hira",
            birth_styles=("slash", "dash"),
            sex_style="digit",
            address_style="full",
            number_styles=("hyphen", "long"),
            building_kept=0.9,
            phone_kind="mobile",
            phone_missing=0.25,
            maiden_use=0.4,
        ),
        ListProfile(
            "hogo",
            "生活保護 被保護者名簿",
            "welfare_office",
            "cp932",
            {
                "case_id": "ケース番号",
                "name": "氏名",
                "kana": "カナ氏名",
                "birth": "生年月日",
                "sex": "性別",
                "address": "住所",
                "phone": "電話",
                "head": "世帯主",
                "extra": "続柄",
            },
            "B-",
            registered_form=0.9,
            kana_only=0.05,
            kana_script="half",
            birth_styles=("wareki_abbr", "era_compact"),
            birth_era_off=0.01,
            sex_style="letter",
            address_style="city",
            number_styles=("kansuji", "kanji_chome"),
            phone_kind="either",
            phone_missing=0.3,
            head_column=True,
        ),
        ListProfile(
            "kosodate",
            "子育て世代包括支援センター 支援台帳",
            "child_family_center",
            "utf-8",
            {
                "case_id": "管理番号",
                "name": "氏名",
                "kana": "ふりがな",
                "birth": "生年月日",
                "sex": "性別",
                "address": "住所",
                "phone": "連絡先",
                "extra": "続柄",
            },
            "子-",
            registered_form=0.5,
            kana_script="hira",
            birth_styles=("wareki_abbr", "digits8", "kanji_west"),
            birth_era_off=0.005,
            address_style="city",
            number_styles=("hyphen", "kanji_chome"),
            phone_kind="mobile",
            phone_missing=0.05,
            maiden_use=0.05,
        ),
        ListProfile(
            "shakyo",
            "社会福祉協議会 相談記録",
            "social_welfare_council",
            "cp932",
            {
                "case_id": "相談No",
                "name": "相談者氏名",
                "age": "年齢",
                "birth": "生年月日",
                "sex": "性別",
                "address": "住所",
                "phone": "電話",
                "extra": "相談日",
            },
            "",
            name_sep=(0.3, 0.3, 0.4),
            registered_form=0.1,
            kanji_typo=0.02,
            kana_script=None,
            birth_styles=("kanji_west", "wareki_full", "fullwidth"),
            birth_missing=0.1,
            age_only=0.5,
            sex_missing=0.1,
            address_style="town",
            number_styles=("hyphen", "banchi", "long"),
            building_kept=0.4,
            moved=0.04,
            phone_kind="either",
            phone_no_area=0.5,
            phone_missing=0.3,
            duplicates=0.25,
            maiden_use=0.2,
            former_in_name=0.3,
        ),
        ListProfile(
            "minsei",
            "民生委員 見守り台帳",
            "minsei_iin",
            "cp932",
            {
                "case_id": "台帳番号",
                "name": "氏名",
                "kana": "フリガナ",
                "birth": "生年月日",
                "age": "年齢",
                "address": "住所",
                "phone": "電話",
                "extra": "世帯構成",
            },
            "M",
            name_sep=(0.2, 0.2, 0.6),
            registered_form=0.1,
            kana_only=0.08,
            kanji_typo=0.02,
            kana_typo=0.03,
            birth_styles=("wareki_full", "wareki_kanji1"),
            birth_missing=0.1,
            birth_era_off=0.01,
            age_only=0.35,
            sex_style="none",
            address_style="town",
            number_styles=("banchi", "hyphen", "kansuji"),
            building_kept=0.8,
            moved=0.03,
            phone_no_area=0.6,
            phone_missing=0.2,
        ),
        ListProfile(
            "yougo",
            "避難行動要支援者名簿",
            "disaster_office",
            "utf-8",
            {
                "case_id": "管理番号",
                "name": "氏名",
                "kana": "フリガナ",
                "birth": "生年月日",
                "sex": "性別",
                "address": "住所",
                "phone": "電話番号",
                "head": "世帯主氏名",
            },
            "Y",
            registered_form=0.9,
            birth_styles=("digits8",),
            address_style="full",
            number_styles=("kanji_chome",),
            building_kept=1.0,
            phone_missing=0.15,
            head_column=True,
            maiden_use=0.3,
        ),
    )
}
LIST_KEYS: tuple[str, ...] = tuple(PROFILES)


# ------------------------------------------------------------------ the town's people


def _h(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _u(*parts: object) -> float:
    return (_h(*parts) % 1_000_003) / 1_000_003


def _town_of(settlement: str, key: str) -> str:
    name = settlement.split("(")[0].split("（")[0].strip()
    parts = [p.strip() for p in name.split("・") if p.strip()]
    return parts[_h("town", key) % len(parts)] if parts else name


def town_people(
    town: str = "toba", *, seed: int = 0, households: int | None = None, names: str = "demo"
) -> tuple[list[TrueHousehold], str]:
    """The demo town's households and people, with what lists need added (see the module docstring).

    Returns the households and the town's address prefix (三重県鳥羽市)."""
    from loaders.demo import generate_town, get_spec

    spec = get_spec(town, households)
    hh: dict[str, TrueHousehold] = {}
    people: dict[str, dict[str, Any]] = {}
    roles: dict[str, str] = {}
    address_of: dict[str, str] = {}
    for batch in generate_town(spec, seed=seed, households=households):
        for n in batch.nodes:
            lab = n.label.value
            if lab == "Household":
                address_of[n.id] = str(n.props.get("address", ""))[len(spec.address_prefix) :]
                flags = n.props.get("flags")
                hh[n.id] = TrueHousehold(
                    n.id,
                    "",
                    (),
                    None,
                    None,
                    None,
                    tuple(str(f) for f in flags) if isinstance(flags, list) else (),
                )
            elif lab == "Person":
                people[n.id] = dict(n.props)
        for r in batch.rels:
            if r.type.value == "MEMBER_OF":
                roles[r.src.id] = str(r.props.get("role", ""))
    prefix = spec.address_prefix
    # addresses: a house number per household; flats in the larger settlements
    per_town: dict[str, int] = {}
    for hid, h in hh.items():
        town_name = _town_of(address_of[hid], hid)
        h.town = town_name
        k = per_town.get(town_name, 0)
        per_town[town_name] = k + 1
        flat = _u("flat", seed, hid) < 0.12
        if flat:
            bno = k // 8
            h.numbers = (
                (1 + bno % 5, 1 + (bno // 5) % 30, 1 + bno % 17)
                if _u("chome", town_name) < 0.5
                else (100 + bno,)
            )
            h.building = ("コーポ", "ハイツ", "メゾン", "グリーンハイム")[bno % 4] + town_name[:2]
            h.room = str(100 * (1 + k % 3) + 1 + (k // 3) % 4)
        else:
            h.numbers = (
                (1 + k % 5, 1 + (k // 5) % 30, 1 + (k // 150) % 25)
                if _u("chome", town_name) < 0.5
                else (1 + k, *((1 + k % 7,) if _u("eda", hid) < 0.3 else ()))
            )
        if _u("landline", seed, hid) < 0.7:
            h.landline = f"0599-{20 + _h('ll1', hid) % 60:02d}-{_h('ll2', hid) % 10000:04d}"
        h.old_town = _town_of(address_of[hid], hid + "old")
        h.old_numbers = (1 + _h("old", hid) % 5, 1 + _h("old2", hid) % 30)
    # people
    for pid, p in people.items():
        hid = str(p["household_id"])
        h = hh[hid]
        sur, giv = str(p["name"]).split(" ", 1)
        female = p.get("sex") == "female"
        if names == "diverse":
            sur, sur_k = diverse_surname(f"{seed}|{hid}")
            if _u("demo-given", pid) < 0.3:
                giv_k = READINGS.get(giv, "")
            else:
                giv, giv_k = diverse_given(f"{seed}|{pid}", female)
        else:
            sur_k, giv_k = READINGS.get(sur, ""), READINGS.get(giv, "")
        if not sur_k or not giv_k:
            from linkage.reading import guess_reading

            sur_k = sur_k or guess_reading(sur) or ""
            giv_k = giv_k or guess_reading(giv) or ""
        by = int(p["birth_year"])
        doy = _h("doy", seed, pid) % (366 if by % 4 == 0 else 365)
        birth = dt.date(by, 1, 1) + dt.timedelta(days=doy)
        registered = sur
        for a, b in _VARIANTS.items():
            if a in sur and _u("variant", seed, hid) < 0.3:
                registered = sur.replace(a, b)
        person = TruePerson(
            pid=pid,
            hid=hid,
            surname=sur,
            given=giv,
            surname_kana=sur_k,
            given_kana=giv_k,
            female=female,
            birth=birth,
            role=roles.get(pid, ""),
            age=REFERENCE_DATE.year - by,
            registered_surname=registered,
            care_level=p.get("care_level"),
            disability=bool(p.get("disability")),
            hikikomori=bool(p.get("hikikomori")),
            needs_support=bool(p.get("needs_support")),
        )
        if person.age >= 15 and _u("mobile", seed, pid) < (0.85 if person.age < 70 else 0.45):
            person.mobile = f"090-{_h('m1', pid) % 10000:04d}-{_h('m2', pid) % 10000:04d}"
        h.members.append(person)
    for h in hh.values():
        _family_hazards(h, seed)
    return list(hh.values()), prefix


def _family_hazards(h: TrueHousehold, seed: int) -> None:
    """Twins, sons named after their father, maiden names."""
    kids = [m for m in h.members if m.role == "子"]
    by_year: dict[int, list[TruePerson]] = {}
    for k in kids:
        by_year.setdefault(k.birth.year, []).append(k)
    for same in by_year.values():
        for other in same[1:]:
            if _u("twin", seed, other.pid) < TWIN_SHARE:
                other.birth = same[0].birth
    father = next((m for m in h.members if m.role in ("世帯主", "親") and not m.female), None)
    if father is not None:
        for k in kids:
            if not k.female and k.age < 50 and _u("junior", seed, k.pid) < JUNIOR_SHARE:
                hit = similar_given(father.given, k.pid)
                if hit:
                    k.given, k.given_kana = hit
    for m in h.members:
        if m.female and m.role == "配偶者" and 25 <= m.age <= 70 and _u("maiden", seed, m.pid) < MAIDEN_SHARE:
            m.maiden = diverse_surname(f"maiden|{m.pid}")


# ------------------------------------------------------------------ who is on which list


def _eligible(key: str, p: TruePerson, h: TrueHousehold, u: float) -> bool:
    flags = set(h.flags)
    if key == "houkatsu":
        return p.age >= 65 and (p.care_level is not None or p.needs_support or u < 0.08)
    if key == "shougai":
        return p.disability and u < 0.6
    if key == "hogo":
        return "public_assistance" in flags
    if key == "kosodate":
        young = any(m.age < 6 for m in h.members)
        if "single_parent" in flags and u < 0.5:
            return p.age < 18 or p.role == "世帯主"
        return young and u < 0.7 and (p.age < 6 or p.role in ("世帯主", "配偶者"))
    if key == "shakyo":
        risky = flags & {"hikikomori_member", "hoarding", "eighty_fifty", "public_assistance"}
        return p.age >= 18 and (u < 0.03 or (bool(risky) and u < 0.35))
    if key == "minsei":
        alone = "single_elderly" in flags or "elderly_couple" in flags
        return p.age >= 70 and (alone or p.needs_support) and u < 0.6
    if key == "yougo":
        severe = p.care_level in ("要介護3", "要介護4", "要介護5")
        return severe or (p.age >= 75 and "single_elderly" in flags) or (p.disability and u < 0.3)
    raise KeyError(key)


# ------------------------------------------------------------------ writing conventions

_ERA: tuple[tuple[str, str, int, dt.date], ...] = (
    ("令和", "R", 2019, dt.date(2019, 5, 1)),
    ("平成", "H", 1989, dt.date(1989, 1, 8)),
    ("昭和", "S", 1926, dt.date(1926, 12, 25)),
    ("大正", "T", 1912, dt.date(1912, 7, 30)),
    ("明治", "M", 1868, dt.date(1868, 1, 25)),
)
_FW = str.maketrans("0123456789", "０１２３４５６７８９")
_KANSUJI = "〇一二三四五六七八九"


def _kansuji(n: int) -> str:
    if n < 10:
        return _KANSUJI[n]
    if n < 100:
        t, o = divmod(n, 10)
        return ("" if t == 1 else _KANSUJI[t]) + "十" + (_KANSUJI[o] if o else "")
    return "".join(_KANSUJI[int(c)] for c in str(n))


def _wareki(y: int, m: int, d: int, off: int = 0) -> tuple[str, str, int]:
    date = dt.date(y, m, d)
    for name, letter, start_year, start in _ERA:
        if date >= start:
            return name, letter, y - start_year + 1 + off
    return "明治", "M", y - 1868 + 1 + off


def _write_date(style: str, y: int, m: int, d: int, era_off: int) -> str:
    if style.startswith("wareki") or style == "era_compact":
        name, letter, ey = _wareki(y, m, d, era_off)
        eys = "元" if ey == 1 and style == "wareki_full" else str(ey)
        if style == "wareki_full":
            return f"{name}{eys}年{m}月{d}日"
        if style == "wareki_kanji1":
            return f"{name[0]}{ey}.{m}.{d}"
        if style == "era_compact":
            return f"{letter}{ey:02d}{m:02d}{d:02d}"
        return f"{letter}{ey}.{m:02d}.{d:02d}"
    if style == "slash":
        return f"{y}/{m:02d}/{d:02d}"
    if style == "dash":
        return f"{y}-{m}-{d}"
    if style == "digits8":
        return f"{y}{m:02d}{d:02d}"
    if style == "kanji_west":
        return f"{y}年{m}月{d}日"
    if style == "fullwidth":
        return f"{y}年{m}月{d}日".translate(_FW)
    raise ValueError(style)


def _write_numbers(style: str, nums: tuple[int, ...]) -> str:
    if not nums:
        return ""
    if style == "hyphen":
        return "-".join(map(str, nums))
    if style == "long":
        return "ー".join(map(str, nums))
    if style == "banchi":
        return f"{nums[0]}番地" + ("".join(f"の{n}" for n in nums[1:]) if len(nums) > 1 else "")
    if style in ("kanji_chome", "kansuji"):
        f = _kansuji if style == "kansuji" else str
        if len(nums) == 3:
            return f"{f(nums[0])}丁目{f(nums[1])}番{f(nums[2])}号"
        if len(nums) == 2:
            return f"{f(nums[0])}番地{f(nums[1])}"
        return f"{f(nums[0])}番地"
    raise ValueError(style)


_HALF = str.maketrans(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォッャュョー",
    "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｯｬｭｮｰ",
)


def _half_kana(s: str) -> str:
    import unicodedata

    out = []
    for ch in s:
        dec = unicodedata.normalize("NFD", ch)
        base = dec[0].translate(_HALF)
        if len(dec) > 1:
            base += "ﾞ" if dec[1] == "\u3099" else "ﾟ"
        out.append(base)
    return "".join(out)


def _hira(s: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in s)


_TYPO_KANJI = {"裕": "祐", "子": "了", "和": "知", "美": "実", "恵": "惠", "幸": "辛", "弘": "宏", "博": "傳"}
_TYPO_KANJI.update({"健": "建", "浩": "告", "誠": "成", "真": "眞", "智": "知", "明": "朋", "正": "政"})


def _kanji_typo(s: str, u: float) -> str:
    idx = [i for i, c in enumerate(s) if c in _TYPO_KANJI]
    if not idx:
        return s
    i = idx[int(u * len(idx)) % len(idx)]
    return s[:i] + _TYPO_KANJI[s[i]] + s[i + 1 :]


def _kana_typo(s: str, u: float) -> str:
    for a, b in (("ウ", "ー"), ("ョ", "ヨ"), ("ュ", "ユ"), ("ッ", "ツ"), ("イ", "ー")):
        if a in s and u < 0.8:
            return s.replace(a, b, 1)
    return s[:-1] if len(s) > 3 else s


# ------------------------------------------------------------------ the lists


@dataclass
class SynthLists:
    """The generated lists (rows keyed by each list's own headers) and the truth."""

    rows: dict[str, list[dict[str, str]]]
    truth: list[dict[str, str]]
    prefix: str
    households: int
    persons: int

    @property
    def n_records(self) -> int:
        return sum(len(r) for r in self.rows.values())

    def write(self, directory: Path) -> dict[str, Path]:
        """Write one CSV per list in its own encoding and ``truth.csv``; returns the paths."""
        directory.mkdir(parents=True, exist_ok=True)
        out: dict[str, Path] = {}
        for key, rows in self.rows.items():
            prof = PROFILES[key]
            path = directory / f"{key}.csv"
            headers = list(rows[0]) if rows else list(prof.headers.values())
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=headers, lineterminator="\r\n")
            w.writeheader()
            w.writerows(rows)
            path.write_bytes(buf.getvalue().encode(prof.encoding))
            out[key] = path
        tpath = directory / "truth.csv"
        with tpath.open("w", encoding="utf-8", newline="") as f:
            tw = csv.DictWriter(f, fieldnames=["list", "case_id", "person_id", "household_id"])
            tw.writeheader()
            tw.writerows(self.truth)
        out["truth"] = tpath
        return out

    def digest(self) -> str:
        h = hashlib.sha256()
        for key in sorted(self.rows):
            for r in self.rows[key]:
                h.update(repr(sorted(r.items())).encode())
        return h.hexdigest()


def generate_lists(
    town: str = "toba",
    *,
    seed: int = 0,
    households: int | None = None,
    lists: Sequence[str] = LIST_KEYS,
    names: str = "demo",
    broad: float | None = None,
) -> SynthLists:
    """Generate agency lists from a demo town (deterministic per arguments).

    ``broad``: instead of each list's eligibility (elderly with care needs, disability, 生活保護 …), put each
    person on each list with this probability: a scale test, not a realistic town. ``names="diverse"`` uses the
    wider name pool of :mod:`linkage.synth_names` (for city-sized towns)."""
    unknown = [k for k in lists if k not in PROFILES]
    if unknown:
        raise KeyError(f"unknown lists: {unknown}; choose from {list(LIST_KEYS)}")
    hhs, prefix = town_people(town, seed=seed, households=households, names=names)
    rows: dict[str, list[dict[str, str]]] = {}
    truth: list[dict[str, str]] = []
    n_persons = sum(len(h.members) for h in hhs)
    for key in lists:
        prof = PROFILES[key]
        rng = np.random.default_rng([seed, zlib.crc32(key.encode())])
        out: list[dict[str, str]] = []
        serial = 0
        for h in hhs:
            head = next((m for m in h.members if m.role == "世帯主"), h.members[0])
            for p in h.members:
                u = _u("elig", seed, key, p.pid)
                if broad is not None:
                    if u >= broad:
                        continue
                elif not _eligible(key, p, h, u):
                    continue
                copies = 1 + (1 if rng.random() < prof.duplicates else 0)
                for _ in range(copies):
                    serial += 1
                    case_id = _case_id(prof, serial, rng)
                    out.append(_row(prof, p, h, head, prefix, case_id, rng))
                    truth.append({"list": key, "case_id": case_id, "person_id": p.pid, "household_id": h.hid})
        rows[key] = out
    return SynthLists(rows=rows, truth=truth, prefix=prefix, households=len(hhs), persons=n_persons)


def _case_id(prof: ListProfile, serial: int, rng: np.random.Generator) -> str:
    if prof.key == "shougai":
        return f"24{serial:08d}"
    if prof.key == "shakyo":
        return f"R3-{serial:05d}"
    return f"{prof.id_prefix}{serial:06d}"


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _row(
    prof: ListProfile,
    p: TruePerson,
    h: TrueHousehold,
    head: TruePerson,
    prefix: str,
    case_id: str,
    rng: np.random.Generator,
) -> dict[str, str]:
    r = rng.random(24)
    H = prof.headers
    row: dict[str, str] = {H["case_id"]: case_id}
    # name
    surname = p.registered_surname if r[0] < prof.registered_form else p.surname
    sur_k = p.surname_kana
    former = ""
    if p.maiden and r[1] < prof.maiden_use:
        surname, sur_k = p.maiden
    elif p.maiden and r[1] < prof.maiden_use + prof.former_in_name:
        former = f"（旧姓 {p.maiden[0]}）"
    given = _kanji_typo(p.given, r[2] / prof.kanji_typo) if r[2] < prof.kanji_typo else p.given
    sep = (" ", "　", "")[int(np.searchsorted(np.cumsum(prof.name_sep), r[3] * sum(prof.name_sep)))]
    kana = f"{sur_k} {p.given_kana}"
    if r[4] < prof.kana_typo:
        kana = f"{sur_k} {_kana_typo(p.given_kana, r[5])}"
    if r[6] < prof.kana_only:
        row[H["name"]] = _half_kana(kana)
    else:
        row[H["name"]] = f"{surname}{sep}{given}{former}"
    if "kana" in H:
        if prof.kana_script == "hira":
            row[H["kana"]] = _hira(kana)
        elif prof.kana_script == "half":
            row[H["kana"]] = _half_kana(kana)
        else:
            row[H["kana"]] = kana
    # birth date
    b = p.birth
    y, m, d = b.year, b.month, b.day
    era_off = 0
    if r[7] < prof.birth_swap and d <= 12 and d != m:
        m, d = d, m
    elif r[7] < prof.birth_swap + prof.birth_era_off:
        era_off = 1 if r[8] < 0.5 else -1
    elif r[7] < prof.birth_swap + prof.birth_era_off + prof.birth_digit:
        d = d + 1 if d < 28 else d - 10
    style = _pick(rng, prof.birth_styles)
    if era_off and not (style.startswith("wareki") or style == "era_compact"):
        y += era_off
        era_off = 0
    birth = _write_date(style, y, m, d, era_off)
    age_only = r[9] < prof.age_only
    if r[10] < prof.birth_missing or age_only:
        birth = ""
    if "birth" in H:
        row[H["birth"]] = birth
    if "age" in H:
        row[H["age"]] = f"{p.age}" if (age_only or r[11] < 0.5) else ""
    # sex
    if "sex" in H:
        sx = {"kanji": ("女", "男"), "digit": ("2", "1"), "letter": ("F", "M")}.get(prof.sex_style, ("", ""))
        female = p.female if r[21] >= SEX_ERROR else not p.female
        row[H["sex"]] = "" if r[12] < prof.sex_missing else sx[0] if female else sx[1]
    # address
    town, nums = h.town, h.numbers
    if r[13] < prof.moved:
        town, nums = h.old_town, h.old_numbers
    if nums and r[22] < ADDRESS_TYPO:
        nums = (*nums[:-1], nums[-1] + 1)
    addr = town + _write_numbers(_pick(rng, prof.number_styles), nums)
    if h.building and r[14] < prof.building_kept and nums[:-1] == h.numbers[:-1]:
        addr += (" " if r[15] < 0.5 else "") + h.building + (f"{h.room}号室" if r[15] < 0.7 else f" {h.room}")
    if prof.address_style == "full":
        addr = prefix + addr
    elif prof.address_style == "city":
        addr = prefix.split("県", 1)[-1] + addr
    row[H["address"]] = "" if r[16] < prof.address_missing else addr
    # phone
    phone = None
    if prof.phone_kind == "landline":
        phone = h.landline or p.mobile
    elif prof.phone_kind == "mobile":
        phone = p.mobile or h.landline
    else:
        phone = (h.landline or p.mobile) if r[17] < 0.5 else (p.mobile or h.landline)
    if phone and phone.startswith("0599") and r[18] < prof.phone_no_area:
        phone = phone[5:]
    if phone and r[19] < 0.2:
        phone = phone.replace("-", "")
    elif phone and r[19] < 0.3:
        phone = phone.translate(_FW)
    row[H["phone"]] = "" if (phone is None or r[20] < prof.phone_missing) else phone
    if "head" in H:
        row[H["head"]] = f"{head.surname} {head.given}"
    if "extra" in H:
        row[H["extra"]] = _extra(prof.key, p, rng)
    return row


def _extra(key: str, p: TruePerson, rng: np.random.Generator) -> str:
    if key == "houkatsu":
        return p.care_level or "事業対象者"
    if key == "shougai":
        return _pick(rng, ("身体", "知的", "精神", "難病"))
    if key in ("hogo", "kosodate"):
        return {"世帯主": "世帯主", "配偶者": "妻" if p.female else "夫", "子": "子", "親": "父母"}.get(
            p.role, ""
        )
    if key == "shakyo":
        return f"2021/{1 + int(rng.integers(8)):02d}/{1 + int(rng.integers(28)):02d}"
    if key == "minsei":
        return _pick(rng, ("独居", "高齢夫婦", "その他"))
    return ""


def truth_pairs(truth: Iterable[dict[str, str]], key: str = "person_id") -> set[tuple[str, str]]:
    """Record-id pairs (``list:case_id``, sorted) that the truth says belong together."""
    groups: dict[str, list[str]] = {}
    for t in truth:
        groups.setdefault(t[key], []).append(f"{t['list']}:{t['case_id']}")
    out: set[tuple[str, str]] = set()
    for ids in groups.values():
        ids.sort()
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                out.add((ids[i], ids[j]))
    return out
