"""Read HSDS 3.0 input, JSON documents or the tabular CSV form, into :class:`~graphsvc.hsds.tables.Tables`,
refusing damaged input with located problems (the reading half of the ingestion contract, as
:mod:`loaders.tabular` is for municipal files).

A folder is read flat: its ``*.json`` and ``*.csv`` files, not sub-folders (so the exporter's folder gives the
JSON documents and its ``tabular/`` folder the CSV form). Refused, each naming the file, the row (the item of a
JSON list, the record of a CSV) and the JSON pointer or column:

* a JSON file that is not UTF-8, is cut short or otherwise not JSON (with line and column), nests deeper than
  :data:`MAX_DEPTH`, holds an item that is not an object or whose HSDS kind cannot be told;
* any text with a NUL or other control character, a stray byte-order mark or U+FFFD;
* a document or a CSV row that does not validate against the HSDS schemas, a number column that is no number, a
  date, date-time or time the schemas only name (``datapackage_type``) that is not one, or a date outside
  1900 to a year from today;
* a CSV file damaged as :func:`loaders.tabular.read_csv` describes, or with a column its table does not have;
* the same id twice with different content;
* a reference to an object that is not in the input (:data:`REFERENCES`; an ``organization_id`` may also name an
  organization the store already holds, which :mod:`graphsvc.hsds.importer` checks).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.hsds import schema as sch
from graphsvc.hsds.mapping import CHILDREN, DOC_FILES, SINGLE
from graphsvc.hsds.tables import Tables, Where
from graphsvc.hsds.validation import jsonschema_problems

__all__ = ["MAX_DEPTH", "REFERENCES", "ReadResult", "read_hsds"]

MAX_DEPTH = 64
"""The deepest nesting of a JSON document accepted (HSDS documents nest about six levels)."""

REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("service", "organization_id", "organization"),
    ("service_at_location", "service_id", "service"),
    ("service_at_location", "location_id", "location"),
    ("location", "organization_id", "organization"),
    ("address", "location_id", "location"),
    ("phone", "organization_id", "organization"),
    ("phone", "service_id", "service"),
    ("phone", "location_id", "location"),
    ("schedule", "service_id", "service"),
    ("schedule", "location_id", "location"),
    ("schedule", "service_at_location_id", "service_at_location"),
    ("organization_identifier", "organization_id", "organization"),
    ("attribute", "taxonomy_term_id", "taxonomy_term"),
)
"""(table, column, referenced table): every reference the mapping follows must resolve."""


@dataclass
class ReadResult:
    tables: Tables
    files: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unresolved: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(table, row id, column, referenced id) of organization references not in the input."""


def _flatten(
    t: Tables, table: str, obj: Mapping[str, Any], where: Where, parent: tuple[str, str] | None
) -> None:
    row: dict[str, Any] = {k: v for k, v in obj.items() if not isinstance(v, (list, dict))}
    if "id" not in row:
        return
    if parent and not row.get(parent[0]):
        row[parent[0]] = parent[1]
    ptr = where[2] or ""
    for key, (child, fk_on_parent) in SINGLE.get(table, {}).items():
        sub = obj.get(key)
        if isinstance(sub, dict) and "id" in sub:
            row.setdefault(fk_on_parent, sub["id"])
            _flatten(t, child, sub, (where[0], where[1], f"{ptr}/{key}"), None)
    t.add(table, row, where)
    for key, (child, fk) in CHILDREN.get(table, {}).items():
        for i, sub in enumerate(obj.get(key) or []):
            if isinstance(sub, dict):
                _flatten(t, child, sub, (where[0], where[1], f"{ptr}/{key}/{i}"), (fk, row["id"]))
    for i, sub in enumerate(obj.get("attributes") or []):
        if isinstance(sub, dict):
            sub = {"link_entity": table, **sub}
            _flatten(
                t, "attribute", sub, (where[0], where[1], f"{ptr}/attributes/{i}"), ("link_id", row["id"])
            )


def _doc_table(path: Path, item: Mapping[str, Any]) -> str | None:
    stem = path.stem.lower()
    for table, fname in DOC_FILES.items():
        if stem in (table, Path(fname).stem):
            return table
    if "status" in item:
        return "service"
    if "location_type" in item:
        return "location"
    if {"service_id", "location_id", "service", "location"} & item.keys() and "name" not in item:
        return "service_at_location"
    if {"organization_identifiers", "website", "tax_status", "legal_status", "locations"} & item.keys():
        return "organization"
    if {"taxonomy", "taxonomy_id", "parent_id", "code", "term_uri"} & item.keys():
        return "taxonomy_term"
    return None


