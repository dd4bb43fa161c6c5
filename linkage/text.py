"""Japanese text normalisation shared by every comparator: NFKC, 異体字 folding, kana keys, numerals.

Everything here is a pure function of its input (no dictionary loads): the folding table is plain data and can
be extended at run time with :func:`register_variants`.

>>> fold_kanji("髙橋")
'高橋'
>>> fold_kanji("齋藤") == fold_kanji("斉藤") == fold_kanji("斎藤")
True
>>> kana_key("ｻｲﾄｳ ﾕｳｺ") == kana_key("さいとう ゆーこ")
True
>>> kanji_to_int("二十三")
23
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "ITAIJI",
    "fold_kanji",
    "is_kana",
    "kana_key",
    "kanji_to_int",
    "nfkc",
    "register_variants",
    "to_katakana",
]

# 異体字 → the form used for matching. Sources: the common pairs listed in 法務省's 戸籍統一文字 / 人名用漢字
# 別表 (旧字体 ↔ 新字体) and the variants that municipal systems (住基 外字) most often carry in surnames.
# 斉 and 斎 are different characters, but 斉藤/斎藤/齋藤/齊藤 are confused so often in agency lists that
# treating them as one for matching is the accepted practice (the reading still has to agree elsewhere).
ITAIJI: dict[str, str] = {}

_GROUPS: tuple[str, ...] = (
    "高髙",
    "崎﨑嵜碕",
    "斎齋齊斉",
    "辺邊邉",
    "浜濵濱",
    "沢澤",
    "桜櫻",
    "国國",
    "広廣",
    "真眞",
    "実實",
    "恵惠",
    "栄榮",
    "竜龍",
    "徳德",
    "蔵藏",
    "寿壽",
    "会會",
    "学學",
    "晋晉",
    "富冨",
    "島嶋嶌",
    "槙槇",
    "桑桒",
    "館舘",
    "峰峯",
    "野埜",
    "条條",
    "瀬瀨",
    "渕淵",
    "万萬",
    "弥彌",
    "与與",
    "黒黑",
    "荘莊",
    "児兒",
    "伝傳",
    "吉𠮷",
    "柳栁",
    "角甪",
    "礼禮",
    "亀龜",
    "鉄鐵",
    "芦蘆",
    "桧檜",
    "籠篭",
    "曽曾",
    "遥遙",
    "尭堯",
    "鴎鷗",
    "剣劍",
    "円圓",
    "双雙",
    "沖冲",
    "衛衞",
    "薗園",
    "嶺岺",
)
for _g in _GROUPS:
    for _c in _g[1:]:
        if _c != _g[0]:
            ITAIJI[_c] = _g[0]


def register_variants(canonical: str, *variants: str) -> None:
    """Add 異体字 to the folding table: every one of ``variants`` folds to ``canonical``.

    >>> register_variants("辻", "辻")
    >>> fold_kanji("辻本")
    '辻本'
    """
    if len(canonical) != 1 or any(len(v) != 1 for v in variants):
        raise ValueError("register_variants takes single characters")
    for v in variants:
        if v != canonical:
            ITAIJI[v] = canonical
    _fold_cache.clear()
    _fold_table.clear()


def nfkc(text: str) -> str:
    """NFKC with every kind of white space (full-width space included) collapsed to one ASCII space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


_fold_cache: dict[str, str] = {}
_fold_table: dict[int, str] = {}
_ITERATION = "々"
_ITER_RE = re.compile(r"(.)々")


def _table() -> dict[int, str]:
    if not _fold_table:
        _fold_table.update({ord(k): v for k, v in ITAIJI.items()})
        _fold_table[ord("ヶ")] = "ケ"
        _fold_table[ord("ヵ")] = "カ"
    return _fold_table


def fold_kanji(text: str) -> str:
    """NFKC, 異体字 folded by :data:`ITAIJI`, 々 written out (佐々木 → 佐佐木), ヶ/ヵ → ケ/カ."""
    hit = _fold_cache.get(text)
    if hit is not None:
        return hit
    res = nfkc(text).translate(_table())
    if _ITERATION in res:
        res = _ITER_RE.sub(lambda m: m.group(1) * 2 if _is_kanji(m.group(1)) else m.group(0), res)
    if len(_fold_cache) < 500_000:
        _fold_cache[text] = res
    return res


