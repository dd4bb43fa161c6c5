"""Reading municipal CSV and Excel files into a plain table of strings, with located errors.

* CSV: UTF-8 (with or without BOM) is tried strictly first, then CP932 (what Japanese Excel writes). A file
  that is neither is rejected naming the file and the byte offset where decoding failed.
* Excel (``.xlsx``/``.xlsm``): the first sheet, or the named one, read with openpyxl in read-only mode. Merged
  cells in the header row are rejected (naming file, sheet, row and cells): the merge ranges are read from the
  sheet's XML, since read-only worksheets do not expose them.

Row numbers are the numbers a user sees: the spreadsheet row in Excel, the record number in a CSV (the header
is row 1; a quoted field spanning several lines still counts as one record).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from graphsvc.domain.errors import DomainValidationError, Problem

__all__ = [
    "EXCEL_SUFFIXES",
    "RawTable",
    "decode_bytes",
    "read_csv",
    "read_excel",
    "read_table",
]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_HEADER_SCAN_ROWS = 10


@dataclass
class RawTable:
    """A file's header (as written) and its data rows, each with its row number as the user sees it."""

    file: str
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None


def _error(message_ja: str, message_en: str, **where: object) -> DomainValidationError:
    return DomainValidationError([Problem(message_ja, message_en, **where)])  # type: ignore[arg-type]


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode a CSV's bytes: UTF-8 (BOM optional) strictly, else CP932; returns (text, encoding)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf_err:
        try:
            return data.decode("cp932"), "cp932"
        except UnicodeDecodeError as sj_err:
            raise _error(
                f"文字コードを判別できません: UTF-8 では {utf_err.start} バイト目、CP932 (Shift_JIS) では "
                f"{sj_err.start} バイト目が読めません。UTF-8 か CP932 で保存し直してください",
                f"cannot decode the file: invalid UTF-8 at byte offset {utf_err.start} and invalid CP932 at "
                f"byte offset {sj_err.start}; save it as UTF-8 or CP932 (Shift_JIS)",
                file=file,
                value=f"byte {utf_err.start}",
            ) from None


def _nonempty(cells: Sequence[str]) -> bool:
    return any(c.strip() for c in cells)


def _pick_header(
    rows: list[tuple[int, list[str]]], known: Iterable[str] | None, file: str
) -> tuple[int, int, list[str]]:
    """Index in ``rows``, row number and cells of the header: the first of the first rows holding a known
    column name (title rows above the header are skipped), else the first non-empty row."""
    known_set = set(known or ())
    first: tuple[int, int, list[str]] | None = None
    for i, (num, cells) in enumerate(rows[:_HEADER_SCAN_ROWS]):
        if not _nonempty(cells):
            continue
        if first is None:
            first = (i, num, cells)
        if known_set and any(_norm_header(c) in known_set for c in cells):
            return i, num, cells
    if first is None:
        raise _error("見出し行がありません (空のファイルです)", "no header row: the file is empty", file=file)
    return first


def _norm_header(text: str) -> str:
    """The normalised form of a header cell (NFKC, no spaces, case-folded); also used by column matching."""
    t = unicodedata.normalize("NFKC", text).strip().strip("*※").casefold()
    return re.sub(r"[\s_\-]+", "", t)


def read_csv(path: Path, *, known_headers: Iterable[str] | None = None) -> RawTable:
    """Read a CSV file (UTF-8 or CP932; comma separated; a tab-separated file is detected)."""
    file = path.name
    text, encoding = decode_bytes(path.read_bytes(), file)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [(i + 1, [c.strip() for c in rec]) for i, rec in enumerate(reader)]
    except csv.Error as err:
        raise _error(
            f"CSVとして読めません ({reader.line_num}行目付近)",
            f"not a valid CSV near line {reader.line_num}: {err}",
            file=file,
            row=reader.line_num,
        ) from None
    idx, num, header = _pick_header(records, known_headers, file)
    rows = [(n, cells) for n, cells in records[idx + 1 :] if _nonempty(cells)]
    return RawTable(file=file, header=header, header_row=num, rows=rows, encoding=encoding)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.year > 1900:
            return value.date().isoformat()
        if value.year <= 1900:  # a time typed into a date-time cell
            return value.strftime("%H:%M")
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return str(value).strip()


