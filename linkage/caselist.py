"""Checks of a caselist (one agency's list of the people it serves) before anything is linked or stored.

A caselist has the agency's own case id and whatever it has of 氏名, ふりがな, 生年月日 (or 年齢), 性別, 住所,
電話 and 世帯主, under any of the usual headers (:data:`linkage.features.HEADER_ALIASES`). :func:`check_caselist`
finds what would make linking it wrong, each problem with its row and column and a Japanese message: no case-id
column or no identifying column at all, duplicate or empty case ids, a column shifted by one (names where birth
dates should be), impossible dates, values that are not phone numbers, unknown sex codes. Half-width and
full-width mixtures are not problems: the normalisers read both.

The loader of ``tsunagari load caselist`` (built on the project's ingestion contract) reports these problems and
writes nothing when any is an error.

>>> ps = check_caselist(["番号", "氏名", "生年月日"], [{"番号": "1", "氏名": "佐藤 清", "生年月日": "S8.2.30"}])
>>> [(p.row, p.column, p.severity) for p in ps]
[(1, '生年月日', 'error')]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from linkage.dates import DateParseError, birth_year_from_age, parse_date
from linkage.features import map_headers, normalise_sex
from linkage.phone import normalise_phone
from linkage.text import is_kana, nfkc

__all__ = ["CaselistProblem", "check_caselist"]


@dataclass(frozen=True)
class CaselistProblem:
    """One problem: ``row`` counts data rows from 1 (``None`` for the whole file)."""

    severity: str  # "error" | "warning"
    message_ja: str
    message_en: str
    row: int | None = None
    column: str | None = None
    value: str | None = None


_DATEISH = re.compile(r"^(?:[明大昭平令MTSHRmtshr]\.?\s*\d|\d{4}[/.\-年]|\d{8}$)")
_KANJI = re.compile(r"[\u4e00-\u9fff]")


def _looks_like_date(v: str) -> bool:
    return bool(_DATEISH.match(nfkc(v)))


def _looks_like_name(v: str) -> bool:
    s = nfkc(v)
    return bool(s) and not any(c.isdigit() for c in s) and (bool(_KANJI.search(s)) or is_kana(s))


def check_caselist(
    headers: Sequence[str], rows: Sequence[Mapping[str, object]], *, today: dt.date | None = None
) -> list[CaselistProblem]:
    """Every problem of a caselist, errors first; an empty list means it can be linked."""
    today = today or dt.date.today()
    out: list[CaselistProblem] = []
    hmap = map_headers(list(headers))
    if "case_id" not in hmap:
        out.append(
            CaselistProblem(
                "error",
                "ケース番号の列がありません（ケース番号・受給者証番号・管理番号・相談No など）",
                "no case id column",
            )
        )
    if not ({"name", "kana"} & set(hmap)):
        out.append(
            CaselistProblem(
                "error",
                "本人を識別できる列（氏名・フリガナ）がありません",
                "no identifying column (name or reading)",
            )
        )
    if out:
        return out

    def cell(r: Mapping[str, object], field: str) -> str:
        h = hmap.get(field)
        v = r.get(h) if h else None
        return "" if v is None else str(v).strip()

    # a column shifted by one: names where birth dates are, dates where names are
    if "birth" in hmap and rows:
        births = [cell(r, "birth") for r in rows if cell(r, "birth")]
        names = [cell(r, "name") for r in rows if cell(r, "name")]
        named_births = sum(1 for b in births if _looks_like_name(b))
        dated_names = sum(1 for n in names if _looks_like_date(n))
        if (births and named_births / len(births) > 0.5) or (names and dated_names / len(names) > 0.5):
            out.append(
                CaselistProblem(
                    "error",
                    f"列がずれている可能性があります（「{hmap['birth']}」に氏名のような値、"
                    f"または「{hmap.get('name', '')}」に日付のような値が並んでいます）",
                    "columns look shifted (names in the birth-date column or dates in the name column)",
                    column=hmap["birth"],
                )
            )
            return out

    seen: dict[str, int] = {}
    for i, r in enumerate(rows, start=1):
        cid = cell(r, "case_id")
        if not cid:
            out.append(
                CaselistProblem("error", "ケース番号が空です", "empty case id", row=i, column=hmap["case_id"])
            )
        elif nfkc(cid) in seen:
            out.append(
                CaselistProblem(
                    "error",
                    f"ケース番号「{cid}」が{seen[nfkc(cid)]}行目と重複しています",
                    f"case id {cid!r} repeats row {seen[nfkc(cid)]}",
                    row=i,
                    column=hmap["case_id"],
                    value=cid,
                )
            )
        else:
            seen[nfkc(cid)] = i
        if not cell(r, "name") and not cell(r, "kana"):
            col = hmap.get("name") or hmap.get("kana")
            out.append(
                CaselistProblem(
                    "warning",
                    "氏名もフリガナも空です（この行は名寄せされません）",
                    "no name",
                    row=i,
                    column=col,
                )
            )
        b = cell(r, "birth")
        if b:
            try:
                parse_date(b, today=today)
            except DateParseError as e:
                out.append(
                    CaselistProblem("error", e.message_ja, e.message_en, row=i, column=hmap["birth"], value=b)
                )
        a = cell(r, "age")
        if a:
            try:
                birth_year_from_age(a, today)
            except DateParseError as e:
                out.append(
                    CaselistProblem("error", e.message_ja, e.message_en, row=i, column=hmap["age"], value=a)
                )
        p = cell(r, "phone")
        if p and normalise_phone(p).missing and any(c.isdigit() for c in nfkc(p)):
            out.append(
                CaselistProblem(
                    "warning",
                    f"電話番号として読めません（{p}）",
                    "not a phone number",
                    row=i,
                    column=hmap["phone"],
                    value=p,
                )
            )
        sx = cell(r, "sex")
        if sx and normalise_sex(sx) is None and nfkc(sx) not in ("不明", "9", "0", "-"):
            out.append(
                CaselistProblem(
                    "warning",
                    f"性別の値が読めません（{sx}）: 男/女、1/2、M/F のいずれか",
                    "unknown sex code",
                    row=i,
                    column=hmap["sex"],
                    value=sx,
                )
            )
    out.sort(key=lambda p: (p.severity != "error", p.row or 0))
    return out
