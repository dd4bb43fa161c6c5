"""Records ⇄ flat store properties, and pydantic errors → Japanese :class:`Problem` s.

Store properties are what Neo4j accepts: str, int, float, bool, or a list of one of those. A ``GeoPoint``
becomes ``lat``, ``lon``, ``location_approximate`` and ``location_source`` (so Cypher can build a ``point``);
other nested values (schedule, capacity, an area's centre) are kept as JSON text in ``<field>_json``, and
capacity also as ``capacity_max``/``capacity_available``/``capacity_unit`` so stores can filter on it.
``None`` is never stored (absent property).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.records import NODE_MODELS, REL_SPECS, NodeRecord, RelProps

__all__ = [
    "Prop",
    "Props",
    "node_from_props",
    "problems_from_validation",
    "rel_props_from_store",
    "rel_props_to_store",
    "split_bilingual",
    "to_props",
    "validate_node",
    "validate_rel_props",
    "validation_message_ja",
]

Prop = str | int | float | bool | list[str] | list[int] | list[float] | list[bool]
Props = dict[str, Prop]
M = TypeVar("M", bound=BaseModel)

_POINT_FIELDS = ("location",)
_CAPACITY_FIELDS = ("capacity",)


def _flatten(data: Mapping[str, Any]) -> Props:
    out: Props = {}
    for key, value in data.items():
        if value is None or (isinstance(value, list) and not value):
            continue
        if key in _POINT_FIELDS and isinstance(value, dict):
            out["lat"] = float(value["lat"])
            out["lon"] = float(value["lon"])
            out["location_approximate"] = bool(value.get("approximate", False))
            if value.get("source"):
                out["location_source"] = str(value["source"])
            continue
        if key in _CAPACITY_FIELDS and isinstance(value, dict):
            out["capacity_max"] = int(value["maximum"])
            out["capacity_unit"] = str(value.get("unit", "persons"))
            if value.get("available") is not None:
                out["capacity_available"] = int(value["available"])
            continue
        if isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
        ):
            out[f"{key}_json"] = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            continue
        out[key] = value
    return out


def to_props(record: BaseModel) -> Props:
    """A record → flat store properties (``id`` included for nodes)."""
    return _flatten(record.model_dump(mode="json", exclude_none=True))


def _unflatten(props: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in props.items():
        if key in ("lat", "lon", "location_approximate", "location_source"):
            loc = data.setdefault("location", {})
            loc[{"location_approximate": "approximate", "location_source": "source"}.get(key, key)] = value
        elif key in ("capacity_max", "capacity_unit", "capacity_available"):
            cap = data.setdefault("capacity", {})
            cap[
                {"capacity_max": "maximum", "capacity_unit": "unit", "capacity_available": "available"}[key]
            ] = value
        elif key.endswith("_json") and isinstance(value, str):
            data[key[: -len("_json")]] = json.loads(value)
        elif key == "town":
            continue
        else:
            data[key] = value
    return data


def node_from_props(label: NodeLabel | str, props: Mapping[str, Any]) -> NodeRecord:
    """Store properties → the label's record (validated)."""
    model = NODE_MODELS[NodeLabel(label)]
    return model.model_validate(_unflatten(props))


def rel_props_to_store(rel_type: RelType | str, props: BaseModel | Mapping[str, Any] | None) -> Props:
    spec = REL_SPECS[RelType(rel_type)]
    record = props if isinstance(props, BaseModel) else validate_rel_props(rel_type, props or {})
    assert isinstance(record, spec.props)
    return to_props(record)


def rel_props_from_store(rel_type: RelType | str, props: Mapping[str, Any]) -> RelProps:
    return REL_SPECS[RelType(rel_type)].props.model_validate(_unflatten(props))


# ---------------------------------------------------------------- validation → Problems