def _strings(value: Any, pointer: str = "", depth: int = 0) -> Iterator[tuple[str, str, int]]:
    """Every string (keys too) with its JSON pointer, and the depth reached."""
    if depth > MAX_DEPTH:
        yield pointer, "", depth
        return
    if isinstance(value, str):
        yield pointer, value, depth
    elif isinstance(value, dict):
        for k, v in value.items():
            yield f"{pointer}/{k}", str(k), depth
            yield from _strings(v, f"{pointer}/{k}", depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{pointer}/{i}", depth + 1)


def _json_problems(file: str, doc: Any) -> list[Problem]:
    from loaders.tabular import bad_characters

    out: list[Problem] = []
    for pointer, text, depth in _strings(doc):
        if depth > MAX_DEPTH:
            return [
                Problem(
                    f"入れ子が深すぎます ({MAX_DEPTH}段まで)。HSDS の文書ではないか、壊れています",
                    f"nested deeper than {MAX_DEPTH} levels: not an HSDS document, or a damaged one",
                    file=file,
                    field=pointer or "/",
                )
            ]
        bad = bad_characters(text)
        if bad is not None:
            out.append(Problem(*bad, file=file, field=pointer or "/", value=text[:80]))
            if len(out) >= 50:
                break
    return out


def _read_json(t: Tables, path: Path) -> None:
    data = path.read_bytes()
    if not data.strip():
        t.problems.append(Problem("ファイルが空です", "the file is empty", file=path.name))
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        t.problems.append(
            Problem(
                f"UTF-8 として読めません ({err.start} バイト目)。JSON は UTF-8 で保存してください",
                f"not UTF-8 (byte offset {err.start}); save JSON as UTF-8",
                file=path.name,
                value=f"byte {err.start}",
            )
        )
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        cut = err.pos >= len(text.rstrip()) - 1 or err.msg.startswith("Unterminated string")
        t.problems.append(
            Problem(
                f"JSON として読めません ({err.lineno}行目 {err.colno}文字目)"
                + ("。ファイルが途中で切れています" if cut else ""),
                f"not valid JSON at line {err.lineno} column {err.colno}: {err.msg}"
                + ("; the file was cut short" if cut else ""),
                file=path.name,
                row=err.lineno,
            )
        )
        return
    except RecursionError:
        t.problems.append(
            Problem(
                "入れ子が深すぎて読めません。HSDS の文書ではないか、壊れています",
                "nested too deeply to read: not an HSDS document, or a damaged one",
                file=path.name,
            )
        )
        return
    bad = _json_problems(path.name, doc)
    if bad:
        t.problems += bad
        return
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        doc = doc["contents"]  # an HSDS API page
    items = doc if isinstance(doc, list) else [doc]
    if not items:
        t.problems.append(
            Problem("項目がありません (空の一覧です)", "no items (an empty list)", file=path.name)
        )
    for i, item in enumerate(items):
        row = i + 1 if isinstance(doc, list) else None
        if not isinstance(item, dict):
            t.problems.append(
                Problem("オブジェクトではありません", "not an object", file=path.name, row=row, field=f"/{i}")
            )
            continue
        table = _doc_table(path, item)
        if table is None:
            t.problems.append(
                Problem(
                    "HSDS のどの種類の文書か判別できません (ファイル名を organizations.json などにしてください)",
                    "cannot tell which HSDS object this is (name the file organizations.json, services.json …)",
                    file=path.name,
                    row=row,
                )
            )
            continue
        prefix = f"/{i}" if isinstance(doc, list) else ""
        errs = jsonschema_problems(
            sch.document_validator(table), item, file=path.name, row=row, pointer_prefix=prefix
        )
        if errs:
            t.problems += errs
            continue
        _flatten(t, table, item, (path.name, row, prefix), None)


def _read_csv(t: Tables, path: Path, table: str) -> None:
    from graphsvc.hsds.tabular import read_csv_table

    try:
        _header, rows = read_csv_table(path, table)
    except DomainValidationError as err:
        t.problems += err.problems
        return
    validator = sch.row_validator(table)
    for line, raw in rows:
        typed, bad = sch.typed_row(table, raw)
        for col, text in bad:
            t.problems.append(
                Problem(
                    "数値で指定してください",
                    "must be a number",
                    file=path.name,
                    row=line,
                    column=col,
                    value=text,
                )
            )
        errs = jsonschema_problems(validator, typed, file=path.name, row=line, by_column=True)
        if errs or bad:
            t.problems += errs
            continue
        t.add(table, typed, (path.name, line, None))


def _date_problem(kind: str, text: str) -> tuple[str, str] | None:
    """Japanese and English messages when ``text`` is no valid (or a implausible) date, date-time or time."""
    from datetime import date, datetime, time

    from loaders.contract import event_date_range

    value = text.strip()
    try:
        if kind == "date":
            d = date.fromisoformat(value)
        elif kind == "datetime":
            d = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value).date()
        else:
            bare = value[:-1] if value.endswith(("Z", "z")) else value
            if not bare.startswith("24:00"):  # ISO 8601 allows 24:00 as the end of a day
                time.fromisoformat(bare)
            elif bare[5:8] not in ("", ":00") or time.fromisoformat("00:00" + bare[5:]) is None:
                raise ValueError(value)
            return None
    except ValueError:
        what = {"date": "日付 (YYYY-MM-DD)", "datetime": "日時 (ISO 8601)", "time": "時刻 (HH:MM:SS)"}[kind]
        return f"「{text}」は{what}として正しくありません", f"{text!r} is not a valid {kind}"
    first, last = event_date_range()
    if not first <= d <= last:
        return (
            f"「{text}」はありえない日付です ({first.isoformat()}〜{last.isoformat()})",
            f"{text!r} is an implausible date (not between {first.isoformat()} and {last.isoformat()})",
        )
    return None


