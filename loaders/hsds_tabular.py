"""HSDS 3.0 schemas and the tabular (CSV) form: finding the schemas, validating documents and CSV rows.

The tabular form is described by ``schema/compiled/tabular.json``: one CSV file per HSDS table (its ``path``:
``organizations.csv``, ``services.csv``, ``service_at_location.csv`` …), whose columns are the table's scalar
properties (array and object properties are the nested JSON form; in CSV they are other tables joined by
``<table>_id`` columns). A row is valid when, typed (``number`` columns parsed), it validates against the table's
schema with ``required`` + ``tabular_required``.

The schemas are the Open Referral files (CC BY-SA 4.0). They are looked up in ``$TSUNAGARI_HSDS_SCHEMA_DIR``,
then ``loaders/data/hsds-3.0/schema`` (the copy shipped with the package, see its NOTICE.md).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from graphsvc.domain.errors import DomainValidationError, Problem

__all__ = [
    "TABLES",
    "csv_file_table",
    "document_validator",
    "jsonschema_problems",
    "read_csv_table",
    "row_validator",
    "schema_dir",
    "table_columns",
    "table_path",
    "typed_row",
    "write_csv_table",
]

_CANDIDATES = (Path(__file__).parent / "data" / "hsds-3.0" / "schema",)


def schema_dir() -> Path:
    """The folder holding the HSDS 3.0 schema files (see the module docstring for the search order)."""
    env = os.environ.get("TSUNAGARI_HSDS_SCHEMA_DIR")
    for cand in ([Path(env)] if env else []) + list(_CANDIDATES):
        if (cand / "compiled" / "tabular.json").is_file():
            return cand
    raise DomainValidationError(
        [
            Problem(
                "HSDS 3.0 のスキーマが見つかりません。TSUNAGARI_HSDS_SCHEMA_DIR を設定してください",
                "HSDS 3.0 schemas not found; set TSUNAGARI_HSDS_SCHEMA_DIR",
                field="TSUNAGARI_HSDS_SCHEMA_DIR",
            )
        ]
    )


@cache
def _load(rel: str) -> dict[str, Any]:
    with open(schema_dir() / rel, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _registry() -> Registry:
    resources = []
    for p in sorted(schema_dir().glob("*.json")):
        if p.name == "openapi.json":
            continue
        resources.append((p.name, Resource.from_contents(_load(p.name), default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


# Documents whose compiled (every $ref resolved) schema exists are validated with it; the others with the
# per-object schema and a registry resolving the relative $refs.
_COMPILED = {"organization", "service", "service_at_location"}


@cache
def document_validator(table: str) -> Draft202012Validator:
    """A validator for one HSDS JSON object of ``table`` (``organization``, ``service``, ``location`` …)."""
    if table in _COMPILED:
        return Draft202012Validator(
            _load(f"compiled/{table}.json"), format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return Draft202012Validator(
        _load(f"{table}.json"), registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


# ---------------------------------------------------------------- tabular form


@cache
def _tabular() -> dict[str, dict[str, Any]]:
    props = _load("compiled/tabular.json")["properties"]
    return {name: spec["items"] for name, spec in props.items()}


TABLES: tuple[str, ...] = (
    "organization",
    "program",
    "service",
    "attribute",
    "service_at_location",
    "location",
    "phone",
    "contact",
    "address",
    "schedule",
    "funding",
    "service_area",
    "required_document",
    "language",
    "accessibility",
    "taxonomy_term",
    "metadata",
    "meta_table_description",
    "cost_option",
    "organization_identifier",
    "taxonomy",
)
"""The tables of the tabular form, in ``tabular.json``'s order."""


def _is_column(spec: Mapping[str, Any]) -> bool:
    return spec.get("type") not in ("array", "object") and "$ref" not in spec


def table_columns(table: str) -> list[str]:
    """The CSV columns of a table: its scalar properties, in schema order."""
    return [k for k, v in _tabular()[table]["properties"].items() if _is_column(v)]


def table_path(table: str) -> str:
    """The CSV file name ``tabular.json`` gives the table (``organizations.csv``, ``service_at_location.csv``)."""
    return str(_tabular()[table]["path"])


def csv_file_table(filename: str) -> str | None:
    """Which table a CSV file holds: ``tabular.json``'s path, or the table name, singular or plural."""
    stem = Path(filename).name.lower().removesuffix(".csv")
    for t in TABLES:
        if stem in {t, f"{t}s", table_path(t).removesuffix(".csv"), t.replace("_", "-")}:
            return t
    if stem == "taxonomies":
        return "taxonomy"
    return None


@cache
def row_validator(table: str) -> Draft202012Validator:
    """A validator for one typed CSV row of ``table`` (required + tabular_required; columns only)."""
    item = _tabular()[table]
    props = {k: v for k, v in item["properties"].items() if _is_column(v)}
    required = list(dict.fromkeys([*item.get("required", []), *item.get("tabular_required", [])]))
    schema = {"type": "object", "properties": props, "required": required}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _number(text: str) -> int | float:
    f = float(text)
    return int(f) if f.is_integer() and "." not in text and "e" not in text.lower() else f


def typed_row(table: str, raw: Mapping[str, str | None]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A CSV row (strings) → typed values. Empty cells are absent, except in the required text columns of
    ``address``, where they are the empty string as in the JSON form (tsunagari keeps an address as one text,
    so ``postal_code`` and, when the text cannot be split, ``city`` and ``state_province`` are written empty). Returns the row and (column, text) pairs that are not numbers where the schema wants one."""
    item = _tabular()[table]
    props = item["properties"]
    required = {*item.get("required", []), *item.get("tabular_required", [])}
    out: dict[str, Any] = {}
    bad: list[tuple[str, str]] = []
    for key, value in raw.items():
        if key is None or value is None:
            continue
        key = key.strip()
        text = value.strip()
        spec = props.get(key, {})
        if text == "":
            if table == "address" and key in required and spec.get("type") == "string" and key != "id":
                out[key] = ""
            continue
        if spec.get("type") == "number":
            try:
                out[key] = _number(text)
            except ValueError:
                bad.append((key, text))
        else:
            out[key] = text
    return out, bad


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv_table(path: Path, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write one table as UTF-8 CSV with every column of the tabular form; returns the number of rows."""
    cols = table_columns(table)
    n = 0
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in cols])
        n += 1
    path.write_text(buf.getvalue(), encoding="utf-8")
    return n


def read_csv_table(path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    """Read a CSV file (UTF-8 with or without BOM, else CP932): its header and its rows."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp932")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


# ---------------------------------------------------------------- jsonschema errors → Problems


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