_MESSAGES_JA: dict[str, str] = {
    "missing": "必須項目です",
    "extra_forbidden": "未知の項目です",
    "string_too_short": "空欄にできません",
    "string_too_long": "長すぎます",
    "greater_than_equal": "{ge}以上で指定してください",
    "greater_than": "{gt}より大きい値で指定してください",
    "less_than_equal": "{le}以下で指定してください",
    "less_than": "{lt}未満で指定してください",
    "int_parsing": "整数で指定してください",
    "int_from_float": "整数で指定してください",
    "float_parsing": "数値で指定してください",
    "bool_parsing": "はい/いいえ (true/false, 1/0) で指定してください",
    "date_from_datetime_parsing": "日付 (YYYY-MM-DD) で指定してください",
    "date_parsing": "日付 (YYYY-MM-DD) で指定してください",
    "enum": "次のいずれかで指定してください: {expected}",
    "literal_error": "次のいずれかで指定してください: {expected}",
    "list_type": "一覧で指定してください",
    "string_type": "文字列で指定してください",
    "int_type": "整数 (JSON の数値) で指定してください。文字列や true/false は使えません",
    "float_type": "数値 (JSON の数値) で指定してください。文字列や true/false は使えません",
    "finite_number": "有限の数値で指定してください",
    "bool_type": 'true か false (JSON の真偽値) で指定してください。"yes" や 1 は使えません',
    "datetime_type": "日時は RFC 3339 (時差付き、例 2025-04-01T09:00:00+09:00) で指定してください",
    "date_type": '日付は "YYYY-MM-DD" の文字列で指定してください。数値は使えません',
    "string_pattern_mismatch": "形式が正しくありません (パターン {pattern})",
    "too_short": "{min_length}件以上で指定してください",
    "too_long": "{max_length}件までです",
    "dict_type": "オブジェクト (JSON) で指定してください",
    "model_type": "オブジェクト (JSON) で指定してください",
    "model_attributes_type": "オブジェクト (JSON) で指定してください",
    "union_tag_invalid": "種類 {discriminator} は次のいずれかです: {expected_tags}",
    "union_tag_not_found": "種類 {discriminator} を指定してください",
    "json_invalid": "JSON として読めません",
}


def validation_message_ja(error_type: str, ctx: Mapping[str, Any] | None = None) -> str | None:
    """The Japanese message of a pydantic error type, filled from its context (None when there is none)."""
    template = _MESSAGES_JA.get(error_type)
    if template is None:
        return None
    try:
        return template.format(**(ctx or {}))
    except (KeyError, IndexError):
        return template


def split_bilingual(msg: str) -> tuple[str, str]:
    """「日本語 (English)」 → (日本語, English). The English part is the trailing parenthesis whose text is all
    ASCII, so parentheses inside the Japanese (「座標 (10.0, 136.8) が…」) stay with it."""
    pos = msg.find(" (")
    while pos != -1:
        rest = msg[pos + 2 :]
        if rest.endswith(")") and rest.isascii():
            return msg[:pos], rest[:-1]
        pos = msg.find(" (", pos + 1)
    return msg, msg


def problems_from_validation(
    err: ValidationError,
    *,
    file: str | None = None,
    row: int | None = None,
    columns: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Translate a pydantic error into located problems; ``columns`` maps a field to the input's column name."""
    problems: list[Problem] = []
    for e in err.errors():
        loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
        field = ".".join(loc) if loc else None
        top = loc[0] if loc else None
        ctx = {k: v for k, v in (e.get("ctx") or {}).items()}
        typ = e.get("type", "")
        if typ == "value_error":
            msg = str(ctx.get("error", e.get("msg", "")))
            message_ja, message_en = split_bilingual(msg)
        else:
            template = _MESSAGES_JA.get(typ)
            try:
                message_ja = template.format(**ctx) if template else e.get("msg", "")
            except (KeyError, IndexError):
                message_ja = template or ""
            message_en = str(e.get("msg", ""))
        value = e.get("input")
        problems.append(
            Problem(
                message_ja=message_ja,
                message_en=message_en,
                field=field,
                file=file,
                row=row,
                column=(columns or {}).get(top or "", None) if top else None,
                value=None if isinstance(value, (dict, list)) or value is None else str(value)[:80],
            )
        )
    return problems


def _validate(model: type[M], data: Mapping[str, Any], **where: Any) -> M:
    try:
        return model.model_validate(dict(data))
    except ValidationError as err:
        raise DomainValidationError(problems_from_validation(err, **where)) from None


def validate_node(label: NodeLabel | str, data: Mapping[str, Any], **where: Any) -> NodeRecord:
    """Validate a mapping as the label's record; raises :class:`DomainValidationError` naming the fields."""
    return _validate(NODE_MODELS[NodeLabel(label)], data, **where)


def validate_rel_props(rel_type: RelType | str, data: Mapping[str, Any], **where: Any) -> RelProps:
    return _validate(REL_SPECS[RelType(rel_type)].props, data, **where)
