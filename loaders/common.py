"""Machinery every tabular loader shares, keeping the ingestion contract (:mod:`loaders.contract`).

A loader (1) reads a whole file into a :class:`~loaders.tabular.RawTable` (damaged files refused there), (2)
matches its header against the kind's :class:`Column` s (Japanese names and English aliases, after NFKC; a header
that is no known column is an error naming the nearest known one), (3) parses and checks every row, collecting
*all* problems with file, row and column, as :class:`~loaders.contract.NodeDraft` s holding only the fields the
row gives or clears, (4) lays them over the stored records (:func:`~loaders.contract.finalize`), checks that every
relationship's ends and every reference exist in the store or the file, and only then (5) writes everything in
one ``store.write``: all rows or none. The report says what was (or, with ``dry_run``, would be) created,
changed field by field, and left alone. Loading the same file twice changes nothing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError

from graphsvc.domain.codec import Props, split_bilingual
from graphsvc.domain.enums import LabeledEnum, NodeLabel, RelType, Weekday
from graphsvc.domain.errors import DomainValidationError, EndpointMissingError, Problem
from graphsvc.domain.records import REL_SPECS
from graphsvc.domain.values import GeoPoint, Schedule, ScheduleSlot, in_japan, parse_hhmm
from graphsvc.store.port import GraphStore, NodeRef, WriteResult
from loaders import geo
from loaders.contract import (
    Blank,
    ChangeSet,
    NodeDraft,
    Origin,
    RelDraft,
    event_date_range,
    finalize,
    is_clear_marker,
)
from loaders.tabular import RawTable, norm_header, read_table

__all__ = [
    "BAD",
    "Blank",
    "CellError",
    "Column",
    "LoadReport",
    "Loader",
    "Row",
    "Table",
    "match_columns",
    "parse_birth_year",
    "parse_bool",
    "parse_date",
    "parse_days",
    "parse_enum",
    "parse_enum_list",
    "parse_event_date",
    "parse_float",
    "parse_int",
    "parse_list",
    "parse_schedule",
    "parse_time_ranges",
]

E = TypeVar("E", bound=LabeledEnum)
ProgressFn = Callable[[int, int], None]


class CellError(ValueError):
    """A cell that cannot be read; carries the Japanese and English messages."""

    def __init__(self, message_ja: str, message_en: str):
        super().__init__(f"{message_ja} ({message_en})")
        self.message_ja = message_ja
        self.message_en = message_en


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


BAD: Any = _Bad()
"""Returned by :meth:`Row.parse` for a cell that had a problem (already recorded)."""


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One accepted column: ``names[0]`` is the Japanese name, the rest are aliases (an English one included)."""

    field: str
    names: tuple[str, ...]
    required: bool = False
    help_ja: str = ""
    help_en: str = ""
    example: str = ""

    @property
    def ja(self) -> str:
        return self.names[0]

    @property
    def en(self) -> str:
        ascii_names = [n for n in self.names if n.isascii()]
        return next(
            (n for n in ascii_names if any(ch.islower() for ch in n)),
            ascii_names[0] if ascii_names else self.field,
        )

    def match_keys(self) -> set[str]:
        return {norm_header(n) for n in self.names}


def _strip_parens(norm: str) -> str:
    return re.sub(r"\(.*?\)$", "", norm).strip()


@dataclass
class Table:
    """A file matched against a kind's columns: ``columns`` maps a field to (index, header as written)."""

    raw: RawTable
    columns: dict[str, tuple[int, str]]
    unknown: list[str]

    @property
    def file(self) -> str:
        return self.raw.file if not self.raw.sheet else f"{self.raw.file} [{self.raw.sheet}]"

    def has(self, field_: str) -> bool:
        return field_ in self.columns

    def col(self, field_: str) -> str | None:
        return self.columns[field_][1] if field_ in self.columns else None


def nearest_columns(name: str, columns: Sequence[Column], n: int = 3) -> list[str]:
    """The accepted column names closest to ``name`` (by their normalised spelling), best first."""
    names: dict[str, str] = {}
    for c in columns:
        for alias in c.names:
            names.setdefault(norm_header(alias), alias)
    key = _strip_parens(norm_header(name))
    hits = difflib.get_close_matches(key, list(names), n=n, cutoff=0.4)
    if not hits and not key.isascii():  # short Japanese names one character off: compare by characters

        def overlap(k: str) -> float:
            return len(set(k) & set(key)) / max(len(set(k) | set(key)), 1)

        hits = [k for k in sorted(names, key=overlap, reverse=True)[:n] if overlap(k) >= 0.34]
    return list(dict.fromkeys(names[h] for h in hits))


