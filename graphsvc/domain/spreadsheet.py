"""CSV cells safe to open in a spreadsheet (CSV/formula injection, OWASP's rule).

Every CSV the project writes goes through :func:`safe_cell` (or :func:`csv_writer` / :func:`write_rows`):
a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single
quote, so Excel and LibreOffice show it as text instead of evaluating it. Plain numbers (``-3``, ``+0.5``,
``1e-3``) are left as they are: a spreadsheet reads them as numbers and evaluates nothing. Python numbers,
booleans and ``None`` are written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

__all__ = ["FORMULA_PREFIXES", "csv_writer", "safe_cell", "safe_row", "write_rows"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula (OWASP CSV injection)."""

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula.

    >>> safe_cell("=cmd|' /C calc'!A0")
    "'=cmd|' /C calc'!A0"
    >>> safe_cell("@SUM(A1)"), safe_cell("\\t=1"), safe_cell("-3.5"), safe_cell("- 3"), safe_cell(-3), safe_cell("鳥羽")
    ("'@SUM(A1)", "'\\t=1", '-3.5', "'- 3", -3, '鳥羽')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(v) for v in row]


class _SafeWriter:
    """A ``csv.writer`` whose rows pass through :func:`safe_row`."""

    def __init__(self, f: IO[str], **kwargs: Any) -> None:
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for r in rows:
            self.writerow(r)


def csv_writer(f: IO[str], **kwargs: Any) -> _SafeWriter:
    """Like ``csv.writer(f, **kwargs)``, with every cell made safe."""
    return _SafeWriter(f, **kwargs)


def write_rows(f: IO[str], header: Iterable[Any], rows: Iterable[Iterable[Any]], **kwargs: Any) -> None:
    """Write a header and rows, every cell made safe."""
    w = csv_writer(f, **kwargs)
    w.writerow(header)
    w.writerows(rows)
