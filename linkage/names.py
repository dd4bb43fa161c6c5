"""Personal names: normalisation (氏名 and ふりがな) and the name comparator with its levels.

A name and its reading are one piece of evidence: :func:`compare_names` returns one level for both, and the
Splink model (:mod:`linkage.model`) has one comparison for both with the same levels in the same order.

>>> a = normalise_name("髙橋　和子", "たかはし かずこ")
>>> b = normalise_name("高橋和子")
>>> compare_names(a, b)
<NameLevel.EXACT: 'exact'>
>>> compare_names(normalise_name("ｻｲﾄｳ ﾕｳｺ"), normalise_name("齋藤 裕子", "サイトウ ユウコ"))
<NameLevel.READING: 'reading'>
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from linkage import reading
from linkage.text import fold_kanji, is_kana, kana_key, nfkc

__all__ = [
    "GIVEN_SIMILAR_JW",
    "KANA_FUZZY_JW",
    "Name",
    "NameLevel",
    "compare_names",
    "given_agrees",
    "given_similar",
    "normalise_name",
]

KANA_FUZZY_JW = 0.92
"""Jaro–Winkler on full reading keys from which two names count as a near match."""
GIVEN_SIMILAR_JW = 0.85
"""Jaro–Winkler on given-name reading keys from which two members of one household look alike."""


class NameLevel(StrEnum):
    """Name comparison levels, best first (the order of the Splink comparison)."""

    MISSING = "missing"
    EXACT = "exact"
    READING = "reading"
    SURNAME_CHANGE = "surname_change"
    OTHER_MEMBER = "household_other_member"
    SIMILAR_MEMBER = "household_similar_member"
    FUZZY = "fuzzy"
    SURNAME_ONLY = "surname_only"
    DIFFERENT = "different"


@dataclass(frozen=True, slots=True)
class Name:
    """A normalised name. Kanji fields are folded (:func:`linkage.text.fold_kanji`) without spaces; kana
    fields are reading keys (:func:`linkage.text.kana_key`). ``kana_source`` says where the reading came from:
    ``furigana`` (the list's ふりがな column), ``name`` (the name itself was written in kana) or
    ``dictionary`` (SudachiPy's guess for the kanji)."""

    full: str | None = None
    surname: str | None = None
    given: str | None = None
    kana: str | None = None
    surname_kana: str | None = None
    given_kana: str | None = None
    kana_source: str | None = None
    former_surname: str | None = None

    @property
    def missing(self) -> bool:
        return self.full is None and self.kana is None


_PAREN = re.compile(r"[(\[{【〔]([^)\]}】〕]*)[)\]}】〕]")
_FORMER = re.compile(r"^(?:旧姓|旧)\s*[:：]?\s*(.+)$")
_HONORIFIC = re.compile(r"(?:様|さま|殿|さん|氏)$")
_NOISE = re.compile(r"[*＊※・,、.。'\"]")


def _clean(raw: str) -> tuple[str, str | None, str | None]:
    """NFKC text without honorifics and parentheses; the former surname and the reading if parentheses gave
    them (髙橋 和子（旧姓 田中）, 髙橋 和子（たかはし かずこ）)."""
    s = nfkc(raw)
    former: str | None = None
    paren_kana: str | None = None
    for m in _PAREN.finditer(s):
        inner = m.group(1).strip()
        fm = _FORMER.match(inner)
        if fm:
            former = fm.group(1).strip()
        elif inner and is_kana(inner):
            paren_kana = inner
    s = _PAREN.sub(" ", s)
    s = _NOISE.sub(" ", s)
    s = " ".join(s.split())
    s = _HONORIFIC.sub("", s).strip()
    return s, former, paren_kana


def _split(s: str, *, use_dictionary: bool) -> tuple[str | None, str | None]:
    parts = s.split(" ")
    if len(parts) >= 2:
        return parts[0], "".join(parts[1:])
    if use_dictionary and not is_kana(s):
        hit = reading.split_name(s)
        if hit:
            return hit
    return None, None


@functools.lru_cache(maxsize=300_000)
def _name_side(
    name: str, guess_reading: bool
) -> tuple[str | None, str | None, str | None, str | None, str | None, str | None]:
    """(kanji full, surname, given, former surname, reading from the name, where that reading came from)."""
    s, former, paren_kana = _clean(name)
    if s and is_kana(s):
        return None, None, None, former, s, "name"
    if not s:
        return None, None, None, former, paren_kana, "furigana" if paren_kana else None
    sur, giv = _split(s, use_dictionary=guess_reading)
    full = fold_kanji(s.replace(" ", ""))
    if sur and giv:
        return full, fold_kanji(sur), fold_kanji(giv), former, paren_kana, "furigana" if paren_kana else None
    return full, None, None, former, paren_kana, "furigana" if paren_kana else None


@functools.lru_cache(maxsize=300_000)
def _kana_side(furigana: str) -> tuple[str | None, str | None, str | None]:
    """(reading key, surname key, given key) of a ふりがな cell."""
    f, _, _ = _clean(furigana)
    if not f:
        return None, None, None
    parts = f.split(" ")
    if len(parts) >= 2:
        return kana_key(f), kana_key(parts[0]), kana_key("".join(parts[1:]))
    return kana_key(f), None, None


def normalise_name(name: str | None, furigana: str | None = None, *, guess_reading: bool = True) -> Name:
    """Normalise a 氏名 and its ふりがな (either may be missing, in any width or kana script).

    A name written only in kana is taken as the reading. Without a space between surname and given name the
    split comes from SudachiPy (when ``guess_reading``); so does a reading for a kanji name with no ふりがな.
    ``(旧姓 田中)`` in the name is kept as ``former_surname``, a reading in parentheses is taken as the
    ふりがな; 様/殿 and other decorations are dropped.
    """
    former: str | None = None
    kanji_s = kanji_g = kanji_full = None
    kana_s = kana_g = kana_full = None
    source: str | None = None
    if name and name.strip():
        kanji_full, kanji_s, kanji_g, former, own_kana, own_source = _name_side(name, guess_reading)
        if own_source == "name":
            furigana = furigana if furigana and furigana.strip() else own_kana
            source = "name"
        elif own_kana and not (furigana and furigana.strip()):
            furigana = own_kana
    if furigana and furigana.strip():
        kana_full, kana_s, kana_g = _kana_side(furigana)
        if kana_full:
            source = source or "furigana"
    if kana_full is None and kanji_full is not None and guess_reading:
        if kanji_s and kanji_g:
            rs, rg = reading.guess_reading(kanji_s), reading.guess_reading(kanji_g)
            if rs and rg:
                kana_s, kana_g, kana_full = kana_key(rs), kana_key(rg), kana_key(rs + rg)
        else:
            r = reading.guess_reading(kanji_full)
            kana_full = kana_key(r) if r else None
        source = "dictionary" if kana_full else None
    if kana_full is not None and kana_s is None and kanji_s and guess_reading:
        rs = reading.guess_reading(kanji_s)
        if rs and kana_full.startswith(kana_key(rs)) and len(kana_full) > len(kana_key(rs)):
            kana_s = kana_key(rs)
            kana_g = kana_full[len(kana_s) :]
    return Name(
        full=kanji_full or None,
        surname=kanji_s,
        given=kanji_g,
        kana=kana_full or None,
        surname_kana=kana_s or None,
        given_kana=kana_g or None,
        kana_source=source if kana_full else None,
        former_surname=fold_kanji(former) if former else None,
    )


def _eq(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a == b


def given_agrees(a: Name, b: Name) -> bool:
    """Given names equal in kanji or in reading."""
    return _eq(a.given, b.given) or _eq(a.given_kana, b.given_kana)


def given_similar(a: Name, b: Name) -> bool:
    """Given names alike enough to be one person's with an error (reading JW ≥ :data:`GIVEN_SIMILAR_JW`, or
    one kanji edit in a given name of three or more characters; for unsplit names, the full name near)."""
    if a.given_kana and b.given_kana:
        return JaroWinkler.similarity(a.given_kana, b.given_kana) >= GIVEN_SIMILAR_JW
    if a.given and b.given:
        return max(len(a.given), len(b.given)) >= 3 and DamerauLevenshtein.distance(a.given, b.given) <= 1
    return _full_fuzzy(a, b)


def _full_fuzzy(a: Name, b: Name) -> bool:
    """Near in reading (JW ≥ :data:`KANA_FUZZY_JW`) when both readings are known; else one kanji edit in a
    name of three or more characters (高橋和子/高橋幸子 differ in reading, so they are not near)."""
    if a.kana and b.kana:
        return JaroWinkler.similarity(a.kana, b.kana) >= KANA_FUZZY_JW
    return bool(
        a.full
        and b.full
        and max(len(a.full), len(b.full)) >= 3
        and DamerauLevenshtein.distance(a.full, b.full) <= 1
    )


def compare_names(a: Name, b: Name, *, same_household: bool = False) -> NameLevel:
    """The level of agreement of two names; ``same_household`` when the records share an address or phone.

    Within one household a different given name is another member (spouse, child, twin), never the same
    person with a typo: :attr:`NameLevel.OTHER_MEMBER` (or :attr:`NameLevel.SIMILAR_MEMBER` when the given
    names are alike) carries a fixed, strongly negative weight in the model.
    """
    kanji_ok = a.full is not None and b.full is not None
    kana_ok = a.kana is not None and b.kana is not None
    if not kanji_ok and not kana_ok:
        return NameLevel.MISSING
    if kanji_ok and a.full == b.full:
        return NameLevel.EXACT
    if kana_ok and a.kana == b.kana:
        return NameLevel.READING
    g_agree = given_agrees(a, b)
    sur_known = (a.surname is not None and b.surname is not None) or (
        a.surname_kana is not None and b.surname_kana is not None
    )
    if g_agree and sur_known:
        return NameLevel.SURNAME_CHANGE
    if same_household and not g_agree:
        return NameLevel.SIMILAR_MEMBER if given_similar(a, b) else NameLevel.OTHER_MEMBER
    if _full_fuzzy(a, b):
        return NameLevel.FUZZY
    if _eq(a.surname, b.surname) or _eq(a.surname_kana, b.surname_kana):
        return NameLevel.SURNAME_ONLY
    return NameLevel.DIFFERENT