def match_columns(raw: RawTable, columns: Sequence[Column], required: Sequence[str] | None = None) -> Table:
    """Match a header to the columns. A header cell that is no known column (after NFKC and trimming), a
    missing required column and a column given twice are errors; the first names the nearest known columns.
    ``required`` (fields) overrides which columns the header must have (default: the columns marked required)."""
    by_key: dict[str, Column] = {}
    for c in columns:
        for k in c.match_keys():
            by_key.setdefault(k, c)
    found: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    problems: list[Problem] = []
    file = raw.file if not raw.sheet else f"{raw.file} [{raw.sheet}]"
    for i, name in enumerate(raw.header):
        if not name.strip():
            continue
        key = norm_header(name)
        col = by_key.get(key) or by_key.get(_strip_parens(key))
        if col is None:
            unknown.append(name)
            near = nearest_columns(name, columns)
            hint_ja = f"。近い列名: {'、'.join(near)}" if near else ""
            hint_en = f"; nearest known: {', '.join(near)}" if near else ""
            problems.append(
                Problem(
                    f"列「{name}」はこの種類のファイルの列ではありません{hint_ja} (列名の一覧は examples/README.md)",
                    f"column {name!r} is not a column of this kind of file{hint_en} (see examples/README.md)",
                    file=file,
                    row=raw.header_row,
                    column=name,
                    value=", ".join(near) if near else None,
                )
            )
            continue
        if col.field in found:
            problems.append(
                Problem(
                    f"列「{found[col.field][1]}」と列「{name}」は同じ項目 ({col.ja}) です。どちらか一方にしてください",
                    f"columns {found[col.field][1]!r} and {name!r} both mean {col.en}; keep one",
                    file=file,
                    row=raw.header_row,
                    column=name,
                )
            )
            continue
        found[col.field] = (i, name)
    for c in columns:
        if (c.field in required if required is not None else c.required) and c.field not in found:
            problems.append(
                Problem(
                    f"必須の列「{c.ja}」がありません (使える列名: {'、'.join(c.names)})",
                    f"required column {c.ja!r} ({c.en}) is missing; accepted names: {', '.join(c.names)}",
                    file=file,
                    row=raw.header_row,
                    column=c.ja,
                )
            )
    if problems:
        raise DomainValidationError(problems)
    return Table(raw=raw, columns=found, unknown=unknown)


# ---------------------------------------------------------------- cell parsers

_LIST_SPLIT = re.compile(r"[、,;；・/／\n|｜]+")
_TRUE = {
    "はい",
    "有",
    "あり",
    "有り",
    "○",
    "◯",
    "〇",
    "●",
    "✓",
    "✔",
    "レ",
    "該当",
    "true",
    "yes",
    "y",
    "1",
    "t",
    "可",
}
_FALSE = {"いいえ", "無", "なし", "無し", "×", "✗", "-", "非該当", "false", "no", "n", "0", "f", "不可"}


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_list(text: str) -> list[str]:
    """「A、B・C」 → ["A", "B", "C"] (separators 、,;・/ and newlines; blanks dropped; order kept)."""
    seen: list[str] = []
    for part in _LIST_SPLIT.split(nfkc(text)):
        p = part.strip()
        if p and p not in seen:
            seen.append(p)
    return seen


def parse_bool(text: str) -> bool:
    t = nfkc(text).casefold()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise CellError(
        f"「{text}」は はい/いいえ (○/×, 1/0) で指定してください",
        f"{text!r} must be yes/no (true/false, 1/0)",
    )


_UNIT_SUFFIX = re.compile(r"(人|名|枠|室|世帯|件|か所|箇所|回|時間|h|hours?|persons?)$", re.IGNORECASE)


def parse_int(text: str) -> int:
    """「12」「１２人」「1,200」 → an int (a trailing unit such as 人 or 枠 is dropped)."""
    t = _UNIT_SUFFIX.sub("", nfkc(text).replace(",", "")).strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?\d+\.0+", t):
        return int(float(t))
    raise CellError(f"「{text}」は整数で指定してください", f"{text!r} must be a whole number")


def parse_float(text: str) -> float:
    t = _UNIT_SUFFIX.sub("", nfkc(text).replace(",", "")).strip()
    try:
        return float(t)
    except ValueError:
        raise CellError(f"「{text}」は数値で指定してください", f"{text!r} must be a number") from None


def parse_date(text: str) -> date:
    """「2024-04-01」「2024/4/1」「2024年4月1日」「R6.4.1」 → a date."""
    t = nfkc(text).replace(" ", "")
    t = re.sub(r"\s*\d{1,2}:\d{2}(:\d{2})?$", "", t)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", t)
    if m is None:
        era = re.fullmatch(r"(R|令和|H|平成)(\d{1,2}|元)[./年](\d{1,2})[./月](\d{1,2})日?", t, re.IGNORECASE)
        if era:
            base = 2018 if era.group(1).upper() in ("R", "令和") else 1988
            y = 1 if era.group(2) == "元" else int(era.group(2))
            m2 = (base + y, int(era.group(3)), int(era.group(4)))
            try:
                return date(*m2)
            except ValueError:
                pass
        raise CellError(
            f"「{text}」は日付 (YYYY-MM-DD) で指定してください", f"{text!r} must be a date (YYYY-MM-DD)"
        )
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise CellError(f"「{text}」は存在しない日付です", f"{text!r} is not a valid date") from None