def _check_dates(t: Tables) -> None:
    """Dates, date-times and times the schemas only name (Data Package types) must be real and plausible."""
    for table, rows in t.rows.items():
        if table not in sch.TABLES:
            continue
        kinds = sch.column_types(table)
        if not kinds:
            continue
        for rid, row in rows.items():
            for col, kind in kinds.items():
                value = row.get(col)
                if not isinstance(value, str) or not value.strip():
                    continue
                bad = _date_problem(kind, value)
                if bad is None:
                    continue
                f, line, ptr = t.origin.get((table, rid), ("", None, None))
                t.problems.append(
                    Problem(
                        *bad,
                        file=f or None,
                        row=line,
                        field=f"{ptr}/{col}" if ptr is not None else None,
                        column=col if ptr is None else None,
                        value=value[:80],
                    )
                )


def _check_references(t: Tables, result: ReadResult) -> None:
    for table, column, target in REFERENCES:
        for rid, row in t.rows.get(table, {}).items():
            ref = row.get(column)
            if not ref or t.get(target, str(ref)) is not None:
                continue
            if (table, column) in (("service", "organization_id"), ("location", "organization_id")):
                result.unresolved.append((table, rid, column, str(ref)))
                continue
            f, line, ptr = t.origin.get((table, rid), ("", None, None))
            t.problems.append(
                Problem(
                    f"{table} の {column}「{ref}」が指す {target} がありません",
                    f"{table} {rid}: {column} {ref!r} names no {target} in the input",
                    file=f or None,
                    row=line,
                    field=f"{ptr}/{column}" if ptr is not None else None,
                    column=column if ptr is None else None,
                    value=str(ref)[:80],
                )
            )


def read_hsds(path: str | Path) -> ReadResult:
    """Read a file or a folder of HSDS input; raises :class:`DomainValidationError` with every problem."""
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".csv"))
    elif root.is_file():
        files = [root]
    else:
        raise DomainValidationError(
            [
                Problem(
                    f"ファイルまたはフォルダがありません: {root}",
                    f"no such file or folder: {root}",
                    file=str(root),
                )
            ]
        )
    t = Tables()
    result = ReadResult(t)
    for f in files:
        if f.name == "datapackage.json":
            continue
        if f.suffix.lower() == ".json":
            result.files.append(f.name)
            _read_json(t, f)
        elif f.suffix.lower() == ".csv":
            table = sch.csv_file_table(f.name)
            if table is None:
                if root.is_file():
                    t.problems.append(
                        Problem(
                            "HSDS の表の CSV ではありません (organizations.csv などの名前にしてください)",
                            "not a CSV of an HSDS table (name it organizations.csv, services.csv …)",
                            file=f.name,
                        )
                    )
                else:
                    result.warnings.append(
                        Problem(
                            "HSDS の表ではないため読み飛ばしました", "not an HSDS table; skipped", file=f.name
                        )
                    )
                continue
            result.files.append(f.name)
            _read_csv(t, f, table)
        else:
            t.problems.append(
                Problem("JSON か CSV を指定してください", "give JSON or CSV files", file=f.name)
            )
    if not result.files and not t.problems:
        t.problems.append(Problem("HSDS のファイルがありません", "no HSDS files found", file=str(root)))
    if not t.problems:
        _check_dates(t)
        _check_references(t, result)
    if t.problems:
        raise DomainValidationError(t.problems)
    return result
