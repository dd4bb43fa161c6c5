"""Reading municipal CSV and Excel files into a plain table of strings, refusing damaged files with located errors.

This is the first half of the ingestion contract (:mod:`loaders.contract`): a file is read *whole* and checked
before any of it is used, and a file that looks damaged is refused, naming the file, the row and the column:

* **encoding**: a UTF-8 or UTF-16 byte-order mark decides; otherwise UTF-8 is tried strictly, then CP932 (what
  Japanese Excel writes). A file that is UTF-8 up to a byte that is not (two encodings mixed, or a damaged
  file), a CP932 file with a line in UTF-8, a file cut inside a character and UTF-16 without a byte-order mark
  are refused, each with the byte offset or row.
* **shape**: the file must end with a line break (a file cut short mostly ends inside a row), must not end inside
  a quoted field, and every row must have as many cells as the header (a short or long row is a cut, a shifted or
  a mis-quoted line). A column without a header must be empty.
* **cells**: no NUL or other control character (tab and line breaks inside a quoted field are allowed), no stray
  byte-order mark or U+FFFD replacement character (the traces of an earlier bad conversion), no cell longer than
  :data:`MAX_CELL_CHARS` characters (a missing closing quote swallows the rest of the file into one cell).
* **Excel** (``.xlsx``/``.xlsm``): the first sheet, or the named one, read with openpyxl in read-only mode. Merged
  cells in the header or the data (a merged value belongs to several rows, but only the first would get it),
  formula cells without a saved result and Excel error values (``#REF!`` …) are refused. The merge ranges are read
  from the sheet's XML, since read-only worksheets do not expose them.

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
from typing import Any
from xml.etree import ElementTree as ET

from graphsvc.domain.errors import DomainValidationError, Problem

__all__ = [
    "EXCEL_SUFFIXES",
    "MAX_CELL_CHARS",
    "MAX_PROBLEMS",
    "RawTable",
    "bad_characters",
    "decode_bytes",
    "mojibake",
    "norm_header",
    "read_csv",
    "read_excel",
    "read_table",
]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
MAX_CELL_CHARS = 10_000
"""The longest cell a loader accepts (characters). Longer is a damaged file (a quote left open)."""
MAX_PROBLEMS = 500
"""Reading stops collecting problems after this many (the file is refused anyway)."""
_HEADER_SCAN_ROWS = 10
_EXCEL_ERRORS = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
}


@dataclass
class RawTable:
    """A file's header (as written) and its data rows, each with its row number as the user sees it."""

    file: str
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    other_sheets: list[str] = field(default_factory=list)


def _error(message_ja: str, message_en: str, **where: object) -> DomainValidationError:
    return DomainValidationError([Problem(message_ja, message_en, **where)])  # type: ignore[arg-type]


# ---------------------------------------------------------------- characters


# Control characters (C0 but tab/LF/CR, DEL, C1), a byte-order mark or non-character inside the text,
# U+FFFD (a replacement left by an earlier lossy conversion), lone surrogates.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ufffd\ud800-\udfff]")


def bad_characters(text: str) -> tuple[str, str] | None:
    """Japanese and English descriptions of the first forbidden character in ``text`` (``None`` if clean)."""
    m = _BAD_CHARS.search(text)
    if m is None:
        return None
    ch = m.group(0)
    code = f"U+{ord(ch):04X}"
    if ch == "\x00":
        what_ja, what_en = "NUL 文字 (U+0000)", "a NUL character (U+0000)"
    elif ch == "\ufeff":
        what_ja, what_en = (
            "途中にバイト順マーク (U+FEFF) があります (ファイルをつなげましたか)",
            "a byte-order mark inside the text (U+FEFF; were files joined?)",
        )
        return f"{what_ja}", what_en
    elif ch == "\ufffd":
        what_ja, what_en = (
            "置換文字 (U+FFFD、以前の文字コード変換で壊れた跡)",
            "the replacement character U+FFFD (left by an earlier broken conversion)",
        )
    else:
        what_ja, what_en = f"制御文字 ({code})", f"a control character ({code})"
    pos = m.start() + 1
    return (
        f"{what_ja}が含まれています ({pos}文字目)。ファイルが壊れていないか確認してください",
        f"contains {what_en} at character {pos}; check that the file is not damaged",
    )