def _choices(enum: type[LabeledEnum]) -> tuple[str, str]:
    return "、".join(m.ja for m in enum), ", ".join(m.value for m in enum)


def parse_enum(enum: type[E], text: str) -> E:
    """A Japanese label, English label or code value → the member (see :meth:`LabeledEnum.parse`)."""
    try:
        return enum.parse(text)  # type: ignore[return-value]
    except ValueError:
        ja, en = _choices(enum)
        raise CellError(
            f"「{text}」は使えません。次のいずれか: {ja}", f"{text!r} is not one of: {en}"
        ) from None


def parse_enum_list(enum: type[E], text: str) -> list[E]:
    """A list of labels. Labels that themselves contain a separator (子ども・子育て) are recognised too."""
    try:
        return [enum.parse(text)]  # type: ignore[list-item]
    except ValueError:
        pass
    parts = parse_list(text)
    out: list[E] = []
    bad: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(min(len(parts), i + 3), i, -1):  # longest run of parts that is one label
            try:
                member = enum.parse("・".join(parts[i:j]))
            except ValueError:
                continue
            if member not in out:
                out.append(member)  # type: ignore[arg-type]
            i = j
            break
        else:
            bad.append(parts[i])
            i += 1
    if bad:
        ja, en = _choices(enum)
        shown = "」「".join(bad)
        raise CellError(
            f"「{shown}」は使えません。次のいずれか: {ja}", f"{', '.join(bad)!r} not one of: {en}"
        )
    return out


_WEEK = list(Weekday)
_DAY_CHARS = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
_RANGE_SEP = r"[〜~～\-ー−–—]|から"


def _day_token(token: str) -> int:
    t = token.strip().casefold()
    t = re.sub(r"(曜日|曜)$", "", t)
    if t in _DAY_CHARS:
        return _DAY_CHARS[t]
    for i, w in enumerate(_WEEK):
        if t in (w.value, w.en.casefold(), w.hsds.casefold()):
            return i
    raise ValueError(token)


def parse_days(text: str) -> tuple[list[Weekday], str | None]:
    """「月・水・金」「月〜金」「月火水」「平日」「毎日」「土日祝」「Mon-Fri」 → weekdays, plus a note for what is
    not a weekday (祝日 → 「祝日」)."""
    t = nfkc(text).replace(" ", "")
    note: str | None = None
    if re.search(r"祝", t):
        note = "祝日を含む" if not re.search(r"祝.*(休|除)", t) else "祝日休み"
        t = re.sub(r"[・,、]?祝日?(を除く|除く|休み|は休み)?", "", t)
    t = re.sub(r"\(.*?\)", "", t)
    specials = {"平日": list(range(5)), "毎日": list(range(7)), "全日": list(range(7)), "土日": [5, 6]}
    days: list[int] = []
    for part in re.split(r"[、,;・/／]+", t):
        if not part:
            continue
        if part in specials:
            days.extend(specials[part])
            continue
        m = re.fullmatch(rf"(.+?)(?:{_RANGE_SEP})(.+)", part)
        if m:
            a, b = _day_token(m.group(1)), _day_token(m.group(2))
            days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
            continue
        try:
            days.append(_day_token(part))
            continue
        except ValueError:
            pass
        # 「月火水」「月水金曜日」: one character per day
        chars = re.sub(r"(曜日|曜)", "", part)
        if chars and all(ch in _DAY_CHARS for ch in chars):
            days.extend(_DAY_CHARS[ch] for ch in chars)
            continue
        raise CellError(
            f"曜日「{text}」を読めません (例: 月・水・金、月〜金、平日)",
            f"cannot read days {text!r} (e.g. 月・水・金, 月〜金, Mon-Fri)",
        )
    ordered = sorted(set(days))
    return [_WEEK[i] for i in ordered], note