_CELL_RE = re.compile(r"^([A-Z]+)(\d+)$")


def _merged_ranges(path: Path, sheet_index: int) -> list[str]:
    """The ``mergeCell`` ranges of the sheet at ``sheet_index``, read from the workbook XML."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    with zipfile.ZipFile(path) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        sheets = wb.findall("m:sheets/m:sheet", ns)
        rid = sheets[sheet_index].get(f"{{{ns['r']}}}id")
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels.findall("p:Relationship", ns) if r.get("Id") == rid)
        assert target is not None
        part = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
        root = ET.fromstring(zf.read(part))
        return [str(mc.get("ref")) for mc in root.findall("m:mergeCells/m:mergeCell", ns)]


def _range_rows(ref: str) -> tuple[int, int]:
    parts = ref.split(":")
    nums = [int(m.group(2)) for p in parts if (m := _CELL_RE.match(p))]
    return (min(nums), max(nums)) if nums else (0, -1)


def read_excel(
    path: Path, *, sheet: str | None = None, known_headers: Iterable[str] | None = None
) -> RawTable:
    """Read the first (or the named) sheet of an .xlsx workbook."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    file = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as err:
        raise _error(
            "Excelファイル (.xlsx) として開けません",
            f"cannot open as an Excel workbook (.xlsx): {err}",
            file=file,
        ) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            index = 0
        elif sheet in names:
            index = names.index(sheet)
        else:
            raise _error(
                f"シート「{sheet}」がありません (あるシート: {'、'.join(names)})",
                f"no sheet named {sheet!r} (sheets: {', '.join(names)})",
                file=file,
            )
        ws = wb[names[index]]
        records = [
            (i + 1, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True))
        ]
    finally:
        wb.close()
    sheet_name = names[index]
    idx, num, header = _pick_header(records, known_headers, file)
    try:
        merged = _merged_ranges(path, index)
    except (KeyError, StopIteration, ET.ParseError, AssertionError, IndexError):  # unusual layout: load fully
        full = openpyxl.load_workbook(path)
        merged = [str(r) for r in full[sheet_name].merged_cells.ranges]
        full.close()
    in_header = [r for r in merged if _range_rows(r)[0] <= num <= _range_rows(r)[1]]
    if in_header:
        cells = "、".join(in_header)
        raise _error(
            f"シート「{sheet_name}」の見出し行 ({num}行目) に結合セルがあります: {cells}。"
            "結合を解除し、1列に1つの見出しを書いてください",
            f"sheet {sheet_name!r}: the header row ({num}) has merged cells: {', '.join(in_header)}; "
            "unmerge them and give each column its own header",
            file=f"{file} [{sheet_name}]",
            row=num,
            value=", ".join(in_header),
        )
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    header = header[:width]
    rows = [(n, cells[:width]) for n, cells in records[idx + 1 :] if _nonempty(cells[:width])]
    return RawTable(file=file, header=header, header_row=num, rows=rows, sheet=sheet_name)


def read_table(
    path: str | Path, *, sheet: str | None = None, known_headers: Iterable[str] | None = None
) -> RawTable:
    """Read a CSV or Excel file by its suffix. ``known_headers`` (normalised names) helps find the header row
    when a title row sits above it."""
    p = Path(path)
    if not p.is_file():
        raise _error("ファイルがありません", "file not found", file=str(p))
    known = [_norm_header(h) for h in known_headers] if known_headers else None
    if p.suffix.lower() in EXCEL_SUFFIXES:
        return read_excel(p, sheet=sheet, known_headers=known)
    if p.suffix.lower() == ".xls":
        raise _error(
            "古い Excel 形式 (.xls) は読めません。.xlsx か CSV で保存し直してください",
            "legacy .xls workbooks are not supported; save as .xlsx or CSV",
            file=p.name,
        )
    return read_csv(p, known_headers=known)