def _is_kanji(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF or 0xF900 <= o <= 0xFAFF


_HIRA_TO_KATA = {c: c + 0x60 for c in range(ord("ぁ"), ord("ゖ") + 1)} | {ord("ゝ"): "ヽ", ord("ゞ"): "ヾ"}


def to_katakana(text: str) -> str:
    """NFKC (half-width ｶﾅ → full width), hiragana → katakana, white space collapsed."""
    return nfkc(text).translate(_HIRA_TO_KATA)


def is_kana(text: str) -> bool:
    """Whether the text is only kana (either script), long-vowel marks, middle dots and spaces."""
    s = to_katakana(text)
    return bool(s.strip()) and all(("ァ" <= c <= "ヺ") or c in "ー・ヽヾ " for c in s)


_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶヂヅヲヰヱヴ", "アイウエオツヤユヨワカケジズオイエブ")
_ROW_O = set("オコゴソゾトドノホボポモヨロョ")
_ROW_U = set("ウクグスズツヅヌフブプムユルュ")
_ROW_E = set("エケゲセゼテデネヘベペメレ")
_ROW_A = set("アカガサザタダナハバパマヤラワャ")
_ROW_I = set("イキギシジチヂニヒビピミリ")


@functools.lru_cache(maxsize=300_000)
def kana_key(text: str) -> str:
    """A reading reduced for comparison: katakana, no spaces or dots, small kana made big, ヂヅヲヴ folded,
    and long vowels dropped (ー; ウ/オ after an o- or u-sound; イ after an e-sound; a repeated vowel), so that
    サトウ, サトー and サトオ, or ユウコ and ユーコ, give one key.

    >>> kana_key("ショウタ") == kana_key("シヨータ")
    True
    """
    s = to_katakana(text)
    s = s.replace(" ", "").replace("・", "").translate(_SMALL)
    out: list[str] = []
    for c in s:
        if c == "ー":
            continue
        if out:
            prev = out[-1]
            if c == "ウ" and (prev in _ROW_O or prev in _ROW_U):
                continue
            if c == "オ" and prev in _ROW_O:
                continue
            if c == "イ" and prev in _ROW_E:
                continue
            if (c == "ア" and prev in _ROW_A) or (c == "イ" and prev in _ROW_I):
                continue
        out.append(c)
    return "".join(out)


_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DIGIT.update({"壱": 1, "弐": 2, "参": 3})
_UNIT = {"十": 10, "拾": 10, "百": 100, "千": 1000}
KANJI_NUMERAL = "".join(_DIGIT) + "".join(_UNIT)
"""Characters of a kanji numeral, for regular expressions."""


def kanji_to_int(text: str) -> int:
    """A kanji numeral (一, 十二, 二十三, 百五, 千二百, or positional 一〇一) or ASCII digits as an int.

    >>> [kanji_to_int(s) for s in ("十", "一〇一", "三百二", "12")]
    [10, 101, 302, 12]
    """
    s = nfkc(text)
    if not s:
        raise ValueError("empty numeral")
    if s.isdigit():
        return int(s)
    if not any(c in _UNIT for c in s):  # positional: 一〇一
        if not all(c in _DIGIT for c in s):
            raise ValueError(f"not a numeral: {text!r}")
        return int("".join(str(_DIGIT[c]) for c in s))
    total = 0
    digit: int | None = None
    for c in s:
        if c in _DIGIT:
            digit = _DIGIT[c]
        elif c.isdigit():
            digit = int(c)
        elif c in _UNIT:
            total += (1 if digit is None else digit) * _UNIT[c]
            digit = None
        else:
            raise ValueError(f"not a numeral: {text!r}")
    return total + (digit or 0)


_KANJI_NUM_RUN = re.compile(f"[{KANJI_NUMERAL}]+")


def replace_kanji_numerals(text: str, *, before: str) -> str:
    """Replace runs of kanji numerals that are followed by one of the regex alternatives ``before``."""
    pattern = re.compile(f"([{KANJI_NUMERAL}]+)(?=(?:{before}))")
    return pattern.sub(lambda m: str(kanji_to_int(m.group(1))), text)
