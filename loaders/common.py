"""Machinery every tabular loader shares.

A loader (1) reads a file into a :class:`~loaders.tabular.RawTable`, (2) matches its header against the kind's
:class:`Column` s (Japanese names and English aliases, after NFKC normalisation), (3) parses and validates every
row, collecting *all* problems with file, row and column, (4) checks ids are unique in the file and that every
relationship's endpoints exist in the store or the file, and only then (5) writes everything in one
``store.write(WriteBatch(...))``: all rows or none. Loading the same file twice changes nothing, because every
write is an upsert by id and identical properties count as no change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError

from graphsvc.domain.codec import Props, problems_from_validation, split_bilingual, to_props
from graphsvc.domain.enums import LabeledEnum, NodeLabel, RelType, Weekday
from graphsvc.domain.errors import DomainValidationError, EndpointMissingError, Problem
from graphsvc.domain.records import NODE_MODELS, REL_SPECS, NodeRecord
from graphsvc.domain.values import GeoPoint, Schedule, ScheduleSlot, in_japan, parse_hhmm
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch, WriteResult
from loaders import geo
from loaders.tabular import RawTable, _norm_header, read_table

__all__ = [
    "BAD",
    "CellError",
    "Column",
    "LoadReport",
    "Loader",
    "Row",
    "Table",
    "match_columns",
    "parse_bool",
    "parse_date",
    "parse_days",
    "parse_enum",
    "parse_enum_list",
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
        return {_norm_header(n) for n in self.names}


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


def match_columns(raw: RawTable, columns: Sequence[Column]) -> Table:
    """Match a header to the columns; a missing required column or a column given twice is an error."""
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
        key = _norm_header(name)
        col = by_key.get(key) or by_key.get(_strip_parens(key))
        if col is None:
            unknown.append(name)
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
        if c.required and c.field not in found:
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


# ---------------------------------------------------------------- rows


@dataclass
class Row:
    """One data row of a :class:`Table`; records its problems in the loader."""

    table: Table
    number: int
    cells: list[str]
    problems: list[Problem]

    def get(self, field_: str) -> str | None:
        """The stripped text of a cell, ``None`` if the column is absent or the cell blank."""
        pos = self.table.columns.get(field_)
        if pos is None or pos[0] >= len(self.cells):
            return None
        text = self.cells[pos[0]].strip()
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
    approximate_locations: int = 0
    approximate_sources: dict[str, int] = field(default_factory=dict)
    missing_locations: int = 0
    warnings: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    dry_run: bool = False

    def warn(self, message_ja: str, message_en: str) -> None:
        self.warnings.append(f"{message_ja} ({message_en})")

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a small table, Japanese first."""
        r = self.result
        out = [
            ("ファイル (file)", self.file),
            ("種類 (kind)", self.kind),
            ("読み込んだ行 (rows read)", str(self.rows_read)),
        ]
        for label, n in sorted(self.nodes.items()):
            out.append((f"{NodeLabel(label).ja} ({label})", str(n)))
        for t, n in sorted(self.rels.items()):
            out.append((f"関係 {RelType(t).ja} ({t})", str(n)))
        out += [
            ("ノード 新規/更新 (nodes created/updated)", f"{r.nodes_created} / {r.nodes_updated}"),
            ("関係 新規/更新 (relationships created/updated)", f"{r.rels_created} / {r.rels_updated}"),
            ("概略の位置 (approximate locations)", str(self.approximate_locations)),
            ("位置不明 (no location)", str(self.missing_locations)),
            ("警告 (warnings)", str(len(self.warnings))),
        ]
        return out


# ---------------------------------------------------------------- the loader


@dataclass
class Pending:
    """A node or relationship built from a row, with where it came from (for located errors)."""

    row: int
    id_column: str | None


