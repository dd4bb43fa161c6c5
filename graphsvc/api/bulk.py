"""Bulk request bodies: a JSON array or NDJSON (one JSON object a line), read whole and validated row by row
before anything is written; every problem names its row (the line of an NDJSON body, the position in an array)
and field. A body that is not UTF-8, a line that is not JSON, a truncated last line, a row that is not an object
or not of the row schema: 422 with all of them, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from graphsvc.api.contract import JSON, NDJSON, NDJSON_ALIASES, media_type, read_json
from graphsvc.api.errors import ApiError
from graphsvc.domain.codec import problems_from_validation
from graphsvc.domain.errors import Problem

__all__ = ["MAX_BULK_ROWS", "bulk_body", "parse_rows", "validate_rows"]

MAX_BULK_ROWS = 10_000


def parse_rows(body: bytes, content_type: str | None) -> list[Any]:
    """A JSON array (``application/json``) or NDJSON (``application/x-ndjson``) body → its rows; 422 naming the line
    of every NDJSON line that is not JSON."""
    mt = media_type(content_type)
    if mt in NDJSON_ALIASES:
        rows: list[Any] = []
        problems: list[Problem] = []
        for n, line in enumerate(body.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                rows.append(read_json(line, row=n))
            except ApiError as err:
                problems.extend(err.problems)
        if problems:
            raise ApiError(422, problems)
        if not rows:
            raise ApiError.of(
                422, "行がありません (空の NDJSON 本文)", "no rows (an empty NDJSON body)", "body"
            )
        _check_count(len(rows))
        return rows
    if not body.strip():
        raise ApiError.of(422, "本文がありません", "empty body", "body")
    data = read_json(body)
    if not isinstance(data, list):
        raise ApiError.of(
            422,
            "JSON の配列 (または NDJSON) で送ってください",
            f"send a JSON array (or NDJSON with Content-Type {NDJSON})",
            "body",
        )
    _check_count(len(data))
    return data


def _check_count(n: int) -> None:
    if n > MAX_BULK_ROWS:
        raise ApiError.of(
            422,
            f"一度に送れるのは {MAX_BULK_ROWS:,} 行までです ({n:,} 行)",
            f"at most {MAX_BULK_ROWS} rows at once ({n} sent)",
            "body",
        )


def validate_rows(rows: list[Any], validate: Callable[[Any], Any]) -> list[Any]:
    """Every row through ``validate`` (a pydantic model's or adapter's ``validate_python``); 422 with the problems
    of all rows (each naming its row, from 1) if any fails."""
    out: list[Any] = []
    problems: list[Problem] = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(
                Problem(
                    "各行は JSON のオブジェクトで指定してください",
                    f"each row must be a JSON object, not {type(row).__name__ if row is not None else 'null'}",
                    field="body",
                    row=n,
                )
            )
            continue
        try:
            out.append(validate(row))
        except ValidationError as err:
            problems.extend(problems_from_validation(err, row=n))
    if problems:
        raise ApiError(422, problems)
    return out


def bulk_body(item: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of a bulk endpoint: a JSON array of rows (``item``: the schema of one, e.g.
    from :func:`graphsvc.api.contract.component`), or NDJSON (the same rows, one a line; at least one)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                JSON: {
                    "schema": {"type": "array", "maxItems": MAX_BULK_ROWS, "items": item},
                    "example": [example],
                },
                NDJSON: {
                    # OpenAPI 3.1 has no schema of a line-delimited body (3.2's itemSchema): the rows are given as
                    # an array, one item per line on the wire
                    "schema": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_BULK_ROWS,
                        "items": item,
                        "description": "1行に1件の JSON オブジェクト (one JSON object per line: the items of this "
                        f"array, at most {MAX_BULK_ROWS:,} lines)",
                    },
                    "example": [example],
                },
            },
        }
    }
