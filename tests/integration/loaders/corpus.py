"""A deterministic corpus of damaged input files derived from ``examples/``, each with its expected outcome.

:func:`generate` returns :class:`Case` s, built in memory (no randomness but a seeded ``random.Random``, so the
corpus is the same on every run). Each case is one input (a file, or a folder for HSDS) loaded into a store that
holds every example, and says what must happen:

* ``refuse``: the load raises a located error and the store is exactly as before (a full dump compared);
* ``accept``: the load succeeds and the store changes exactly by :class:`Delta` (nothing, for damage that is
  harmless by the contract: an empty cell or a missing column keeps the stored value; a re-encoded file reads the
  same).

Families (see :data:`FAMILIES`): truncations (at byte fractions, inside a character, without the final line break,
header only, empty), short and long rows, shifted columns, damaged headers (NUL, stray character, unknown name,
missing or duplicated cell; NFKC variants and title rows are accepted), encodings (CP932, UTF-8 with BOM, UTF-16 with
BOM accepted; UTF-16 without BOM, UTF-8/CP932 mixes and mojibake refused), NUL and control characters, stray BOM and
U+FFFD, 100 KB cells, formula strings (accepted verbatim: the exports neutralise them), impossible dates, unknown
references, duplicate ids (identical rows accepted, conflicting ones refused), blank cells and missing columns
(accepted, nothing erased), clear markers and ``--blank clear`` (exactly that field cleared), Excel workbooks with
extra or cover sheets, merged header or data cells, unsaved formulas, error values and truncated zips, and HSDS JSON
and tabular CSV damaged likewise (cut, control characters, deep nesting, wrong encodings, conflicting duplicates,
unknown references, invalid dates and types, missing required fields).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import openpyxl
from openpyxl.utils.exceptions import IllegalCharacterError

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
SEED = 17
EVIL = "=cmd|' /C calc'!A0"

Outcome = Literal["refuse", "accept"]


@dataclass
class Delta:
    """Expected changes to the dump: node key → property → new value; node key → properties removed."""

    set_props: dict[str, dict[str, Any]] = field(default_factory=dict)
    del_props: dict[str, set[str]] = field(default_factory=dict)

    def apply(self, dump: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
        nodes = {k: dict(v) for k, v in dump["nodes"].items()}
        for key, props in self.set_props.items():
            nodes[key].update(props)
        for key, names in self.del_props.items():
            for n in names:
                nodes[key].pop(n, None)
        return {"nodes": nodes, "rels": dump["rels"]}


@dataclass
class Case:
    name: str
    family: str
    kind: str
    files: dict[str, bytes]
    expect: Outcome
    delta: Delta = field(default_factory=Delta)
    blank: str = "keep"
    folder: bool = False

    @property
    def target(self) -> str:
        return "" if self.folder else next(iter(self.files))


@dataclass(frozen=True)
class Spec:
    """How to damage one example file: its kind, encoding, id column, node label and the columns to play with."""

    kind: str
    file: str
    encoding: str
    id_col: str | None
    label: str | None
    text: tuple[str, str] | None = None  # (column, property) of free text
    clear: tuple[str, str] | None = None  # (column, property) that may be cleared
    dates: tuple[tuple[str, str], ...] = ()  # (column, impossible value)
    refs: tuple[tuple[str, str], ...] = ()  # (column, unknown id)
    paired: frozenset[str] = frozenset()  # columns that must not be blanked alone (lat/lon, days/times)


SPECS = (
    Spec("persons", "persons.csv", "utf-8", "個人ID", "Person", ("氏名", "name"), ("備考", "notes"),
         (("生年", "2999"), ("生年", "1850"), ("生年", "1990-02-30")), (("地区", "A-NOWHERE"),),
         frozenset({"緯度", "経度"})),
    Spec("agencies", "agencies.csv", "utf-8", "機関ID", "Agency", ("機関名", "name"), ("電話番号", "phone"), (),
         (("地区ID", "A-NOWHERE"),), frozenset({"緯度", "経度", "曜日", "時間帯"})),
    Spec("venues", "venues.csv", "utf-8", "居場所ID", "Venue", ("名称", "name"), ("活動内容", "activities"), (),
         (("地区ID", "A-NOWHERE"),), frozenset({"緯度", "経度", "曜日", "時間帯", "定員", "空き"})),
    Spec("employers", "employers.csv", "utf-8", "事業所ID", "Employer", ("事業所名", "name"), ("業種", "industry"),
         (), (("地区ID", "A-NOWHERE"),), frozenset({"緯度", "経度"})),
    Spec("supporters", "supporters.csv", "utf-8", "支援者ID", "Supporter", ("氏名", "name"), ("氏名", "name"), (),
         (("所属機関ID", "AG-NOWHERE"), ("担当地区ID", "A-NOWHERE"))),
    Spec("households", "households.csv", "utf-8", "household_id", "Household", ("address", "address"),
         ("address", "address"), (), (("area_id", "A-NOWHERE"),)),
    Spec("areas", "areas.csv", "utf-8", "地区ID", "Area", ("地区名", "name"), ("市区町村コード", "code"), (),
         (("上位地区ID", "A-NOWHERE"),), frozenset({"中心緯度", "中心経度"})),
    Spec("cases", "cases.csv", "utf-8", "ケースID", "Case", ("概要", "summary"), ("概要", "summary"),
         (("受付日", "2999-01-01"), ("受付日", "1899-12-31"), ("受付日", "2024-02-30"), ("終結日", "2024-13-01")),
         (("担当機関ID", "AG-NOWHERE"), ("世帯ID", "H-NOWHERE"), ("本人ID", "P-NOWHERE"))),
    Spec("ties", "ties.csv", "utf-8", None, None, None, None,
         (("開始日", "2999-01-01"), ("開始日", "2024-13-01")), (("終点ID", "X-NOWHERE"),),
         frozenset({"関係", "始点ID", "終点ID", "始点種別", "終点種別"})),
    Spec("opportunities", "opportunities.csv", "utf-8", "メニューID", "Opportunity", ("名称", "title"),
         ("担当者", "contact_person"), (), (("受け入れ先ID", "E-NOWHERE"),), frozenset({"曜日", "時間帯", "定員", "空き"})),
    Spec("kaigo-opendata", "kaigo_opendata.csv", "cp932", None, "Agency", ("介護サービス事業所名称", "name"),
         ("備考", "notes"), (), (), frozenset({"緯度", "経度", "利用可能曜日", "開始時間", "終了時間"})),
)  # fmt: skip


# ---------------------------------------------------------------- helpers


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _write(rows: list[list[str]], newline: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    return buf.getvalue()


class Table:
    """An example CSV file: its text, rows, and how to write it back."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.raw = (EXAMPLES / spec.file).read_bytes()
        self.text = self.raw.decode(spec.encoding)
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        self.rows = _parse(self.text)
        self.header = self.rows[0]

    def col(self, name: str) -> int:
        return self.header.index(name)

    def encode(self, text: str, encoding: str | None = None) -> bytes:
        return text.encode(encoding or self.spec.encoding)

    def bytes_of(self, rows: list[list[str]]) -> bytes:
        return self.encode(_write(rows, self.newline))

    def node_key(self, row: list[str]) -> str:
        """The dump key of the record a data row describes."""
        spec = self.spec
        if spec.kind == "kaigo-opendata":
            office = row[self.col("事業所番号")]
            rid = office or f"{row[self.col('都道府県コード又は市区町村コード')]}-{row[self.col('NO')]}"
            return f"Agency:{rid}"
        assert spec.id_col is not None and spec.label is not None
        return f"{spec.label}:{row[self.col(spec.id_col)]}"


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _first_row_with(t: Table, column: str) -> int:
    j = t.col(column)
    return next(i for i, r in enumerate(t.rows) if i and r[j].strip())