def parse_time_ranges(text: str) -> list[tuple[str, str]]:
    """「9:00〜11:00」「9時〜11時半」「9:00-11:00、13:00-15:00」 → [("09:00", "11:00"), …]."""
    t = nfkc(text).replace(" ", "").replace("半", "30分")
    out: list[tuple[str, str]] = []
    for part in re.split(r"[、,;/／]+|・(?=\d)", t):
        if not part:
            continue
        m = re.fullmatch(rf"(.+?)(?:{_RANGE_SEP})(.+)", part)
        try:
            if not m:
                raise ValueError(part)
            a, b = parse_hhmm(m.group(1)), parse_hhmm(m.group(2))
        except ValueError:
            raise CellError(
                f"時間帯「{text}」を読めません (例: 9:00〜11:00)",
                f"cannot read time range {text!r} (e.g. 9:00-11:00)",
            ) from None
        out.append((f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"))
    return out


def parse_schedule(
    days: str | None,
    times: str | None = None,
    opens: str | None = None,
    closes: str | None = None,
    note: str | None = None,
) -> Schedule | None:
    """Days and times → a weekly :class:`Schedule` (one slot per day and time range). Raises ``CellError``."""
    if not (days or times or opens or closes):
        return Schedule(note=note) if note else None
    ranges: list[tuple[str, str]] = []
    if times:
        ranges = parse_time_ranges(times)
    elif opens or closes:
        if not (opens and closes):
            raise CellError(
                "開始時間と終了時間を両方指定してください", "give both the opening and closing time"
            )
        ranges = parse_time_ranges(f"{opens}〜{closes}")
    if not days:
        raise CellError("時間帯に対応する曜日がありません", "times are given but no days")
    weekdays, day_note = parse_days(days)
    if not ranges:
        raise CellError("曜日に対応する時間帯がありません", "days are given but no times")
    notes = "、".join(n for n in (day_note, note) if n) or None
    try:
        slots = tuple(ScheduleSlot(weekday=w, opens=a, closes=b) for w in weekdays for a, b in ranges)
    except ValidationError as err:
        msg = str(err.errors()[0].get("ctx", {}).get("error", err.errors()[0]["msg"]))
        raise CellError(*split_bilingual(msg)) from None
    return Schedule(slots=slots, note=notes)


def parse_event_date(text: str) -> date:
    """A date that must be plausible for an event (受付日, 開始日 …): 1900-01-01 to a year after today."""
    d = parse_date(text)
    first, last = event_date_range()
    if not first <= d <= last:
        raise CellError(
            f"「{text}」はありえない日付です ({first.isoformat()}〜{last.isoformat()} の範囲で指定してください)",
            f"{text!r} is an implausible date (give one between {first.isoformat()} and {last.isoformat()})",
        )
    return d


def parse_birth_year(text: str) -> int:
    """A birth year (「1950」「1950年」) or a birth date (its year), 1900 to a year after today."""
    t = nfkc(text)
    try:
        year = parse_date(t).year
    except CellError as err:
        m = re.fullmatch(r"(\d{4})年?", t)
        if m is None:
            if "存在しない" in err.message_ja:
                raise
            raise CellError(
                f"「{text}」は生年 (例: 1950) で指定してください",
                f"{text!r} must be a birth year (e.g. 1950)",
            ) from None
        year = int(m.group(1))
    first, last = event_date_range()
    if not first.year <= year <= last.year:
        raise CellError(
            f"生年「{text}」はありえません ({first.year}〜{last.year} の範囲で指定してください)",
            f"birth year {text!r} is implausible (give one between {first.year} and {last.year})",
        )
    return year


# ---------------------------------------------------------------- rows


@dataclass
class Row:
    """One data row of a :class:`Table`; records its problems in the loader and the columns it clears."""

    table: Table
    number: int
    cells: list[str]
    problems: list[Problem]
    blank: Blank = Blank.KEEP
    cleared: set[str] = field(default_factory=set)

    def get(self, field_: str) -> str | None:
        """The stripped text of a cell, ``None`` if the column is absent, the cell blank or a clear marker (the
        column is then recorded in :attr:`cleared`; so is a blank cell under ``Blank.CLEAR``)."""
        pos = self.table.columns.get(field_)
        if pos is None or pos[0] >= len(self.cells):
            return None
        text = self.cells[pos[0]].strip()
        if is_clear_marker(text) or (not text and self.blank is Blank.CLEAR):
            self.cleared.add(field_)
            return None
        return text or None

    def col(self, field_: str) -> str | None:
        return self.table.col(field_)

    def problem(self, field_: str | None, message_ja: str, message_en: str, value: str | None = None) -> None:
        self.problems.append(
            Problem(
                message_ja,
                message_en,
                file=self.table.file,
                row=self.number,
                column=self.col(field_) if field_ else None,
                field=field_,
                value=value[:80] if value else None,
            )
        )

    def parse(self, field_: str, parser: Callable[[str], Any]) -> Any:
        """Parse a cell: ``None`` if blank, :data:`BAD` (problem recorded) if unreadable."""
        text = self.get(field_)
        if text is None:
            return None
        try:
            return parser(text)
        except CellError as err:
            self.problem(field_, err.message_ja, err.message_en, text)
        except ValueError as err:
            ja, en = split_bilingual(str(err))
            self.problem(field_, ja, en, text)
        return BAD


def put(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``data[key]`` unless the value is blank or bad."""
    if value is None or value is BAD:
        return
    data[key] = value


# ---------------------------------------------------------------- report


@dataclass
class LoadReport:
    """What a load did (or, in a dry run, would do)."""

    kind: str
    file: str
    rows_read: int = 0
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)
    result: WriteResult = field(default_factory=WriteResult)
    changes: ChangeSet = field(default_factory=ChangeSet)
    approximate_locations: int = 0
    approximate_sources: dict[str, int] = field(default_factory=dict)
    missing_locations: int = 0
    warnings: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    dry_run: bool = False
    blank: Blank = Blank.KEEP
    field_names: dict[str, str] = field(default_factory=dict)

    def warn(self, message_ja: str, message_en: str) -> None:
        self.warnings.append(f"{message_ja} ({message_en})")

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a small table, Japanese first."""
        ch = self.changes
        out = [
            ("ファイル (file)", self.file),
            ("種類 (kind)", self.kind),
            ("読み込んだ行 (rows read)", str(self.rows_read)),
            (
                "空欄の扱い (empty cells)",
                "消去 (clear)" if self.blank is Blank.CLEAR else "保存済みの値を残す (keep)",
            ),
        ]
        for label, n in sorted(self.nodes.items()):
            out.append((f"{NodeLabel(label).ja} ({label})", str(n)))
        for t, n in sorted(self.rels.items()):
            out.append((f"関係 {RelType(t).ja} ({t})", str(n)))
        out += [
            ("ノード 新規/更新 (nodes created/updated)", f"{len(ch.created)} / {len(ch.changed)}"),
            ("ノード 変更なし (nodes unchanged)", str(ch.unchanged)),
            (
                "関係 新規/更新 (relationships created/updated)",
                f"{len(ch.rels_created)} / {len(ch.rels_changed)}",
            ),
            (
                "関係 変更なし/削除 (relationships unchanged/deleted)",
                f"{ch.rels_unchanged} / {len(ch.rels_deleted)}",
            ),
            ("消去する項目 (fields cleared)", str(len(ch.cleared))),
            ("概略の位置 (approximate locations)", str(self.approximate_locations)),
            ("位置不明 (no location)", str(self.missing_locations)),
            ("警告 (warnings)", str(len(self.warnings))),
        ]
        return out

    def change_lines(self, limit: int = 10) -> list[str]:
        return self.changes.lines(limit=limit, labels=self.field_names)


# ---------------------------------------------------------------- the loader


# Columns whose value belongs to a part of a record field: a clear marker there clears that part.
_COLUMN_PARTS = {
    "lat": "location",
    "lon": "location",
    "days": "schedule",
    "times": "schedule",
    "opens": "schedule",
    "closes": "schedule",
    "schedule_note": "schedule.note",
    "capacity": "capacity",
    "available": "capacity.available",
    "capacity_unit": "capacity.unit",
}


class Loader:
    """Collects drafts of nodes and relationships from rows, lays them over the store, checks and writes them in
    one batch.

    Subclasses set :attr:`kind` and :attr:`columns` and implement :meth:`build_row`, which calls
    :meth:`add_node` with the fields a row gives (relationships that follow a field, such as ``IN_AREA`` from
    ``area_id``, are added by the contract) and :meth:`add_rel` for the others.
    """

    kind: str = ""
    columns: Sequence[Column] = ()
    #: the columns a file must have: the id (a file updating records may leave out every other column; a record
    #: the file creates must still get its required fields, checked per row)
    header_required: Sequence[str] = ("id",)
    #: the file's own node label (for duplicate-id checks); ``None`` for relationship lists
    label: NodeLabel | None = None
    #: the record field → the column field it came from, for located validation errors
    field_columns: ClassVar[Mapping[str, str]] = {}

    def __init__(self, store: GraphStore, *, progress: ProgressFn | None = None, blank: Blank = Blank.KEEP):
        self.store = store
        self.progress = progress
        self.blank = Blank(blank)
        self.problems: list[Problem] = []
        self.drafts: dict[NodeRef, NodeDraft] = {}
        self.rel_drafts: dict[tuple[RelType, NodeRef, NodeRef], RelDraft] = {}
        self.replace_rels: list[tuple[NodeRef, RelType, NodeLabel, list[NodeRef]]] = []
        self.references: list[tuple[Row, str, NodeRef]] = []
        self.report = LoadReport(kind=self.kind, file="")
        self._area_cache: dict[str, Props | None] = {}
        self._origin_columns: dict[tuple[int, int], dict[str, str]] = {}
        self.table: Table | None = None

    # -- subclass API
    def build_row(self, row: Row) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_table(self, table: Table) -> None:
        """Hook after the header was matched (e.g. warn about missing standard columns)."""

    def finish_rows(self) -> None:
        """Hook after every row was built (e.g. merge households gathered from several rows)."""

    # -- helpers for subclasses
    def origin(self, row: Row, field_columns: Mapping[str, str] | None = None) -> Origin:
        fc = field_columns if field_columns is not None else self.field_columns
        key = (id(row.table), id(fc))
        columns = self._origin_columns.get(key)
        if columns is None:
            names = {c.field: c.ja for c in self.columns}
            both = {**fc, "id": "id"}
            columns = {f: row.col(c) or names.get(c, c) for f, c in both.items()}
            self._origin_columns[key] = columns
        return Origin(file=row.table.file, row=row.number, columns=columns)

    def cleared_fields(
        self, row: Row, label: NodeLabel, field_columns: Mapping[str, str] | None = None
    ) -> set[str]:
        """The record fields a row clears (from the columns it cleared)."""
        from graphsvc.domain.records import NODE_MODELS

        fields = set(NODE_MODELS[label].model_fields) - {"id"}
        by_column: dict[str, str] = {}
        for f, c in (field_columns if field_columns is not None else self.field_columns).items():
            by_column.setdefault(c, f)
        out: set[str] = set()
        for c in row.cleared:
            target = _COLUMN_PARTS.get(c) or by_column.get(c) or c
            if target.partition(".")[0] in fields:
                out.add(target)
        return out

    def add_node(
        self,
        row: Row,
        label: NodeLabel,
        data: Mapping[str, Any],
        id_field: str = "id",
        *,
        cleared: set[str] | None = None,
        defaults: Mapping[str, Any] | None = None,
        derived_location: bool = False,
        rel_props: Mapping[RelType, Mapping[str, Any]] | None = None,
        field_columns: Mapping[str, str] | None = None,
        check_duplicate: bool = True,
    ) -> NodeRef | None:
        """Add the draft of a record from ``data`` (the fields the row gives, ``id`` included). A second row with
        the same id and the same content is a warning (one record); with other content, an error."""
        rid = data.get("id")
        if not rid:
            row.problem(id_field, "IDがありません", "the id is missing")
            return None
        ref = NodeRef(label, str(rid))
        given = {k: v for k, v in data.items() if k != "id"}
        if isinstance(
            given.get("schedule"), Schedule
        ):  # laid over the stored schedule: a blank note keeps it
            given["schedule"] = given["schedule"].model_dump(mode="json", exclude_none=True)
        draft = NodeDraft(
            ref,
            given=given,
            cleared=set(cleared if cleared is not None else self.cleared_fields(row, label, field_columns)),
            defaults=dict(defaults or {}),
            derived_location=derived_location,
            rel_props={k: dict(v) for k, v in (rel_props or {}).items()},
            origin=self.origin(row, field_columns),
        )
        if ref in self.drafts and check_duplicate:
            first = self.drafts[ref]
            if (first.given, first.cleared, first.rel_props) == (draft.given, draft.cleared, draft.rel_props):
                self.report.warn(
                    f"{row.number}行目: ID「{ref.id}」は{first.origin.row}行目と同じ内容の重複です (1件として扱いました)",
                    f"row {row.number}: id {ref.id!r} repeats row {first.origin.row} with the same content (kept once)",
                )
                return ref
            differ = sorted(
                {k for k in set(first.given) | set(draft.given) if first.given.get(k) != draft.given.get(k)}
                | {
                    t.value
                    for t in set(first.rel_props) | set(draft.rel_props)
                    if first.rel_props.get(t) != draft.rel_props.get(t)
                }
            )
            cols = "、".join(row.col(self.field_columns.get(str(k), str(k))) or str(k) for k in differ)
            row.problem(
                id_field,
                f"ID「{ref.id}」がファイル内で重複し、内容が{first.origin.row}行目と違います"
                + (f" (違う列: {cols})" if cols else ""),
                f"duplicate id {ref.id!r} in the file with other content than row {first.origin.row}"
                + (f" (differs in: {cols})" if cols else ""),
                ref.id,
            )
            return ref
        if ref in self.drafts:  # several rows describe one record (households in a persons file)
            return ref
        self.drafts[ref] = draft
        return ref

    def add_rel(
        self,
        row: Row,
        rel_type: RelType,
        src: NodeRef,
        dst: NodeRef,
        props: Mapping[str, Any] | None = None,
        *,
        src_field: str | None = None,
        dst_field: str | None = None,
        cleared: set[str] | None = None,
        columns: Mapping[str, str] | None = None,
    ) -> None:
        key = (rel_type, src, dst)
        spec = REL_SPECS[rel_type]
        if src.label not in spec.sources or dst.label not in spec.targets:
            row.problem(
                src_field or dst_field,
                f"{rel_type.ja} ({rel_type.value}) は {src.label.ja} → {dst.label.ja} を結べません",
                f"{rel_type.value} cannot join {src.label.value} to {dst.label.value}",
            )
            return
        origin = Origin(file=row.table.file, row=row.number, columns=dict(columns or {}))
        origin.columns.setdefault("_src", (row.col(src_field) if src_field else None) or src_field or "")
        origin.columns.setdefault("_dst", (row.col(dst_field) if dst_field else None) or dst_field or "")
        self.rel_drafts[key] = RelDraft(rel_type, src, dst, dict(props or {}), set(cleared or ()), origin)

    def require(self, row: Row, field_: str, ref: NodeRef) -> None:
        """A reference that is not a relationship (a supporter's 所属機関ID) must exist in the store or the file."""
        self.references.append((row, field_, ref))

    def area_props(self, area_id: str) -> Props | None:
        """An Area's properties, from this file or the store (cached)."""
        ref = NodeRef(NodeLabel.AREA, area_id)
        if ref in self.drafts:
            g = self.drafts[ref].given
            return {
                "name": g.get("name", ""),
                **({"centre_json": _json(g["centre"])} if g.get("centre") else {}),
            }
        if area_id not in self._area_cache:
            got = self.store.get_node(ref)
            self._area_cache[area_id] = got.props if got else None
        return self._area_cache[area_id]

    def location(
        self,
        row: Row,
        *,
        lat_field: str = "lat",
        lon_field: str = "lon",
        area_id: str | None = None,
        postcode_field: str | None = "postcode",
        address_field: str | None = "address",
        prefecture: str | None = None,
        city: str | None = None,
    ) -> GeoPoint | Any | None:
        """The row's point: its coordinates, else an approximate one (district centre, municipality office).
        Returns :data:`BAD` after recording a problem."""
        lat = row.parse(lat_field, parse_float)
        lon = row.parse(lon_field, parse_float)
        if lat is BAD or lon is BAD:
            return BAD
        if (lat is None) != (lon is None):
            missing = lon_field if lon is None else lat_field
            row.problem(
                missing,
                f"緯度と経度は両方指定してください (列「{row.col(missing) or missing}」が空です)",
                "give both latitude and longitude",
            )
            return BAD
        if lat is not None and lon is not None and not in_japan(lat, lon):
            hint_ja, hint_en = "", ""
            if in_japan(lon, lat):
                hint_ja, hint_en = (
                    "。緯度と経度が入れ替わっていませんか",
                    "; are latitude and longitude swapped?",
                )
            row.problem(
                lat_field,
                f"座標 ({lat}, {lon}) が日本の範囲外です (列「{row.col(lat_field)}」「{row.col(lon_field)}」){hint_ja}",
                f"coordinates ({lat}, {lon}) are outside Japan{hint_en}",
                f"{lat}, {lon}",
            )
            return BAD
        centre: GeoPoint | None = None
        if area_id and lat is None:
            props = self.area_props(area_id)
            if props and "centre_json" in props:
                import json

                try:
                    centre = GeoPoint.model_validate(json.loads(str(props["centre_json"])))
                except (ValueError, ValidationError):
                    centre = None
        resolved = geo.resolve_location(
            lat,
            lon,
            area_centre=centre,
            postcode=row.get(postcode_field) if postcode_field else None,
            address=row.get(address_field) if address_field else None,
            prefecture=prefecture,
            city=city,
        )
        if resolved.point is None:
            self.report.missing_locations += 1
        elif resolved.approximate:
            self.report.approximate_locations += 1
            src = resolved.source or "?"
            self.report.approximate_sources[src] = self.report.approximate_sources.get(src, 0) + 1
        return resolved.point

    def check_consistency(self, lat: float, lon: float, row: Row, city: str | None) -> None:
        """Warn when a point lies in another municipality than the row names (「出典：気象庁」)."""
        if not city:
            return
        m = geo.municipality_of(lat, lon)
        if geo.JMA_CREDIT not in self.report.credits:
            self.report.credits.append(geo.JMA_CREDIT)
        if m is not None and nfkc(city) not in (m.name,) and not nfkc(city).startswith(m.name):
            self.report.warn(
                f"{row.number}行目: 座標は{m.prefecture}{m.name}にあり、「{city}」と一致しません",
                f"row {row.number}: the point lies in {m.name}, not {city}",
            )

    # -- the run
    def load(
        self,
        path: str,
        *,
        sheet: str | None = None,
        dry_run: bool = False,
    ) -> LoadReport:
        """Read, check and (unless ``dry_run``) write the file; raises with every problem found."""
        known = [n for c in self.columns for n in c.names]
        raw = read_table(path, sheet=sheet, known_headers=known)
        table = match_columns(raw, self.columns, self.header_required)
        self.table = table
        if not raw.rows:
            raise DomainValidationError(
                [
                    Problem(
                        "データの行がありません (見出しだけのファイルです)。ファイルが途中で切れていないか確かめてください",
                        "no data rows (only a header): check that the file was not cut short",
                        file=table.file,
                        row=raw.header_row,
                    )
                ]
            )
        self.report = LoadReport(kind=self.kind, file=table.file, dry_run=dry_run, blank=self.blank)
        self.report.field_names = {c.field: c.ja for c in self.columns}
        if raw.other_sheets:
            self.report.warn(
                f"シート「{raw.sheet}」だけを読みました (他のシート: {'、'.join(raw.other_sheets)})",
                f"read sheet {raw.sheet!r} only (other sheets: {', '.join(raw.other_sheets)})",
            )
        self.check_table(table)
        total = len(raw.rows)
        for i, (num, cells) in enumerate(raw.rows):
            row = Row(table, num, cells, self.problems, self.blank)
            self.build_row(row)
            for c, (j, _name) in table.columns.items():
                if j < len(cells) and is_clear_marker(cells[j]) and not self._clearable(c):
                    row.problem(c, "この列は消去できません (消去の印が使えるのは項目の列だけです)",
                                "this column cannot be cleared (the clear marker applies to field columns)", cells[j])  # fmt: skip
            if self.progress and (i % 200 == 0 or i == total - 1):
                self.progress(i + 1, total)
        self.report.rows_read = total
        self.finish_rows()
        done = finalize(
            self.store, self.drafts, list(self.rel_drafts.values()), replace_rels=self.replace_rels
        )
        if self.problems or done.problems:
            raise DomainValidationError(_sorted(self.problems + done.problems))
        self.check_endpoints(done.batch)
        batch = done.batch
        self.report.changes = done.changes
        for n in batch.nodes:
            self.report.nodes[n.label.value] = self.report.nodes.get(n.label.value, 0) + 1
        for r in batch.rels:
            self.report.rels[r.type.value] = self.report.rels.get(r.type.value, 0) + 1
        if not dry_run and len(batch):
            self.report.result = self.store.write(batch)
        return self.report

    def _clearable(self, column_field: str) -> bool:
        """Whether a clear marker in this column means something (it names a record field or part of one)."""
        return column_field != "id" and (
            column_field in _COLUMN_PARTS or column_field in self.field_columns.values()
        )

    def check_endpoints(self, batch: Any) -> None:
        """Every relationship's ends, and every plain reference, must be in this file or already in the store."""
        in_file = {n.ref for n in batch.nodes}
        wanted: dict[NodeLabel, set[str]] = {}
        for r in batch.rels:
            for ref in (r.src, r.dst):
                if ref not in in_file:
                    wanted.setdefault(ref.label, set()).add(ref.id)
        for _row, _f, ref in self.references:
            if ref not in in_file:
                wanted.setdefault(ref.label, set()).add(ref.id)
        existing: set[NodeRef] = set()
        for label, ids in wanted.items():
            id_list = sorted(ids)
            for k in range(0, len(id_list), 500):
                existing |= {n.ref for n in self.store.get_nodes(label, id_list[k : k + 500])}
        problems: list[Problem] = []
        origins = {d.key: d.origin for d in self.rel_drafts.values()}
        for r in batch.rels:
            key = (r.type, r.src, r.dst)
            origin = origins.get(key) or (self.drafts[r.src].origin if r.src in self.drafts else Origin())
            for ref, end_ja, end_en, col_key in (
                (r.src, "始点", "source", "_src"),
                (r.dst, "終点", "target", "_dst"),
            ):
                if ref in in_file or ref in existing:
                    continue
                column = origin.columns.get(col_key) or _rel_field_column(origin, r.type)
                problems.append(
                    Problem(
                        f"{r.type.ja} ({r.type.value}) の{end_ja} {ref.label.ja}「{ref.id}」が"
                        "データベースにもこのファイルにもありません",
                        f"{r.type.value} {end_en} {ref} exists neither in the store nor in this file",
                        file=origin.file or self.report.file,
                        row=origin.row,
                        column=column or None,
                        value=ref.id,
                    )
                )
        for row, f, ref in self.references:
            if ref not in in_file and ref not in existing:
                row.problems = problems
                row.problem(
                    f,
                    f"{ref.label.ja}「{ref.id}」がデータベースにもこのファイルにもありません",
                    f"{ref} exists neither in the store nor in this file",
                    ref.id,
                )
        if problems:
            raise EndpointMissingError(_sorted(problems))


def _rel_field_column(origin: Origin, rel_type: RelType) -> str | None:
    field_ = {
        RelType.IN_AREA: "area_id",
        RelType.MEMBER_OF: "household_id",
        RelType.HOSTED_BY: "host_id",
        RelType.ABOUT: "household_id",
    }.get(rel_type)
    cols = origin.columns
    if rel_type is RelType.IN_AREA and "parent_id" in cols and "area_id" not in cols:
        field_ = "parent_id"
    return cols.get(field_) if field_ else None


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file or "", p.row or 0, p.column or ""))


def _json(value: Any) -> str:
    import json

    return json.dumps(
        value.model_dump(mode="json") if hasattr(value, "model_dump") else value, ensure_ascii=False
    )
