"""The HTTP contract every v1 route keeps, in one place: which request media types it reads (415 otherwise), how
a JSON body is read (UTF-8, no more than :data:`MAX_JSON_DEPTH` levels deep: 422 otherwise, never a 400 or a 500),
and what it may answer (:func:`responses`: every status with its body and headers, for the OpenAPI document).

Every router of :mod:`graphsvc.api.routes` is an ``APIRouter(route_class=ApiRoute)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response, params
from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from graphsvc.api.errors import ApiError, ProblemsOut
from graphsvc.domain.errors import Problem

__all__ = [
    "AUTH_ERRORS",
    "BODY_ERRORS",
    "JSON",
    "MAX_JSON_DEPTH",
    "NDJSON",
    "TOWN_ERRORS",
    "ApiRoute",
    "add_components",
    "component",
    "json_depth_ok",
    "media_type",
    "responses",
]

JSON = "application/json"
NDJSON = "application/x-ndjson"
NDJSON_ALIASES = (
    "application/x-ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/ndjson",
)
MAX_JSON_DEPTH = 64
"""How deeply a JSON request may nest (no record is deeper than ~6; a deeper body is refused before it is parsed,
so a pathological one cannot exhaust the parser's recursion)."""

_PROBLEMS = {"$ref": "#/components/schemas/ProblemsOut"}
_CATALOG: dict[int, tuple[str, dict[str, Any]]] = {
    401: (
        "認証が必要・キーが無効 (no, invalid or revoked API key)",
        {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}, "required": True}},
    ),
    403: ("権限・同意がない (role, town scope, purpose or consent)", {}),
    404: ("見つからない (no such town or record, or not the caller's to know about)", {}),
    409: ("競合 (another system's record, a forbidden transition, relationships left, an end missing)", {}),
    413: ("大きすぎる (request body over the size limit)", {}),
    415: ("この Content-Type は読めない (unsupported request media type)", {}),
    422: ("入力エラー (validation: every problem, Japanese and English, naming the field)", {}),
    429: (
        "回数制限 (rate limited per key)",
        {"Retry-After": {"description": "秒 (seconds)", "schema": {"type": "integer"}, "required": True}},
    ),
    503: (
        "ストアに接続できない (store unavailable)",
        {"Retry-After": {"description": "秒 (seconds)", "schema": {"type": "integer"}, "required": True}},
    ),
}

AUTH_ERRORS = (401, 429)
TOWN_ERRORS = (401, 403, 404, 422, 429, 503)
"""What any ``/v1/towns/{town}/...`` operation may answer besides success: the key (401, 429), the town and role
(403, 404), a parameter (422), the store (503)."""
BODY_ERRORS = (413, 415, 422)
"""What an operation with a request body may answer besides: too large, not a media type it reads, invalid."""


def responses(*codes: int, **success: Any) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses (the problem list as JSON, with their headers)."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in sorted(set(codes)):
        description, headers = _CATALOG[code]
        entry: dict[str, Any] = {"description": description, "content": {JSON: {"schema": _PROBLEMS}}}
        if headers:
            entry["headers"] = headers
        out[code] = entry
    return out


_REF = "#/components/schemas/{model}"
_COMPONENTS: dict[str, dict[str, Any]] = {}


def component(tp: Any, name: str | None = None) -> dict[str, Any]:
    """A ``$ref`` to the schema of ``tp`` (a model, or any type with ``name``), registered for
    :func:`add_components`: for request bodies FastAPI does not parse itself (bulk rows, NDJSON)."""
    schema = TypeAdapter(tp).json_schema(ref_template=_REF)
    _COMPONENTS.update(schema.pop("$defs", {}))
    key = name or getattr(tp, "__name__", None)
    if key is None:
        raise ValueError("a name is needed for a schema that is not a model")
    _COMPONENTS[key] = schema
    return {"$ref": _REF.format(model=key)}


def add_components(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add ``ProblemsOut`` and the schemas :func:`component` registered to the document's components
    (:func:`responses` refers to ``ProblemsOut`` by ``$ref`` rather than as a FastAPI response model, which would
    put it under an HTML route's media type)."""
    component(ProblemsOut)
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for key, schema in _COMPONENTS.items():
        schemas.setdefault(key, schema)
    return openapi


def media_type(content_type: str | None) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def json_depth_ok(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests no deeper than ``limit`` (brackets outside strings; linear time)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def read_json(raw: bytes, *, field: str = "body", row: int | None = None) -> Any:
    """Parse a JSON document (UTF-8, an optional BOM allowed) or raise a 422 naming where it is wrong."""
    where: dict[str, Any] = {"row": row} if row is not None else {}
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ApiError.of(
            422,
            f"UTF-8 の文字として読めないバイトがあります ({err.start} バイト目)",
            f"not UTF-8: invalid byte at offset {err.start}",
            field,
            **where,
        ) from None
    if not json_depth_ok(text):
        raise ApiError.of(
            422,
            f"JSON の入れ子が深すぎます ({MAX_JSON_DEPTH} 段まで)",
            f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
            field,
            **where,
        )
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise ApiError.of(
            422,
            f"JSON として読めません ({err.lineno} 行 {err.colno} 文字目)",
            f"invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})",
            field,
            **where,
        ) from None
    except (RecursionError, ValueError):
        raise ApiError.of(422, "JSON として読めません", "invalid JSON", field, **where) from None


def _no_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON (Python's parser reads them unless told not to)."""
    raise ValueError(name)


class ApiRoute(APIRoute):
    """An ``APIRoute`` that refuses a repeated one-value query parameter (422: which value would count?), checks the
    request media type (415) and reads a JSON body itself (422 for bytes that are not UTF-8 JSON, too deep, or
    with NaN), before FastAPI validates it."""

    def accepted_media_types(self) -> tuple[str, ...]:
        content = ((self.openapi_extra or {}).get("requestBody") or {}).get("content")
        if content:
            types = tuple(content)
            return types + (NDJSON_ALIASES if NDJSON in types else ())
        return (JSON,) if self.body_field is not None else ()

    def scalar_query_parameters(self) -> tuple[str, ...]:
        """The names of the query parameters that take one value (a list parameter may repeat)."""
        return tuple(
            f.alias
            for f in get_flat_params(self.dependant)
            if isinstance(f.field_info, params.Query)
            and not field_annotation_is_sequence(f.field_info.annotation)
        )

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        accepted = self.accepted_media_types()
        scalars = self.scalar_query_parameters()

        async def checked(request: Request) -> Response:
            repeated = [name for name in scalars if len(request.query_params.getlist(name)) > 1]
            if repeated:
                raise ApiError(
                    422,
                    [
                        Problem(
                            f"パラメータ {name} は1つだけ指定してください",
                            f"give {name} once, not repeated",
                            field=name,
                        )
                        for name in repeated
                    ],
                )
            body = await request.body() if accepted else b""
            if body:
                mt = media_type(request.headers.get("content-type"))
                if mt not in accepted:
                    listed = ", ".join(t for t in accepted if t not in NDJSON_ALIASES[1:])
                    raise ApiError.of(
                        415,
                        f"Content-Type は {listed} で送ってください",
                        f"Content-Type must be {listed}" + (f", not {mt}" if mt else ""),
                        "content-type",
                    )
                if mt == JSON and self.body_field is not None:
                    request._json = read_json(body)  # FastAPI reads the cached document
            return await handler(request)

        return checked
