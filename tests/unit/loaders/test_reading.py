"""The strict reader (loaders/tabular.py): encodings, files cut short, open quotes, row widths, characters,
overlong cells, Excel merged cells, unsaved formulas, error values and extra sheets."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from graphsvc.domain.errors import DomainValidationError, Problem
from loaders.tabular import MAX_CELL_CHARS, decode_bytes, read_table

HEADER = "機関ID,機関名\n"


def read(tmp_path: Path, data: bytes, name: str = "f.csv") -> object:
    p = tmp_path / name
    p.write_bytes(data)
    return read_table(p, known_headers=["機関ID", "機関名"])


def problems(tmp_path: Path, data: bytes, name: str = "f.csv") -> list[Problem]:
    with pytest.raises(DomainValidationError) as ei:
        read(tmp_path, data, name)
    return ei.value.problems


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ((HEADER + "A1,鳥羽\n").encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + (HEADER + "A1,鳥羽\n").encode("utf-8"), "utf-8"),
        ((HEADER + "A1,鳥羽\n").encode("cp932"), "cp932"),
        ((HEADER + "A1,鳥羽\n").encode("utf-16"), "utf-16"),  # Excel's 「Unicode テキスト」 has a BOM
    ],
)
def test_accepted_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    t = read(tmp_path, data)
    assert t.rows == [(2, ["A1", "鳥羽"])] and t.encoding == encoding  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ((HEADER + "A1,鳥羽\n").encode("utf-16-le"), "UTF-16"),  # no BOM
        ((HEADER + "A1,鳥羽\n").encode() + "A2,志摩\n".encode("cp932"), "混在"),  # UTF-8 then CP932
        ("機関ID,機関名\nA1,abc\n".encode("cp932") + "A2,志摩\n".encode(), "UTF-8"),  # CP932 then UTF-8
        ((HEADER + "A1,鳥").encode()[:-1], "文字の途中"),  # cut inside a character
        ((HEADER + "A1,鳥羽\n").encode("utf-16")[:-1], "UTF-16"),
    ],
)
def test_refused_encodings(tmp_path: Path, data: bytes, needle: str) -> None:
    (p,) = problems(tmp_path, data)
    assert needle in p.message_ja and p.file == "f.csv"


def test_decode_names_the_line_of_mixed_encodings() -> None:
    data = "機関ID,機関名\nA1,鳥羽\n".encode() + "A2,志摩\n".encode("cp932")
    with pytest.raises(DomainValidationError) as ei:
        decode_bytes(data, "f.csv")
    assert "3行目" in ei.value.problems[0].message_ja


@pytest.mark.parametrize(
    ("text", "row", "needle"),
    [
        (HEADER + "A1,鳥羽", 2, "改行"),  # no final line break: cut short
        (HEADER + 'A1,"鳥羽\n', 2, "引用符"),  # ends inside a quoted field
        (HEADER + "A1\n", 2, "セルの数"),  # short row
        (HEADER + "A1,鳥羽,余り\n", 2, "セルの数"),  # long row
        (HEADER + 'A1,"鳥"羽"\n', 2, "引用符"),  # garbage after a closing quote
        (HEADER + "A1,鳥\x00羽\n", 2, "NUL"),
        (HEADER + "A1,鳥\x1b羽\n", 2, "U+001B"),
        (HEADER + "A1,鳥\ufeff羽\n", 2, "バイト順マーク"),
        (HEADER + "A1,鳥\ufffd羽\n", 2, "U+FFFD"),
        ("機関ID,機関名,\nA1,鳥羽,値\n", 2, "見出しのない列"),
    ],
)
def test_damaged_csv_is_refused_with_its_row(tmp_path: Path, text: str, row: int, needle: str) -> None:
    ps = problems(tmp_path, text.encode())
    assert ps[0].row == row and needle in ps[0].message_ja, ps


def test_overlong_cell_is_refused(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, (HEADER + "A1," + "あ" * (MAX_CELL_CHARS + 1) + "\n").encode())
    assert (p.row, p.column) == (2, "機関名") and "長すぎ" in p.message_ja


def test_tab_and_line_breaks_inside_quotes_are_kept(tmp_path: Path) -> None:
    t = read(tmp_path, (HEADER + 'A1,"鳥\t羽\r\n二行目"\r\n').encode())
    assert t.rows == [(2, ["A1", "鳥\t羽\r\n二行目"])]  # type: ignore[attr-defined]


def test_empty_and_blank_files_are_refused(tmp_path: Path) -> None:
    assert "空" in problems(tmp_path, b"")[0].message_ja
    assert "空" in problems(tmp_path, b"\xef\xbb\xbf\r\n  \n")[0].message_ja


def test_a_zip_named_csv_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "x.xlsx")
    ps = problems(tmp_path, (tmp_path / "x.xlsx").read_bytes(), "book.csv")
    assert "ZIP" in ps[0].message_ja


def _book(
    tmp_path: Path, rows: list[list[object]], merge: str | None = None, extra: str | None = None
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "一覧"
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    if extra:
        wb.create_sheet(extra).append(["メモ"])
    p = tmp_path / "b.xlsx"
    wb.save(p)
    return p


def test_excel_merged_data_cells_are_refused(tmp_path: Path) -> None:
    p = _book(tmp_path, [["機関ID", "機関名"], ["A1", "鳥羽"], ["A2", None]], merge="B2:B3")
    with pytest.raises(DomainValidationError) as ei:
        read_table(p, known_headers=["機関ID"])
    (prob,) = ei.value.problems
    assert prob.row == 2 and "B2:B3" in prob.message_ja and "データ" in prob.message_ja


def test_excel_title_row_may_be_merged(tmp_path: Path) -> None:
    p = _book(tmp_path, [["機関の一覧", None], ["機関ID", "機関名"], ["A1", "鳥羽"]], merge="A1:B1")
    t = read_table(p, known_headers=["機関id"])
    assert t.header == ["機関ID", "機関名"] and t.rows == [(3, ["A1", "鳥羽"])]


def test_excel_unsaved_formula_and_error_values_are_refused(tmp_path: Path) -> None:
    p = _book(tmp_path, [["機関ID", "機関名"], ["A1", "=UPPER(A2)"], ["A2", "#REF!"]])
    with pytest.raises(DomainValidationError) as ei:
        read_table(p, known_headers=["機関id"])
    got = sorted((q.row, q.column) for q in ei.value.problems)
    assert got == [(2, "機関名"), (3, "機関名")]
    assert any("数式" in q.message_ja for q in ei.value.problems)


def test_excel_extra_sheets_are_reported_and_a_cover_sheet_points_at_sheet(tmp_path: Path) -> None:
    p = _book(tmp_path, [["機関ID", "機関名"], ["A1", "鳥羽"]], extra="説明")
    t = read_table(p, known_headers=["機関id"])
    assert t.other_sheets == ["説明"]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "表紙"
    wb.create_sheet("一覧").append(["機関ID", "機関名"])
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(DomainValidationError) as ei:
        read_table(tmp_path / "c.xlsx", known_headers=["機関id"])
    assert "--sheet" in ei.value.problems[0].message_ja


def test_truncated_xlsx_is_refused(tmp_path: Path) -> None:
    p = _book(tmp_path, [["機関ID", "機関名"], ["A1", "鳥羽"]])
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(DomainValidationError) as ei:
        read_table(p)
    assert "Excel" in ei.value.problems[0].message_ja
