"""Regenerate the Excel examples from their CSV twins (synthetic data only).

    .venv/bin/python examples/make_xlsx.py

Writes ``opportunities.xlsx`` (プチ勤務カタログ: a title row above the header, then the same rows as
``opportunities.csv``) and ``kaigo_opendata.csv`` in CP932 from ``kaigo_opendata.utf8.txt``, as municipalities
publish it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).parent


def make_opportunities_xlsx() -> Path:
    rows = list(csv.reader((HERE / "opportunities.csv").open(encoding="utf-8")))
    wb = Workbook()
    ws = wb.active
    ws.title = "プチ勤務カタログ"
    ws.append(["みなと市 プチ勤務カタログ (架空・サンプル)"])
    ws["A1"].font = Font(bold=True, size=14)
    header, *data = rows
    ws.append(header)
    for r in data:
        ws.append([int(v) if v.isdigit() else v for v in r])
    out = HERE / "opportunities.xlsx"
    wb.save(out)
    return out


def make_kaigo_cp932() -> Path:
    text = (HERE / "kaigo_opendata.utf8.txt").read_text(encoding="utf-8")
    out = HERE / "kaigo_opendata.csv"
    out.write_bytes(text.replace("\n", "\r\n").encode("cp932"))
    return out


if __name__ == "__main__":
    for p in (make_opportunities_xlsx(), make_kaigo_cp932()):
        print(p)
