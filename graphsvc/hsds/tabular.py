"""The HSDS tabular form on disk: one CSV file per table, written safe to open in a spreadsheet and read back
exactly.

Writing goes through :func:`graphsvc.domain.spreadsheet.csv_writer` (a text cell that a spreadsheet would take for
a formula gets a leading ``'``). So that a re-import gives back the exact text, a value that already begins with
quotes followed by a formula character gets one more quote; :func:`unescape_cell` removes one. Reading is the
loaders' strict reader (:func:`loaders.tabular.read_csv`: encodings, cut files, short or long rows, control
characters), and a header that is no column of the table is an error naming the nearest one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.spreadsheet import FORMULA_PREFIXES, csv_writer
from graphsvc.hsds import schema as sch

__all__ = ["escape_cell", "read_csv_table", "unescape_cell", "write_csv_table"]

_QUOTED_FORMULA = re.compile("^'+[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def escape_cell(value: Any) -> str:
    """The text written for a value, before the spreadsheet guard (see the module docstring)."""
    text = _text(value)
    return "'" + text if _QUOTED_FORMULA.match(text) else text


def unescape_cell(text: str) -> str:
    """The value a cell written by :func:`write_csv_table` stands for.

    >>> [unescape_cell(t) for t in ("'=1+2", "''=x", "-3", "'quoted")]
    ['=1+2', "'=x", '-3', "'quoted"]
    """
    return text[1:] if _QUOTED_FORMULA.match(text) else text


def write_csv_table(path: Path, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write one table as UTF-8 CSV with every column of the tabular form; returns the number of rows."""
    cols = sch.table_columns(table)
    n = 0
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([escape_cell(row.get(c)) for c in cols])
        n += 1
    path.write_text(buf.getvalue(), encoding="utf-8")
    return n


def read_csv_table(path: Path, table: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read one table's CSV strictly: its header and its rows (row number, column → text, unescaped).

    Raises :class:`DomainValidationError` for a damaged file or a column the table does not have."""
    from loaders.common import Column, match_columns
    from loaders.tabular import norm_header, read_csv

    cols = sch.table_columns(table)
    raw = read_csv(path, known_headers=[norm_header(c) for c in cols])
    known = [Column(c, (c,)) for c in cols]
    try:
        matched = match_columns(raw, known)
    except DomainValidationError as err:
        raise DomainValidationError(
            [
                Problem(
                    p.message_ja.replace("この種類のファイル", f"HSDS の表 {table}"),
                    p.message_en.replace("this kind of file", f"HSDS table {table}"),
                    file=p.file,
                    row=p.row,
                    column=p.column,
                    value=p.value,
                )
                for p in err.problems
            ]
        ) from None
    rows = [
        (num, {name: unescape_cell(cells[i]) for name, (i, _written) in matched.columns.items()})
        for num, cells in raw.rows
    ]
    return [raw.header[i] for _n, (i, _w) in matched.columns.items()], rows
