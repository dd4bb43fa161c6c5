"""Paging parameters of the list endpoints: ``limit``, ``offset`` and the ``cursor`` a page returns as
``next_cursor`` (``o`` and the offset of the next page: opaque to clients, but with a pattern the OpenAPI states,
so a well-formed cursor is never refused)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Query

from graphsvc.api.errors import ApiError

__all__ = ["CURSOR_PATTERN", "Cursor", "Limit", "Offset", "decode_cursor", "encode_cursor", "start_of"]

CURSOR_PATTERN = r"^o(?:0|[1-9][0-9]{0,8})$"
_CURSOR = re.compile(r"o(0|[1-9][0-9]{0,8})")
MAX_OFFSET = 10_000_000

Limit = Annotated[int, Query(ge=1, le=500, description="1ページの件数 (≤ 500)")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="先頭から飛ばす件数")]
Cursor = Annotated[
    str | None,
    Query(
        pattern=CURSOR_PATTERN,
        description="前のページの next_cursor (offset より優先) (the previous page's next_cursor; wins over offset)",
    ),
]


def encode_cursor(offset: int) -> str:
    return f"o{offset}"


def decode_cursor(cursor: str) -> int:
    m = _CURSOR.fullmatch(cursor)
    if m is None:
        raise ApiError.of(422, "カーソルが正しくありません", "invalid cursor", "cursor", value=cursor[:80])
    return int(m.group(1))


def start_of(cursor: str | None, offset: int) -> int:
    """Where a page starts: the cursor's offset when one is given, else ``offset``."""
    return decode_cursor(cursor) if cursor else offset