# ---------------------------------------------------------------- tabular families


def _truncations(t: Table, rng: random.Random) -> Iterator[tuple[str, bytes, Outcome]]:
    data = t.raw
    for frac in (0.13, 0.29, 0.41, 0.57, 0.66, 0.78, 0.91):
        cut = int(len(data) * frac)
        while data[cut - 1 : cut] in (b"\n", b"\r"):
            cut += 1
        yield f"cut at {frac:.0%}", data[:cut], "refuse"
    yield "no final line break", data.rstrip(b"\r\n"), "refuse"
    multibyte = (
        [i for i in range(len(data) // 3, len(data)) if data[i] >= 0xC0] if t.spec.encoding == "utf-8" else []
    )
    if multibyte:
        i = multibyte[rng.randrange(len(multibyte))]
        yield "cut inside a character", data[: i + 1], "refuse"
    header_end = data.index(b"\n") + 1
    yield "header only", data[:header_end], "refuse"
    yield "empty file", b"", "refuse"
    yield "only a byte-order mark and blank lines", b"\xef\xbb\xbf\n\n", "refuse"


def _rows_family(t: Table, rng: random.Random) -> Iterator[tuple[str, str, bytes, Outcome]]:
    n = len(t.rows)
    for k in sorted(rng.sample(range(1, n), min(2, n - 1))):
        rows = [list(r) for r in t.rows]
        rows[k] = rows[k][:-1]
        yield "short row", f"row {k + 1} lacks its last cell", t.bytes_of(rows), "refuse"
        rows = [list(r) for r in t.rows]
        rows[k] = [*rows[k], "余り"]
        yield "long row", f"row {k + 1} has an extra cell", t.bytes_of(rows), "refuse"
    rows = [list(r) for r in t.rows]
    rows[1] = [*rows[1], ""]
    yield "long row", "row 2 has an extra empty cell", t.bytes_of(rows), "refuse"
    rows = [list(r) for r in t.rows]
    rows[n - 1] = ["", *rows[n - 1]]
    yield "shifted columns", f"row {n} shifted right by one", t.bytes_of(rows), "refuse"
    rows = [t.rows[0]] + [["", *r[:-1]] for r in t.rows[1:]]
    yield "shifted columns", "every row shifted right, the last cell dropped", t.bytes_of(rows), "refuse"
    rows = [t.rows[0]] + [[*r[1:], ""] for r in t.rows[1:]]
    yield "shifted columns", "every row shifted left", t.bytes_of(rows), "refuse"


def _header_family(t: Table, rng: random.Random) -> Iterator[tuple[str, str, bytes, Outcome]]:
    h = t.header
    j = rng.randrange(len(h))

    def with_header(new: list[str], rows: list[list[str]] | None = None) -> bytes:
        return t.bytes_of([new, *(rows or t.rows[1:])])

    yield (
        "damaged header",
        f"NUL inside 「{h[j]}」",
        with_header([*h[:j], h[j] + "\x00", *h[j + 1 :]]),
        "refuse",
    )
    yield (
        "damaged header",
        f"stray character after 「{h[j]}」",
        with_header([*h[:j], h[j] + "x", *h[j + 1 :]]),
        "refuse",
    )
    yield "damaged header", "an unknown column name", with_header([*h[:-1], "好きな色"]), "refuse"
    yield "damaged header", "a header cell missing", with_header(h[:-1]), "refuse"
    k = (j + 1) % len(h)
    if h[k] != h[j]:
        yield (
            "damaged header",
            f"「{h[j]}」 written twice",
            with_header([*h[:k], h[j], *h[k + 1 :]]),
            "refuse",
        )
    wide = [
        c.translate({ord(ch): ord(ch) + 0xFEE0 for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}) for c in h
    ]
    yield "header variants", "full-width letters (NFKC equal)", with_header(wide), "accept"
    yield "header variants", "spaces around the names", with_header([f" {c} " for c in h]), "accept"
    title = [["令和6年度 一覧 (架空)", *[""] * (len(h) - 1)]]
    yield "header variants", "a title row above the header", t.bytes_of([*title, *t.rows]), "accept"


def _encoding_family(t: Table) -> Iterator[tuple[str, str, bytes, Outcome]]:
    text = t.text
    lines = text.splitlines(keepends=True)
    if t.spec.encoding == "utf-8":
        if _encodable(text, "cp932"):
            yield "encodings", "saved as CP932", text.encode("cp932"), "accept"
        yield "encodings", "UTF-8 with a byte-order mark", b"\xef\xbb\xbf" + t.raw, "accept"
        nonascii = [i for i, line in enumerate(lines) if not line.isascii()]
        if len(nonascii) >= 2:  # both halves must hold Japanese, or the file is just a CP932 file
            half = nonascii[len(nonascii) // 2]
            if _encodable("".join(lines[half:]), "cp932"):
                mixed = "".join(lines[:half]).encode() + "".join(lines[half:]).encode("cp932")
                yield "encodings", "first half UTF-8, the rest CP932", mixed, "refuse"
        mojibake = t.raw.decode("cp932", errors="replace").encode("utf-8")
        yield "encodings", "UTF-8 read as CP932 and saved again (mojibake)", mojibake, "refuse"
    else:
        yield "encodings", "saved as UTF-8", text.encode("utf-8"), "accept"
        yield (
            "encodings",
            "CP932 with one line in UTF-8",
            "".join(lines[:-1]).encode("cp932") + lines[-1].encode(),
            "refuse",
        )
    yield "encodings", "UTF-16 with a byte-order mark (Excel Unicode text)", text.encode("utf-16"), "accept"
    yield "encodings", "UTF-16 without a byte-order mark", text.encode("utf-16-le"), "refuse"
    yield (
        "encodings",
        "two files joined (a byte-order mark in the middle)",
        t.raw + b"\xef\xbb\xbf" + t.raw[t.raw.index(b"\n") + 1 :],
        "refuse",
    )


def _character_family(t: Table, rng: random.Random) -> Iterator[tuple[str, str, bytes, Outcome]]:
    k = rng.randrange(1, len(t.rows))
    j = max(range(len(t.header)), key=lambda c: len(t.rows[k][c]))
    for what, ch in (("NUL", "\x00"), ("ESC", "\x1b"), ("U+FFFD", "\ufffd"), ("vertical tab", "\x0b")):
        rows = [list(r) for r in t.rows]
        cell = rows[k][j]
        rows[k][j] = cell[: len(cell) // 2] + ch + cell[len(cell) // 2 :]
        text = _write(rows, t.newline)
        if _encodable(text, t.spec.encoding):
            yield "control characters", f"{what} inside row {k + 1}", t.encode(text), "refuse"
    yield "control characters", "NUL bytes after the last line", t.raw + b"\x00\x00", "refuse"
    if t.spec.text:
        rows = [list(r) for r in t.rows]
        rows[1][t.col(t.spec.text[0])] = "あ" * 35_000
        yield "100 KB cell", "a 105 KB name", t.bytes_of(rows), "refuse"
    rows = [list(r) for r in t.rows]
    rows[1][j] = rows[1][j] + "x" * 102_400
    yield "100 KB cell", "100 KB appended to a cell", t.bytes_of(rows), "refuse"


def _value_family(t: Table, rng: random.Random) -> Iterator[tuple[str, str, bytes, Outcome, Delta, str]]:
    spec = t.spec
    if spec.text:
        col, prop = spec.text
        k = _first_row_with(t, col)
        for formula in (EVIL, "@SUM(1+1)", "+81 599 00 0000", "-"):
            rows = [list(r) for r in t.rows]
            rows[k][t.col(col)] = formula
            delta = Delta(set_props={t.node_key(t.rows[k]): {prop: formula}})
            yield "formula strings", f"「{col}」 = {formula!r}", t.bytes_of(rows), "accept", delta, "keep"
    for col, value in spec.dates:
        rows = [list(r) for r in t.rows]
        rows[1][t.col(col)] = value
        yield "impossible dates", f"{col} {value}", t.bytes_of(rows), "refuse", Delta(), "keep"
    for col, value in spec.refs:
        rows = [list(r) for r in t.rows]
        k = rng.randrange(1, len(rows))
        rows[k][t.col(col)] = value
        yield (
            "unknown references",
            f"{col} {value} on row {k + 1}",
            t.bytes_of(rows),
            "refuse",
            Delta(),
            "keep",
        )
    # duplicates
    rows = [list(r) for r in t.rows]
    rows.append(list(rows[1]))
    yield "duplicate ids", "the first row repeated exactly", t.bytes_of(rows), "accept", Delta(), "keep"
    if spec.text:
        rows = [list(r) for r in t.rows]
        dup = list(rows[1])
        dup[t.col(spec.text[0])] = dup[t.col(spec.text[0])] + " (別)"
        rows.append(dup)
        yield (
            "duplicate ids",
            "the first row repeated with another name",
            t.bytes_of(rows),
            "refuse",
            Delta(),
            "keep",
        )
    # blank cells and missing columns keep the stored value
    keys = {spec.id_col} | spec.paired | {"都道府県コード又は市区町村コード", "NO", "住所", "方書"}
    candidates = [
        (k, j)
        for k in range(1, len(t.rows))
        for j, name in enumerate(t.header)
        if name not in keys and t.rows[k][j].strip()
    ]
    for k, j in sorted(rng.sample(candidates, min(4, len(candidates)))):
        rows = [list(r) for r in t.rows]
        rows[k][j] = ""
        yield (
            "blank cells",
            f"「{t.header[j]}」 blank on row {k + 1}",
            t.bytes_of(rows),
            "accept",
            Delta(),
            "keep",
        )
    droppable = [j for j, name in enumerate(t.header) if name not in keys]
    for j in sorted(rng.sample(droppable, min(2, len(droppable)))):
        rows = [[c for i, c in enumerate(r) if i != j] for r in t.rows]
        yield (
            "missing columns",
            f"column 「{t.header[j]}」 left out",
            t.bytes_of(rows),
            "accept",
            Delta(),
            "keep",
        )
    if spec.clear:
        col, prop = spec.clear
        k = _first_row_with(t, col)
        key = t.node_key(t.rows[k])
        for marker in ("#消去", "＃消去", "#CLEAR"):
            rows = [list(r) for r in t.rows]
            rows[k][t.col(col)] = marker
            delta = Delta(del_props={key: {prop}})
            yield "clear marker", f"「{col}」 {marker}", t.bytes_of(rows), "accept", delta, "keep"
        rows = [list(r) for r in t.rows]
        rows[k][t.col(col)] = ""
        rows = [rows[0], rows[k]]
        yield (
            "blank clear",
            f"「{col}」 blank with --blank clear",
            t.bytes_of(rows),
            "accept",
            Delta(del_props={key: {prop}}),
            "clear",
        )
    # layout that is not damage
    rows = [list(r) for r in t.rows]
    yield "layout", "CRLF line breaks", t.encode(_write(rows, "\r\n")), "accept", Delta(), "keep"
    text = _write(rows, t.newline)
    cut = text.index(t.newline) + len(t.newline)
    yield (
        "layout",
        "a blank line after the header",
        t.encode(text[:cut] + t.newline + text[cut:]),
        "accept",
        Delta(),
        "keep",
    )
    if not any("\t" in c for r in rows for c in r):
        tsv = "".join("\t".join(r) + t.newline for r in rows)
        yield "layout", "tab separated", t.encode(tsv), "accept", Delta(), "keep"


def _tabular_cases(rng: random.Random) -> Iterator[Case]:
    for spec in SPECS:
        t = Table(spec)
        name = spec.file

        def case(family: str, what: str, data: bytes, expect: Outcome, delta: Delta | None = None,
                 blank: str = "keep", spec: Spec = spec, name: str = name) -> Case:  # fmt: skip
            return Case(
                f"{spec.kind}: {what}", family, spec.kind, {name: data}, expect, delta or Delta(), blank
            )

        for what, data, expect in _truncations(t, rng):
            yield case("truncations", what, data, expect)
        for fam, what, data, expect in _rows_family(t, rng):
            yield case(fam, what, data, expect)
        for fam, what, data, expect in _header_family(t, rng):
            yield case(fam, what, data, expect)
        for fam, what, data, expect in _encoding_family(t):
            yield case(fam, what, data, expect)
        for fam, what, data, expect in _character_family(t, rng):
            yield case(fam, what, data, expect)
        for fam, what, data, expect, delta, blank in _value_family(t, rng):
            yield case(fam, what, data, expect, delta, blank)


# ---------------------------------------------------------------- Excel


def _xlsx(mutate: Callable[[openpyxl.Workbook], None]) -> bytes:
    """The example workbook changed by ``mutate``, saved with fixed times (the same bytes on every run)."""
    wb = openpyxl.load_workbook(EXAMPLES / "opportunities.xlsx")
    mutate(wb)
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-04-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (2024, 4, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _excel_cases() -> Iterator[Case]:
    def case(what: str, data: bytes, expect: Outcome, family: str = "excel") -> Case:
        return Case(
            f"opportunities.xlsx: {what}", family, "opportunities", {"opportunities.xlsx": data}, expect
        )

    def extra_sheet(wb: openpyxl.Workbook) -> None:
        wb.create_sheet("メモ").append(["これは説明です"])

    def cover_first(wb: openpyxl.Workbook) -> None:
        wb.create_sheet("表紙", 0).append(["みなと市 プチ勤務カタログ"])

    def merge_header(wb: openpyxl.Workbook) -> None:
        wb.active.merge_cells("I2:J2")  # type: ignore[union-attr]

    def merge_data(wb: openpyxl.Workbook) -> None:
        wb.active.merge_cells("E3:E4")  # type: ignore[union-attr]

    def unsaved_formula(wb: openpyxl.Workbook) -> None:
        wb.active["F3"] = "=UPPER(B3)"  # type: ignore[index]

    def error_value(wb: openpyxl.Workbook) -> None:
        wb.active["K3"] = "#REF!"  # type: ignore[index]

    def blank_cell(wb: openpyxl.Workbook) -> None:
        wb.active["P4"] = None  # type: ignore[index]

    def extra_column(wb: openpyxl.Workbook) -> None:
        wb.active.cell(row=5, column=25, value="余り")  # type: ignore[union-attr]

    def unknown_header(wb: openpyxl.Workbook) -> None:
        wb.active["S2"] = "在宅可否"  # type: ignore[index]

    def nul_cell(wb: openpyxl.Workbook) -> None:
        wb.active["B3"] = "漁網の\x07手入れ"  # type: ignore[index]

    yield case("an extra sheet after the data", _xlsx(extra_sheet), "accept")
    yield case("a cover sheet before the data", _xlsx(cover_first), "refuse")
    yield case("merged header cells", _xlsx(merge_header), "refuse")
    yield case("merged data cells", _xlsx(merge_data), "refuse")
    yield case("a formula without a saved result", _xlsx(unsaved_formula), "refuse")
    yield case("an Excel error value", _xlsx(error_value), "refuse")
    yield case("a blank cell keeps the stored value", _xlsx(blank_cell), "accept")
    yield case("a value beyond the last header", _xlsx(extra_column), "refuse")
    yield case("an unknown header", _xlsx(unknown_header), "refuse")
    try:
        control = _xlsx(nul_cell)
    except IllegalCharacterError:  # openpyxl refuses to write it: nothing to test
        control = b""
    if control:
        yield case("a control character in a cell", control, "refuse")
    raw = (EXAMPLES / "opportunities.xlsx").read_bytes()
    for frac in (0.2, 0.5, 0.8, 0.99):
        yield case(f"cut at {frac:.0%}", raw[: int(len(raw) * frac)], "refuse", "truncations")
    yield case("a CSV named .xlsx", (EXAMPLES / "opportunities.csv").read_bytes(), "refuse", "excel")


# ---------------------------------------------------------------- HSDS


def _hsds_cases(rng: random.Random) -> Iterator[Case]:
    town = EXAMPLES / "hsds" / "town"
    jfiles = {p.name: p.read_bytes() for p in sorted(town.glob("*.json"))}
    tfiles = {p.name: p.read_bytes() for p in sorted((town / "tabular").glob("*.csv"))}

    def jcase(
        what: str, family: str, changes: dict[str, bytes], expect: Outcome, delta: Delta | None = None
    ) -> Case:
        return Case(
            f"hsds json: {what}", family, "hsds", {**jfiles, **changes}, expect, delta or Delta(), folder=True
        )

    def tcase(
        what: str, family: str, changes: dict[str, bytes], expect: Outcome, delta: Delta | None = None
    ) -> Case:
        return Case(
            f"hsds csv: {what}", family, "hsds", {**tfiles, **changes}, expect, delta or Delta(), folder=True
        )

    services = json.loads(jfiles["services.json"])
    orgs = json.loads(jfiles["organizations.json"])

    def dumps(doc: Any) -> bytes:
        return json.dumps(doc, ensure_ascii=False, indent=1).encode()

    raw = jfiles["services.json"]
    for frac in (0.1, 0.33, 0.5, 0.75, 0.95):
        yield jcase(
            f"services.json cut at {frac:.0%}",
            "truncations",
            {"services.json": raw[: int(len(raw) * frac)]},
            "refuse",
        )
    yield jcase("organizations.json empty", "truncations", {"organizations.json": b""}, "refuse")
    for what, ch in (("NUL", "\u0000"), ("ESC", "\u001b"), ("U+FFFD", "\ufffd"), ("BOM", "\ufeff")):
        doc = json.loads(jfiles["organizations.json"])
        doc[0]["name"] = doc[0]["name"][:2] + ch + doc[0]["name"][2:]
        yield jcase(
            f"{what} in an organization name",
            "control characters",
            {"organizations.json": dumps(doc)},
            "refuse",
        )
    yield jcase("nested 200 deep", "deep nesting", {"services.json": b"[" * 200 + raw + b"]" * 200}, "refuse")
    yield jcase(
        "nested 100000 deep", "deep nesting", {"services.json": b"[" * 100_000 + b"]" * 100_000}, "refuse"
    )
    text = raw.decode("utf-8")
    yield jcase(
        "services.json in CP932",
        "encodings",
        {"services.json": text.encode("cp932", errors="replace")},
        "refuse",
    )
    yield jcase("services.json in UTF-16", "encodings", {"services.json": text.encode("utf-16")}, "refuse")
    yield jcase(
        "services.json with a UTF-8 byte-order mark",
        "encodings",
        {"services.json": b"\xef\xbb\xbf" + raw},
        "accept",
    )
    dup = [*services, {**services[0], "name": services[0]["name"] + " (別)"}]
    yield jcase("a service twice with other names", "duplicate ids", {"services.json": dumps(dup)}, "refuse")
    same = [*services, services[0]]
    yield jcase("a service twice, identical", "duplicate ids", {"services.json": dumps(same)}, "accept")
    lone = {k: v for k, v in services[0].items() if k not in ("organization",)}
    lone["organization_id"] = "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0999"
    yield jcase(
        "a service of an unknown organization",
        "unknown references",
        {"services.json": dumps([*services[1:], lone])},
        "refuse",
    )
    bad_date = json.loads(jfiles["services.json"])
    with_sched = next(s for s in bad_date if s.get("schedules"))
    with_sched["schedules"][0]["valid_from"] = "2024-02-30"
    yield jcase(
        "a schedule valid from 2024-02-30", "impossible dates", {"services.json": dumps(bad_date)}, "refuse"
    )
    bad_type = json.loads(jfiles["locations.json"])
    bad_type[0]["latitude"] = "北緯34度"
    yield jcase("a latitude that is text", "wrong types", {"locations.json": dumps(bad_type)}, "refuse")
    no_name = json.loads(jfiles["services.json"])
    del no_name[0]["name"]
    yield jcase("a service without its name", "missing fields", {"services.json": dumps(no_name)}, "refuse")

    def node_of_org(org: dict[str, Any]) -> str:
        ident = next(i for i in org["organization_identifiers"] if i["identifier_scheme"] == "tsunagari")
        return f"{ident['identifier_type']}:{ident['identifier']}"

    named = [
        o for o in orgs if any(i["identifier_type"] != "town" for i in o.get("organization_identifiers", []))
    ]
    target = named[rng.randrange(len(named))]
    for formula in (EVIL, "@SUM(1+1)"):
        doc = json.loads(jfiles["organizations.json"])
        for o in doc:
            if o["id"] == target["id"]:
                o["name"] = formula
        svc = json.loads(jfiles["services.json"])  # the organization is nested in its services too
        for s in svc:
            if s.get("organization", {}).get("id") == target["id"]:
                s["organization"]["name"] = formula
        delta = Delta(set_props={node_of_org(target): {"name": formula}})
        yield jcase(f"organization named {formula!r}", "formula strings",
                    {"organizations.json": dumps(doc), "services.json": dumps(svc)}, "accept", delta)  # fmt: skip

    # the tabular form
    org_csv = tfiles["organizations.csv"]
    for frac in (0.25, 0.5, 0.8):
        cut = int(len(org_csv) * frac)
        while org_csv[cut - 1 : cut] == b"\n":
            cut += 1
        yield tcase(
            f"organizations.csv cut at {frac:.0%}",
            "truncations",
            {"organizations.csv": org_csv[:cut]},
            "refuse",
        )
    rows = _parse(tfiles["services.csv"].decode())
    short = [list(r) for r in rows]
    short[1] = short[1][:-1]
    yield tcase(
        "services.csv short row", "short rows", {"services.csv": _write(short, "\n").encode()}, "refuse"
    )
    long_ = [list(r) for r in rows]
    long_[2] = [*long_[2], "x"]
    yield tcase(
        "services.csv long row", "long rows", {"services.csv": _write(long_, "\n").encode()}, "refuse"
    )
    hdr = [list(r) for r in rows]
    hdr[0][1] = hdr[0][1] + "\x00"
    yield tcase(
        "NUL in a services.csv header",
        "damaged header",
        {"services.csv": _write(hdr, "\n").encode()},
        "refuse",
    )
    hdr = [list(r) for r in rows]
    hdr[0][1] = "nmae"
    yield tcase(
        "a misspelt services.csv header",
        "damaged header",
        {"services.csv": _write(hdr, "\n").encode()},
        "refuse",
    )
    yield tcase("organizations.csv in CP932", "encodings",
                {"organizations.csv": org_csv.decode().encode("cp932", errors="strict")}, "accept")  # fmt: skip
    yield tcase("organizations.csv in UTF-16 without BOM", "encodings",
                {"organizations.csv": org_csv.decode().encode("utf-16-le")}, "refuse")  # fmt: skip
    sal = _parse(tfiles["service_at_location.csv"].decode())
    sal[1][sal[0].index("location_id")] = "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0999"
    yield tcase("a service at an unknown location", "unknown references",
                {"service_at_location.csv": _write(sal, "\n").encode()}, "refuse")  # fmt: skip
    attrs = _parse(tfiles["attributes.csv"].decode())
    attrs[3][attrs[0].index("taxonomy_term_id")] = "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0998"
    yield tcase("an attribute of an unknown term", "unknown references",
                {"attributes.csv": _write(attrs, "\n").encode()}, "refuse")  # fmt: skip
    orows = _parse(org_csv.decode())
    k = next(i for i, r in enumerate(orows) if i and r[0] == target["id"])
    orows[k][orows[0].index("name")] = (
        "'" + EVIL
    )  # as the exporter writes it: the guard quote is removed on reading
    yield tcase("a formula name written as the exporter does", "formula strings",
                {"organizations.csv": _write(orows, "\n").encode()}, "accept",
                Delta(set_props={node_of_org(target): {"name": EVIL}}))  # fmt: skip
    dup = _parse(org_csv.decode())
    dup.append([*dup[1][:1], dup[1][1] + " (別)", *dup[1][2:]])
    yield tcase("an organization twice with other names", "duplicate ids",
                {"organizations.csv": _write(dup, "\n").encode()}, "refuse")  # fmt: skip


FAMILIES = (
    "truncations", "short row", "long row", "shifted columns", "damaged header", "header variants", "encodings",
    "control characters", "100 KB cell", "formula strings", "impossible dates", "unknown references",
    "duplicate ids", "blank cells", "missing columns", "clear marker", "blank clear", "layout", "excel",
    "deep nesting", "wrong types", "missing fields", "short rows", "long rows",
)  # fmt: skip


def generate() -> list[Case]:
    """The whole corpus, in a fixed order (same seed, same cases, same bytes)."""
    rng = random.Random(SEED)
    cases = [*_tabular_cases(rng), *_excel_cases(), *_hsds_cases(rng)]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases
