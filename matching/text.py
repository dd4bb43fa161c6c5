"""Japanese free text for matching: NFKC normalisation, clause splitting and polarity.

A person's free text mixes what they can and like to do with what they cannot do:
「調理経験あり、長時間の立ち仕事は困難」. Matching must reward the first clause and never the second, so
text is cut into clauses (at punctuation, and at the conjunctions ので / けど / けれど / が、 / から、) and every
clause that carries a limit marker (困難, 苦手, できない, 不安 …) goes to the *negative* side. A clause that
holds both a positive statement and a limit without punctuation (「調理経験あり長時間の立ち仕事は困難」) is cut
once more after a positive predicate (あり, 得意, 好き, できる).

Opening texts use the same machinery with absence markers (なし, 不要, ありません) so that
「立ち仕事なし」 does not count as needing standing work.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "OPENING_ABSENCE_MARKERS",
    "PERSON_LIMIT_MARKERS",
    "Polarity",
    "normalize",
    "split_clauses",
    "split_polarity",
]

PERSON_LIMIT_MARKERS: tuple[str, ...] = (
    "困難",
    "苦手",
    "できない",
    "出来ない",
    "できません",
    "出来ません",
    "無理",
    "不安",
    "難しい",
    "むずかしい",
    "避けたい",
    "控えたい",
    "やめたい",
    "したくない",
    "不可",
    "禁止",
    "止められ",
    "つらい",
    "辛い",
    "しんどい",
    "怖い",
    "こわい",
    "嫌い",
    "いやだ",
    "NG",
)
"""Markers that put a clause of a person's text on the negative side (what the person cannot or will not do)."""

OPENING_ABSENCE_MARKERS: tuple[str, ...] = ("なし", "無し", "不要", "ありません", "しません", "ない", "不問")
"""Markers that say an opening does *not* involve something (「立ち仕事なし」「経験不要」)."""

# Clause boundaries: punctuation, line breaks, and conjunctions that join a reason or a contrast.
_BOUNDARY = re.compile(
    r"[。、,，;；!！?？\n\r・/]+|(?<=ので)|(?<=けれども)|(?<=けれど)|(?<=けど)|(?<=から、)|(?<=が、)"
)
# A positive predicate after which a new statement starts inside one clause (「調理経験あり長時間の…は困難」).
_POSITIVE_END = re.compile(
    r"(?<=あり)|(?<=あります)|(?<=得意)|(?<=好き)|(?<=できる)|(?<=できます)|(?<=経験者)"
)


def normalize(text: str | None) -> str:
    """NFKC-normalise (full-width letters and digits → ASCII, half-width kana → full-width), casefold Latin,
    collapse whitespace.

    >>> normalize("ＰＣ　入力 ｶﾌｪ")
    'pc 入力 カフェ'
    """
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", t).strip()


def split_clauses(text: str | None) -> list[str]:
    """Cut normalised text into clauses.

    >>> split_clauses("人と話すのは苦手だけど、絵を描くのは好き")
    ['人と話すのは苦手だけど', '絵を描くのは好き']
    """
    t = normalize(text)
    return [c.strip() for c in _BOUNDARY.split(t) if c and c.strip()]


@dataclass(frozen=True)
class Polarity:
    """Text split by polarity: ``positive`` clauses (may count as a match) and ``negative`` ones (limits)."""

    positive: tuple[str, ...]
    negative: tuple[str, ...]

    @property
    def positive_text(self) -> str:
        return "。".join(self.positive)

    @property
    def negative_text(self) -> str:
        return "。".join(self.negative)


# Words that contain a marker without meaning it (「立ちっぱなし」 holds なし, 「少ない」 holds ない).
_FALSE_MARKERS: tuple[str, ...] = ("っぱなし", "ぱなし", "少ない", "危ない", "間違いない")


@lru_cache(maxsize=64)
def _marker_re(markers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(normalize(m)) for m in sorted(markers, key=len, reverse=True)))


def _has_marker(clause: str, markers: tuple[str, ...]) -> bool:
    for word in _FALSE_MARKERS:
        clause = clause.replace(word, "＿" * len(word))
    return _marker_re(markers).search(clause) is not None


@lru_cache(maxsize=65536)
def _split_polarity(text: str, markers: tuple[str, ...]) -> Polarity:
    pos: list[str] = []
    neg: list[str] = []
    for clause in split_clauses(text):
        if not _has_marker(clause, markers):
            pos.append(clause)
            continue
        # A negative clause may still begin with a positive statement: cut after positive predicates and
        # keep on the negative side only the parts that carry the marker.
        parts = [p for p in _POSITIVE_END.split(clause) if p.strip()]
        for part in parts:
            (neg if _has_marker(part, markers) else pos).append(part.strip())
    return Polarity(tuple(pos), tuple(neg))


def split_polarity(text: str | None, *, side: str = "person") -> Polarity:
    """Split text into positive and negative clauses.

    ``side="person"`` uses :data:`PERSON_LIMIT_MARKERS`; ``side="opening"`` uses :data:`OPENING_ABSENCE_MARKERS`.

    >>> p = split_polarity("調理経験あり、長時間の立ち仕事は困難")
    >>> p.positive, p.negative
    (('調理経験あり',), ('長時間の立ち仕事は困難',))
    >>> split_polarity("足が悪いので立ち仕事はできない").negative
    ('立ち仕事はできない',)
    """
    markers = PERSON_LIMIT_MARKERS if side == "person" else OPENING_ABSENCE_MARKERS
    return _split_polarity(text or "", markers)
