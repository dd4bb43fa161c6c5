"""Validation against the HSDS 3.0 schemas: jsonschema errors as located, Japanese-first problems; whole exports
checked before anything is written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from graphsvc.domain.errors import Problem
from graphsvc.hsds import schema as sch

__all__ = ["jsonschema_problems", "validate_documents", "validate_tables"]


def _message(err: ValidationError) -> tuple[str, str]:
    v = err.validator
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else ""
        return f"必須項目「{missing}」がありません", err.message
    if v == "type":
        return f"型が違います ({err.validator_value} で指定してください)", err.message
    if v == "format":
        return f"形式が違います ({err.validator_value} 形式で指定してください)", err.message
    if v == "enum":
        allowed = ", ".join(str(x) for x in err.validator_value)
        return f"次のいずれかで指定してください: {allowed}", err.message
    return "スキーマに合いません", err.message


def jsonschema_problems(
    validator: Draft202012Validator,
    instance: Any,
    *,
    file: str | None,
    row: int | None = None,
    pointer_prefix: str = "",
    by_column: bool = False,
    limit: int = 50,
) -> list[Problem]:
    """Validate ``instance`` and turn every error into a located, Japanese-first :class:`Problem`.

    ``field`` is the JSON pointer of the offending value (``/schedules/0/opens_at``); for CSV rows
    (``by_column``) the column is given instead.
    """
    problems: list[Problem] = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        path = [str(p) for p in err.absolute_path]
        if err.validator == "required" and "'" in err.message:
            path.append(err.message.split("'")[1])
        pointer = pointer_prefix + "".join(f"/{p}" for p in path)
        ja, en = _message(err)
        value = err.instance if isinstance(err.instance, (str, int, float)) else None
        problems.append(
            Problem(
                message_ja=ja,
                message_en=en,
                field=None if by_column else (pointer or "/"),
                file=file,
                row=row,
                column=path[-1] if by_column and path else None,
                value=None if value is None else str(value)[:80],
            )
        )
        if len(problems) >= limit:
            break
    return problems


def validate_documents(
    docs: Mapping[str, Iterable[Mapping[str, Any]]], files: Mapping[str, str]
) -> list[Problem]:
    """Every document of every table against its schema (``files`` names the file each table goes to)."""
    problems: list[Problem] = []
    for table, items in docs.items():
        v = sch.document_validator(table)
        for i, item in enumerate(items):
            problems += jsonschema_problems(v, item, file=files[table], row=i + 1)
    return problems


def validate_tables(tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[Problem]:
    """Every row of the tabular form against its table's schema (``required`` + ``tabular_required``)."""
    problems: list[Problem] = []
    for table in sch.TABLES:
        v = sch.row_validator(table)
        cols = sch.table_columns(table)
        for i, row in enumerate(tables.get(table, ())):
            flat = {k: row[k] for k in cols if k in row}
            problems += jsonschema_problems(v, flat, file=sch.table_path(table), row=i + 2, by_column=True)
    return problems