_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def mojibake(text: str) -> str | None:
    """The text ``text`` was before UTF-8 bytes were read as CP932 (Shift_JIS) and saved again, or ``None`` when
    it does not look like that. Ordinary Japanese in CP932 almost never forms valid UTF-8, so a cell whose CP932
    bytes decode as UTF-8 with at least two Japanese characters is taken for mojibake.

    >>> mojibake("荳蛾㍾逵") is None, mojibake("三重県".encode().decode("cp932")), mojibake("三重県")
    (True, '三重県', None)
    """
    if text.isascii() or sum(1 for ch in text if ord(ch) > 0x7F) < 3:
        return None
    try:
        fixed = text.encode("cp932").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return fixed if len(_JAPANESE.findall(fixed)) >= 2 else None


# ---------------------------------------------------------------- decoding


def _has_non_ascii(text: str) -> bool:
    return any(ord(ch) > 0x7F for ch in text)


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode a CSV's bytes (see the module docstring); returns (text, encoding)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
        try:
            return data.decode(codec), "utf-16"
        except UnicodeDecodeError as err:
            raise _error(
                f"UTF-16 のファイルとして読めません ({err.start} バイト目)。ファイルが壊れているか途中で切れています",
                f"not readable as UTF-16 (byte offset {err.start}); the file is damaged or cut short",
                file=file,
                value=f"byte {err.start}",
            ) from None
    sample = data[:4096]
    if sample and sample.count(0) * 5 >= len(sample):
        raise _error(
            "NUL バイトが多すぎます。UTF-16 (バイト順マークなし) かバイナリのファイルです。UTF-8 か CP932 で保存し直してください",
            "too many NUL bytes: UTF-16 without a byte-order mark, or a binary file; save it as UTF-8 or CP932",
            file=file,
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf_err:
        utf_prefix = data[: utf_err.start].decode("utf-8-sig", errors="replace")
        if utf_err.reason == "unexpected end of data":
            raise _error(
                f"ファイルが文字の途中で切れています ({utf_err.start} バイト目)。元のファイルをもう一度取り出してください",
                f"the file ends inside a character (byte offset {utf_err.start}): it was cut short",
                file=file,
                value=f"byte {utf_err.start}",
            ) from None
        if data.startswith(b"\xef\xbb\xbf") or _has_non_ascii(utf_prefix):
            line = utf_prefix.count("\n") + 1
            raise _error(
                f"UTF-8 として読めないバイトが {utf_err.start} バイト目 ({line}行目付近) にあります。"
                "文字コードが混在しているか、ファイルが壊れています",
                f"invalid UTF-8 at byte offset {utf_err.start} (near line {line}) in a UTF-8 file: mixed "
                "encodings or a damaged file",
                file=file,
                value=f"byte {utf_err.start}",
            ) from None
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError as sj_err:
            raise _error(
                f"文字コードを判別できません: UTF-8 では {utf_err.start} バイト目、CP932 (Shift_JIS) では "
                f"{sj_err.start} バイト目が読めません。UTF-8 か CP932 で保存し直してください",
                f"cannot decode the file: invalid UTF-8 at byte offset {utf_err.start} and invalid CP932 at "
                f"byte offset {sj_err.start}; save it as UTF-8 or CP932 (Shift_JIS)",
                file=file,
                value=f"byte {utf_err.start}",
            ) from None
        _refuse_utf8_lines_in_cp932(data, file)
        return text, "cp932"


def _refuse_utf8_lines_in_cp932(data: bytes, file: str) -> None:
    """A CP932 file must not hold a line that is UTF-8 with Japanese in it (two files' encodings mixed)."""
    for i, line in enumerate(data.split(b"\n")):
        if not any(b > 0x7F for b in line):
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        raise _error(
            f"CP932 (Shift_JIS) のファイルの {i + 1}行目が UTF-8 です。文字コードが混在しています",
            f"line {i + 1} of a CP932 (Shift_JIS) file is UTF-8: mixed encodings",
            file=file,
            row=i + 1,
        )


# ---------------------------------------------------------------- headers


def norm_header(text: str) -> str:
    """The normalised form of a header cell (NFKC, no spaces, case-folded); also used by column matching."""
    t = unicodedata.normalize("NFKC", text).strip().strip("*※").casefold()
    return re.sub(r"[\s_\-]+", "", t)


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
        if known_set and any(norm_header(c) in known_set for c in cells):
            return i, num, cells
    if first is None:
        raise _error("見出し行がありません (空のファイルです)", "no header row: the file is empty", file=file)
    return first


class _Problems:
    """Problems found while reading, capped at :data:`MAX_PROBLEMS`."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []

    def add(self, ja: str, en: str, **where: object) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(ja, en, file=self.file, **where))  # type: ignore[arg-type]

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainValidationError(self.items)


def _column_name(header: Sequence[str], index: int) -> str:
    if index < len(header) and header[index].strip():
        return header[index]
    return f"{index + 1}列目"


def _check_cells(
    probs: _Problems,
    header: Sequence[str],
    header_num: int,
    rows: Iterable[tuple[int, Sequence[str]]],
    *,
    unicode_file: bool = True,
) -> None:
    """Forbidden characters, mojibake (in a file read as UTF-8 or UTF-16) and overlong cells, in the header and
    every row."""
    for num, cells in [(header_num, header), *rows]:
        for j, cell in enumerate(cells):
            if unicode_file and (fixed := mojibake(cell)) is not None:
                probs.add(
                    f"文字化けしています (UTF-8 のファイルを Shift_JIS として読んで保存した跡。元は「{fixed[:40]}」)。"
                    "元のファイルをもう一度取り出してください",
                    f"mojibake: UTF-8 read as Shift_JIS and saved again (it was {fixed[:40]!r}); take the original file again",
                    row=num,
                    column=_column_name(header, j) if num != header_num else None,
                    value=cell[:80],
                )
            bad = bad_characters(cell)
            if bad is not None:
                probs.add(*bad, row=num, column=_column_name(header, j) if num != header_num else None,
                          value=cell[:80])  # fmt: skip
            if len(cell) > MAX_CELL_CHARS:
                probs.add(
                    f'セルが長すぎます ({len(cell):,}文字、上限 {MAX_CELL_CHARS:,}文字)。引用符 (") の閉じ忘れか、'
                    "壊れたファイルです",
                    f"cell too long ({len(cell):,} characters, limit {MAX_CELL_CHARS:,}): an unclosed quote or "
                    "a damaged file",
                    row=num,
                    column=_column_name(header, j),
                    value=cell[:80],
                )


def _check_widths(probs: _Problems, header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]]) -> None:
    """Every row has the header's number of cells; a column without a header holds nothing."""
    width = len(header)
    unnamed = [j for j, h in enumerate(header) if not h.strip()]
    for num, cells in rows:
        if len(cells) != width:
            more = len(cells) > width
            probs.add(
                f"セルの数が見出しと違います (見出し {width}列、この行 {len(cells)}個)。"
                + (
                    "区切りの「,」が多いか、列がずれています"
                    if more
                    else "行が途中で切れているか、区切りの「,」が足りません"
                ),
                f"this row has {len(cells)} cells but the header has {width} columns: "
                + (
                    "an extra separator or shifted columns"
                    if more
                    else "the row is cut short or lacks separators"
                ),
                row=num,
                value=",".join(cells)[:80],
            )
            continue
        for j in unnamed:
            if cells[j].strip():
                probs.add(
                    f"見出しのない列 ({j + 1}列目) に値があります。見出しを書くか、値を消してください",
                    f"column {j + 1} has no header but holds a value; name it or empty it",
                    row=num,
                    column=f"{j + 1}列目",
                    value=cells[j][:80],
                )


# ---------------------------------------------------------------- CSV


def read_csv(path: Path, *, known_headers: Iterable[str] | None = None) -> RawTable:
    """Read a CSV file (UTF-8, UTF-16 with BOM or CP932; comma separated; a tab-separated file is detected)."""
    file = path.name
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\x1a\xef\xbb\xbf"):
        raise _error("ファイルが空です", "the file is empty", file=file)
    text, encoding = decode_bytes(data, file)
    text = text.rstrip("\x1a")  # an old DOS end-of-file mark
    trailing = text.rstrip(" \t")
    if not trailing.endswith(("\n", "\r")):
        last = trailing.splitlines()[-1] if trailing.splitlines() else ""
        line = trailing.count("\n") + 1
        raise _error(
            f"最後の行 ({line}行目) が改行で終わっていません。ファイルが途中で切れている可能性があります。"
            "元のファイルを確かめ、切れていなければ最後に改行を加えてください",
            f"the last line ({line}) does not end with a line break: the file may have been cut short; check the "
            "original, and if it is whole add a final line break",
            file=file,
            row=line,
            value=last[-80:],
        )
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for rec in reader:
            records.append((len(records) + 1, [c.strip() for c in rec]))
    except csv.Error as err:
        num = len(records) + 1
        if "unexpected end of data" in str(err):
            raise _error(
                f'{num}行目の引用符 (") が閉じられないままファイルが終わっています。ファイルが途中で切れているか、'
                "引用符が壊れています",
                f"the file ends inside a quoted field opened on record {num}: cut short or a broken quote",
                file=file,
                row=num,
            ) from None
        raise _error(
            f'CSVとして読めません ({num}行目、物理行 {reader.line_num}): 引用符 (") の使い方が正しくありません',
            f"not a valid CSV at record {num} (line {reader.line_num}): {err}",
            file=file,
            row=num,
        ) from None
    idx, num, header = _pick_header(records, known_headers, file)
    rows = [(n, cells) for n, cells in records[idx + 1 :] if _nonempty(cells)]
    probs = _Problems(file)
    _check_cells(probs, header, num, rows, unicode_file=encoding != "cp932")
    _check_widths(probs, header, rows)
    probs.raise_if_any()
    return RawTable(file=file, header=header, header_row=num, rows=rows, encoding=encoding)


# ---------------------------------------------------------------- Excel


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


def _sheet_part(zf: zipfile.ZipFile, sheet_index: int) -> str:
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    sheets = wb.findall("m:sheets/m:sheet", ns)
    rid = sheets[sheet_index].get(f"{{{ns['r']}}}id")
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.findall("p:Relationship", ns) if r.get("Id") == rid)
    assert target is not None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _merged_ranges(path: Path, sheet_index: int) -> list[str]:
    """The ``mergeCell`` ranges of the sheet at ``sheet_index``, read from the workbook XML."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read(_sheet_part(zf, sheet_index)))
        return [str(mc.get("ref")) for mc in root.findall("m:mergeCells/m:mergeCell", ns)]


def _range_rows(ref: str) -> tuple[int, int]:
    parts = ref.split(":")
    nums = [int(m.group(2)) for p in parts if (m := _CELL_RE.match(p))]
    return (min(nums), max(nums)) if nums else (0, -1)


def _open_workbook(path: Path, file: str, *, data_only: bool) -> Any:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, ET.ParseError) as err:
        raise _error(
            "Excelファイル (.xlsx) として開けません。ファイルが壊れているか途中で切れています",
            f"cannot open as an Excel workbook (.xlsx): damaged or cut short ({type(err).__name__})",
            file=file,
        ) from None


def read_excel(
    path: Path, *, sheet: str | None = None, known_headers: Iterable[str] | None = None
) -> RawTable:
    """Read the first (or the named) sheet of an .xlsx workbook."""
    file = path.name
    wb = _open_workbook(path, file, data_only=True)
    try:
        names = list(wb.sheetnames)
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
        try:
            records = [
                (i + 1, [_cell_text(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True))
            ]
        except (zipfile.BadZipFile, ET.ParseError, KeyError, ValueError, EOFError, OSError) as err:
            raise _error(
                "Excelファイルのシートを読めません。ファイルが壊れています",
                f"cannot read the sheet: the workbook is damaged ({type(err).__name__})",
                file=file,
            ) from None
    finally:
        wb.close()
    sheet_name = names[index]
    where = f"{file} [{sheet_name}]"
    try:
        idx, num, header = _pick_header(records, known_headers, where)
    except DomainValidationError:
        if len(names) > 1:
            raise _error(
                f"シート「{sheet_name}」に見出し行がありません。--sheet でシートを選んでください (あるシート: "
                f"{'、'.join(names)})",
                f"sheet {sheet_name!r} has no header row; pick the sheet with --sheet (sheets: {', '.join(names)})",
                file=where,
            ) from None
        raise
    try:
        merged = _merged_ranges(path, index)
    except (KeyError, StopIteration, ET.ParseError, AssertionError, IndexError, zipfile.BadZipFile):
        import openpyxl  # unusual layout: load fully

        full = openpyxl.load_workbook(path)
        merged = [str(r) for r in full[sheet_name].merged_cells.ranges]
        full.close()
    in_table = [r for r in merged if _range_rows(r)[1] >= num]
    if in_table:
        head = [r for r in in_table if _range_rows(r)[0] <= num]
        listed = "、".join(in_table)
        if head:
            ja = f"シート「{sheet_name}」の見出し行 ({num}行目) に結合セルがあります: {listed}。結合を解除し、1列に1つの見出しを書いてください"
            en = f"sheet {sheet_name!r}: the header row ({num}) has merged cells: {', '.join(in_table)}; unmerge them and give each column its own header"
        else:
            ja = f"シート「{sheet_name}」のデータに結合セルがあります: {listed}。結合した値は先頭のセルにしか入りません。結合を解除し、各行に値を書いてください"
            en = f"sheet {sheet_name!r}: the data has merged cells: {', '.join(in_table)} (a merged value sits in its first cell only); unmerge them and fill every row"
        raise _error(ja, en, file=where, row=_range_rows(in_table[0])[0], value=", ".join(in_table))
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    probs = _Problems(where)
    rows: list[tuple[int, list[str]]] = []
    for n, record in records[idx + 1 :]:
        if not _nonempty(record):
            continue
        for j in range(width, len(record)):
            if record[j].strip():
                probs.add(
                    f"見出しのない列 ({j + 1}列目) に値があります。見出しを書くか、値を消してください",
                    f"column {j + 1} has no header but holds a value; name it or empty it",
                    row=n,
                    column=f"{j + 1}列目",
                    value=record[j][:80],
                )
        cells = record[:width] + [""] * (width - len(record))
        for j, c in enumerate(cells):
            if c in _EXCEL_ERRORS:
                probs.add(
                    f"Excel のエラー値「{c}」です。元の数式を直してください",
                    f"an Excel error value {c!r}; fix the formula",
                    row=n,
                    column=_column_name(header, j),
                    value=c,
                )
        rows.append((n, cells))
    header = header[:width]
    _check_cells(probs, header, num, rows)
    _check_widths(probs, header, rows)
    _unsaved_formulas(probs, path, file, sheet_name, header, rows)
    probs.raise_if_any()
    return RawTable(
        file=file,
        header=header,
        header_row=num,
        rows=rows,
        sheet=sheet_name,
        other_sheets=[s for s in names if s != sheet_name],
    )


def _unsaved_formulas(
    probs: _Problems,
    path: Path,
    file: str,
    sheet_name: str,
    header: Sequence[str],
    rows: Sequence[tuple[int, Sequence[str]]],
) -> None:
    """A formula cell whose result was never saved (a file written by a program, not opened in Excel) reads as
    blank with ``data_only``: refuse it rather than take the blank."""
    blank = {(n, j) for n, cells in rows for j, c in enumerate(cells) if not c}
    if not blank:
        return
    row_numbers = {n for n, _ in rows}
    wb = _open_workbook(path, file, data_only=False)
    try:
        for i, row in enumerate(wb[sheet_name].iter_rows(values_only=True)):
            n = i + 1
            if n not in row_numbers:
                continue
            for j, v in enumerate(row[: len(header)]):
                if isinstance(v, str) and v.startswith("=") and (n, j) in blank:
                    probs.add(
                        "数式の結果が保存されていません。Excel で開いて保存し直してください",
                        "a formula whose result was never saved; open and save the file in Excel",
                        row=n,
                        column=_column_name(header, j),
                        value=v[:80],
                    )
    finally:
        wb.close()


def read_table(
    path: str | Path, *, sheet: str | None = None, known_headers: Iterable[str] | None = None
) -> RawTable:
    """Read a CSV or Excel file by its suffix. ``known_headers`` (normalised names) helps find the header row
    when a title row sits above it."""
    p = Path(path)
    if not p.is_file():
        raise _error("ファイルがありません", "file not found", file=str(p))
    known = [norm_header(h) for h in known_headers] if known_headers else None
    if p.suffix.lower() in EXCEL_SUFFIXES:
        return read_excel(p, sheet=sheet, known_headers=known)
    if p.suffix.lower() == ".xls":
        raise _error(
            "古い Excel 形式 (.xls) は読めません。.xlsx か CSV で保存し直してください",
            "legacy .xls workbooks are not supported; save as .xlsx or CSV",
            file=p.name,
        )
    if sheet is not None:
        raise _error(
            "--sheet は Excel ファイル (.xlsx) にだけ使えます",
            "--sheet applies to Excel files only",
            file=p.name,
        )
    head = p.read_bytes()[:4]
    if head.startswith(b"PK\x03\x04"):
        raise _error(
            "Excel (.xlsx) などの ZIP ファイルです。拡張子を .xlsx にするか CSV で保存してください",
            "this is a ZIP file (an .xlsx?); give it the .xlsx suffix or save it as CSV",
            file=p.name,
        )
    return read_csv(p, known_headers=known)