class Loader:
    """Collects nodes and relationships from rows, checks them, and writes them in one batch.

    Subclasses set :attr:`kind` and :attr:`columns` and implement :meth:`build_row`.
    """

    kind: str = ""
    columns: Sequence[Column] = ()
    #: the file's own node label (for duplicate-id checks); ``None`` for relationship lists
    label: NodeLabel | None = None

    def __init__(self, store: GraphStore, *, progress: ProgressFn | None = None):
        self.store = store
        self.progress = progress
        self.problems: list[Problem] = []
        self.nodes: dict[NodeRef, NodeRow] = {}
        self.node_origin: dict[NodeRef, Pending] = {}
        self.rels: dict[tuple[RelType, NodeRef, NodeRef], RelRow] = {}
        self.rel_origin: dict[tuple[RelType, NodeRef, NodeRef], tuple[Pending, str | None, str | None]] = {}
        self.report = LoadReport(kind=self.kind, file="")
        self._area_cache: dict[str, Props | None] = {}
        self.table: Table | None = None

    # -- subclass API
    def build_row(self, row: Row) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_table(self, table: Table) -> None:
        """Hook after the header was matched (e.g. warn about missing standard columns)."""

    def finish_rows(self) -> None:
        """Hook after every row was built (e.g. merge households gathered from several rows)."""

    # -- helpers for subclasses
    def validate(
        self, row: Row, label: NodeLabel, data: Mapping[str, Any], columns: Mapping[str, str]
    ) -> NodeRecord | None:
        """Validate ``data`` as a ``label`` record; problems get the row and the column (``columns`` maps a field
        to its column key in :attr:`columns`)."""
        model = NODE_MODELS[label]
        try:
            return model.model_validate(dict(data))
        except ValidationError as err:
            written = {f: row.col(c) or c for f, c in columns.items()}
            for p in problems_from_validation(err, file=row.table.file, row=row.number, columns=written):
                self.problems.append(p)
            return None

    def add_node(
        self, row: Row, record: NodeRecord, id_field: str = "id", *, check_duplicate: bool = True
    ) -> NodeRef:
        ref = NodeRef(record.label, record.id)
        if check_duplicate and ref in self.nodes:
            first = self.node_origin[ref].row
            row.problem(
                id_field,
                f"ID「{record.id}」がファイル内で重複しています ({first}行目と同じ)",
                f"duplicate id {record.id!r} in the file (first on row {first})",
                record.id,
            )
            return ref
        self.nodes[ref] = NodeRow(record.label, record.id, to_props(record))
        self.node_origin[ref] = Pending(row.number, row.col(id_field))
        return ref

    def add_rel(
        self,
        row: Row,
        rel_type: RelType,
        src: NodeRef,
        dst: NodeRef,
        props: Props | None = None,
        *,
        src_field: str | None = None,
        dst_field: str | None = None,
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
        self.rels[key] = RelRow(rel_type, src, dst, dict(props or {}))
        self.rel_origin[key] = (Pending(row.number, None), src_field, dst_field)

    def area_props(self, area_id: str) -> Props | None:
        """An Area's properties, from this file or the store (cached)."""
        ref = NodeRef(NodeLabel.AREA, area_id)
        if ref in self.nodes:
            return self.nodes[ref].props
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
        """Read, validate and (unless ``dry_run``) write the file; raises with every problem found."""
        known = [n for c in self.columns for n in c.names]
        raw = read_table(path, sheet=sheet, known_headers=known)
        table = match_columns(raw, self.columns)
        self.table = table
        self.report = LoadReport(kind=self.kind, file=table.file, dry_run=dry_run)
        self.report.unknown_columns = list(table.unknown)
        if table.unknown:
            self.report.warn(
                f"使われない列があります: {'、'.join(table.unknown)}",
                f"unknown columns ignored: {', '.join(table.unknown)}",
            )
        self.check_table(table)
        total = len(raw.rows)
        for i, (num, cells) in enumerate(raw.rows):
            self.build_row(Row(table, num, cells, self.problems))
            if self.progress and (i % 200 == 0 or i == total - 1):
                self.progress(i + 1, total)
        self.report.rows_read = total
        self.finish_rows()
        self.check_endpoints()
        if self.problems:
            raise DomainValidationError(sorted(self.problems, key=lambda p: (p.row or 0, p.column or "")))
        batch = WriteBatch(nodes=list(self.nodes.values()), rels=list(self.rels.values()))
        for n in batch.nodes:
            self.report.nodes[n.label.value] = self.report.nodes.get(n.label.value, 0) + 1
        for r in batch.rels:
            self.report.rels[r.type.value] = self.report.rels.get(r.type.value, 0) + 1
        if not dry_run:
            self.report.result = self.store.write(batch)
        return self.report

    def check_endpoints(self) -> None:
        """Every relationship's ends must be in this file or already in the store."""
        wanted: dict[NodeLabel, set[str]] = {}
        for _, src, dst in self.rels:
            for ref in (src, dst):
                if ref not in self.nodes:
                    wanted.setdefault(ref.label, set()).add(ref.id)
        existing: set[NodeRef] = set()
        for label, ids in wanted.items():
            id_list = sorted(ids)
            for k in range(0, len(id_list), 500):
                existing |= {n.ref for n in self.store.get_nodes(label, id_list[k : k + 500])}
        problems: list[Problem] = []
        for key, (origin, src_col, dst_col) in self.rel_origin.items():
            rel_type, src, dst = key
            for ref, col, end_ja, end_en in (
                (src, src_col, "始点", "source"),
                (dst, dst_col, "終点", "target"),
            ):
                if ref in self.nodes or ref in existing:
                    continue
                problems.append(
                    Problem(
                        f"{rel_type.ja} ({rel_type.value}) の{end_ja} {ref.label.ja}「{ref.id}」が"
                        "データベースにもこのファイルにもありません",
                        f"{rel_type.value} {end_en} {ref} exists neither in the store nor in this file",
                        file=self.report.file,
                        row=origin.row,
                        column=self.table.col(col) if (self.table and col) else None,
                        field=col,
                        value=ref.id,
                    )
                )
        if problems and not self.problems:
            raise EndpointMissingError(sorted(problems, key=lambda p: p.row or 0))
        self.problems.extend(problems)


def merge_existing(store: GraphStore, rows: Iterable[NodeRow]) -> list[NodeRow]:
    """Rows whose properties are laid over what the store already holds for them (for nodes a file only
    mentions in passing, e.g. households named in a persons file: their other properties are kept)."""
    rows = list(rows)
    by_label: dict[NodeLabel, list[NodeRow]] = {}
    for r in rows:
        by_label.setdefault(r.label, []).append(r)
    out: list[NodeRow] = []
    for label, group in by_label.items():
        stored = {n.id: n.props for n in store.get_nodes(label, [r.id for r in group])}
        for r in group:
            old = {k: v for k, v in stored.get(r.id, {}).items() if k != "town"}
            new = dict(r.props)
            if new.get("location_approximate") and old.get("location_approximate") is False:
                for k in ("lat", "lon", "location_approximate", "location_source"):  # keep the better point
                    new.pop(k, None)
            props = {**old, **new}
            out.append(NodeRow(label, r.id, props))
    return out
