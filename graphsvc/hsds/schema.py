"""HSDS 3.0 schemas and the tabular (CSV) model: finding the schemas, validators for documents and CSV rows.

The tabular form is described by ``schema/compiled/tabular.json``: one CSV file per HSDS table (its ``path``:
``organizations.csv``, ``services.csv``, ``service_at_location.csv`` …), whose columns are the table's scalar
properties (array and object properties are the nested JSON form; in CSV they are other tables joined by
``<table>_id`` columns). A row is valid when, typed (``number`` columns parsed), it validates against the table's
schema with ``required`` + ``tabular_required``.

The schemas are the Open Referral files (CC BY-SA 4.0). They are looked up in ``$TSUNAGARI_HSDS_SCHEMA_DIR``,
then ``graphsvc/hsds/data/hsds-3.0/schema`` (the copy shipped with the package, see its NOTICE.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from graphsvc.domain.errors import DomainValidationError, Problem

__all__ = [
    "TABLES",
    "column_types",
    "csv_file_table",
    "document_validator",
    "row_validator",
    "schema_dir",
    "table_columns",
    "table_path",
    "typed_row",
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


def column_types(table: str) -> dict[str, str]:
    """The columns of a table with a Data Package type the JSON Schema does not check (``date``, ``datetime``,
    ``time``): column → type."""
    props = _tabular()[table]["properties"]
    return {
        k: str(v["datapackage_type"])
        for k, v in props.items()
        if _is_column(v) and v.get("datapackage_type") in ("date", "datetime", "time")
    }
