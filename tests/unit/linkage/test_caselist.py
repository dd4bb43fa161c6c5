"""Caselist checks: clear Japanese problems with row and column, before anything is linked."""

from __future__ import annotations

import datetime as dt

from linkage.caselist import check_caselist

TODAY = dt.date(2021, 8, 31)
H = ["ケース番号", "氏名", "フリガナ", "生年月日", "性別", "住所", "電話番号"]


def _row(cid: str, name: str = "佐藤 清", birth: str = "S8.7.9", **kw: str) -> dict[str, str]:
    r = {
        "ケース番号": cid,
        "氏名": name,
        "フリガナ": "サトウ キヨシ",
        "生年月日": birth,
        "性別": "男",
        "住所": "鳥羽1",
        "電話番号": "",
    }
    r.update(kw)
    return r


def test_a_clean_list_has_no_problems() -> None:
    rows = [_row("1"), _row("2", "ｻﾄｳ ｷﾖｼ", "１９３３/０７/０９"), _row("3", "高橋　和子", "")]
    assert check_caselist(H, rows, today=TODAY) == []


def test_no_usable_columns() -> None:
    ps = check_caselist(["番号", "備考"], [{"番号": "1", "備考": "x"}], today=TODAY)
    assert [p.message_en for p in ps] == ["no identifying column (name or reading)"]
    ps = check_caselist(["氏名"], [{"氏名": "佐藤 清"}], today=TODAY)
    assert "ケース番号の列がありません" in ps[0].message_ja


def test_shifted_column() -> None:
    rows = [_row(str(i), name=f"S{i}.1.1", birth="佐藤 清") for i in range(1, 6)]
    ps = check_caselist(H, rows, today=TODAY)
    assert len(ps) == 1 and "列がずれている" in ps[0].message_ja and ps[0].column == "生年月日"


def test_row_problems_name_row_and_column() -> None:
    rows = [
        _row("1"),
        _row("1"),
        _row("", birth="1950/2/30"),
        _row("4", birth="平成40年1月1日"),
        _row("5", 性別="X"),
        _row("6", 電話番号="12-34"),
        _row("7", name="", フリガナ=""),
    ]
    ps = check_caselist(H, rows, today=TODAY)
    got = {(p.row, p.column, p.severity) for p in ps}
    assert (2, "ケース番号", "error") in got  # duplicate of row 1
    assert (3, "ケース番号", "error") in got  # empty
    assert (3, "生年月日", "error") in got
    assert (4, "生年月日", "error") in got
    assert (5, "性別", "warning") in got
    assert (6, "電話番号", "warning") in got
    assert (7, "氏名", "warning") in got
    assert all(p.message_ja for p in ps)
    assert [p.severity for p in ps] == sorted((p.severity for p in ps), key=lambda s: s != "error")
    dup = next(p for p in ps if p.row == 2)
    assert "1行目と重複" in dup.message_ja
