"""Strict request types: a request body means what its OpenAPI schema says, with no coercion between JSON types.

The domain records (:mod:`graphsvc.domain.records`) and the matching profile are lax on purpose: the CSV and Excel
loaders hand them the text of a cell (``"1990"``, ``"はい"``, ``"高齢"``, ``"9時"``) and let pydantic and the
enums' Japanese labels turn it into a value. An API client sends JSON, which has its own types, so the API parses
with strict derivations of the same models instead (:func:`strict_model`): the field names, constraints,
descriptions, examples and the semantic ("after") validators stay those of the domain; only how a JSON value may
be read changes. Nothing here changes the domain models, so the loaders keep their own path.

============  ==========================================  =============================================
JSON schema   accepted                                    refused (422 naming the field)
============  ==========================================  =============================================
integer       a JSON number without a fraction (``3``,    ``"3"``, ``true``, ``3.5``
              ``3.0``), within ±(2^53 − 1)
number        a JSON number (``2``, ``2.5``)              ``"2.5"``, ``true``, ``NaN``, ``Infinity``
boolean       ``true`` / ``false``                        ``"yes"``, ``"true"``, ``1``, ``0``
date          a ``"YYYY-MM-DD"`` string                   ``0`` (not 1970-01-01), ``"2024-04-01T00:00"``
enum          one of the listed codes                     a Japanese label or alias (``"高齢"``): the
                                                          loaders accept those, the API documents codes
object        the listed properties only                  unknown properties
============  ==========================================  =============================================

The "before" validators of a domain model (the loaders' normalisations: ``"9時"`` → ``"09:00"``, ``"月"`` → ``mon``,
``"徒歩"`` → ``walk``) are not carried over; its "after" validators (a schedule slot opens before it closes, a
point lies in Japan, a case closes after it opens, ...) are.
"""

from __future__ import annotations

import inspect
import math
import re
import types
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from graphsvc.domain.ids import RECORD_ID_PATTERN
from graphsvc.domain.values import check_external_id

__all__ = [
    "API_CONFIG",
    "BLANK_PATTERN",
    "MAX_SAFE_INTEGER",
    "NON_BLANK_PATTERN",
    "SPACE_CHARS",
    "ApiId",
    "DateTimeText",
    "JsonBool",
    "JsonDate",
    "JsonFloat",
    "JsonInt",
    "StrictIn",
    "exact_enum",
    "strict_model",
    "strict_type",
]

MAX_SAFE_INTEGER = 2**53 - 1
"""The largest integer every JSON parser reads exactly (JavaScript's ``Number.MAX_SAFE_INTEGER``)."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _int_from_json(value: object) -> object:
    """A JSON number with no fraction (``3.0``) is an integer, as JSON Schema counts it; anything else is left
    for the strict int check to refuse (a string, a boolean, ``3.5``)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _date_from_json(value: object) -> object:
    """A date is a ``"YYYY-MM-DD"`` string in JSON; a number is never a date (``0`` is not 1970-01-01)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "date_parsing",
                "Input should be a valid date in the format YYYY-MM-DD, {reason}",
                {"reason": "no such day"},
            ) from None
    raise PydanticCustomError("date_type", "Input should be a date string in the format YYYY-MM-DD")


_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _date_time_from_text(value: object) -> object:
    """An RFC 3339 date-time (its offset included) and nothing else (not a bare date, not a Unix time)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_TIME.fullmatch(value):
        text = value.upper().replace(" ", "T")
        head, dot, rest = text.partition(".")
        if dot:  # at most microseconds for Python
            digits = len(rest) - len(rest.lstrip("0123456789"))
            text = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise PydanticCustomError(
        "datetime_type",
        "Input should be an RFC 3339 date-time with its offset, e.g. 2025-04-01T09:00:00+09:00",
    )


JsonInt = Annotated[int, Strict()]
"""An integer: a JSON number without a fraction; never a string or a boolean. (A model from :func:`strict_model`
reads ``3.0`` as ``3`` before its fields are checked, and bounds a field without bounds of its own to ±(2^53 − 1):
a type-level "before" function or bound would hide the field's own bounds from the JSON schema.)"""
JsonFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A number: a JSON integer or fraction; never a string, a boolean, NaN or an infinity."""
JsonBool = StrictBool
"""``true`` or ``false`` only."""
JsonDate = Annotated[date, Strict(), BeforeValidator(_date_from_json)]
"""A ``"YYYY-MM-DD"`` string only."""
DateTimeText = Annotated[datetime, BeforeValidator(_date_time_from_text)]
"""An RFC 3339 date-time with its offset (``format: date-time``), in a body or a query."""
ApiId = Annotated[
    str,
    Field(pattern=RECORD_ID_PATTERN, min_length=1, max_length=128, examples=["P-0001"]),
    AfterValidator(check_external_id),
]
"""An external id (:data:`graphsvc.domain.values.ExternalId`) with its pattern in the schema."""


def exact_enum(enum: type[Enum]) -> Any:
    """The enum by its codes only: the JSON schema lists the codes and nothing else is read (the domain enums also
    take Japanese labels and aliases, which the loaders need and the API does not document)."""
    values = [m.value for m in enum]

    def only_codes(value: object) -> object:
        if isinstance(value, enum):
            return value
        if isinstance(value, str) and value in values:
            return enum(value)
        raise PydanticCustomError(
            "enum",
            "Input should be {expected}",
            {"expected": ", ".join(repr(v) for v in values)},
        )

    return Annotated[enum, BeforeValidator(only_codes)]


def _is_external_id(tp: object) -> bool:
    return get_origin(tp) is Annotated and any(
        getattr(m, "func", None) is check_external_id for m in get_args(tp)[1:]
    )


def strict_type(tp: Any, replace: dict[type[BaseModel], type[BaseModel]] | None = None) -> Any:
    """The strict form of a field type (recursively through unions, lists, tuples, dicts and nested models);
    ``replace`` maps a nested model to the API model to use for it."""
    replace = replace if replace is not None else {}
    if tp is bool:
        return JsonBool
    if tp is int:
        return JsonInt
    if tp is float:
        return JsonFloat
    if tp is date:
        return JsonDate
    if isinstance(tp, type) and issubclass(tp, Enum):
        return exact_enum(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in replace:
            return replace[tp]
        return strict_model(tp, replace=replace)
    if _is_external_id(tp):
        return ApiId
    origin = get_origin(tp)
    if origin is None:
        return tp
    args = get_args(tp)
    if origin is Annotated:
        return Annotated[(strict_type(args[0], replace), *args[1:])]
    if origin is Literal:
        return tp
    if origin in (Union, types.UnionType):
        return Union[tuple(strict_type(a, replace) for a in args)]  # noqa: UP007
    if origin is list:
        return list[strict_type(args[0], replace)]  # type: ignore[misc]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple[strict_type(args[0], replace), ...]  # type: ignore[misc]
        return tuple[tuple(strict_type(a, replace) for a in args)]  # type: ignore[misc]
    if origin is dict:
        return dict[args[0], strict_type(args[1], replace)]  # type: ignore[misc,valid-type]
    return tp


_CACHE: dict[tuple[type[BaseModel], str], type[BaseModel]] = {}
SPACE_CHARS = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""The characters Python counts as white space (``str.isspace``, what ``str.strip`` removes), spelled out for a
pattern's character class: ``\\s`` and ``\\S`` mean different sets in Python's ``re`` (which counts ``\\x1c``-``\\x1f``
and ``\\x85``), in ECMAScript (which counts ``\\ufeff``) and in the Rust engine, so a schema pattern that used them
would let a client's validator and the server disagree about the same string."""
NON_BLANK_PATTERN = rf"[^{SPACE_CHARS}]"
"""Text with at least one character that is not white space (what the domain keeps after trimming)."""
BLANK_PATTERN = rf"^[{SPACE_CHARS}]*$"
"""Text that is empty or white space only."""
API_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=False, regex_engine="python-re")
"""How every API request model reads: unknown properties refused; text kept as sent (the domain record trims it
when the use case validates it; a pattern is checked on the text as sent, so ``" P-1"`` is not an id); patterns with
Python's ``re``, the engine that also generates the schema's examples in the tests."""
_API_CONFIG = API_CONFIG


def _strict_field(
    f: FieldInfo, replace: dict[type[BaseModel], type[BaseModel]] | None
) -> tuple[Any, FieldInfo]:
    """A field's strict type; an id (its check in the field's metadata) gets :data:`ApiId`; text that must not be
    empty must not be blank either (the domain trims it), which the schema says with :data:`NON_BLANK_PATTERN`."""
    tp = strict_type(f.annotation, replace)
    if _is_int(tp):  # within what every JSON parser reads exactly, unless the field says narrower
        bounds: dict[str, int] = {}
        if not any(isinstance(m, (annotated_types.Ge, annotated_types.Gt)) for m in f.metadata):
            bounds["ge"] = -MAX_SAFE_INTEGER
        if not any(isinstance(m, (annotated_types.Le, annotated_types.Lt)) for m in f.metadata):
            bounds["le"] = MAX_SAFE_INTEGER
        if bounds:
            tp = Annotated[tp, Field(**bounds)]  # type: ignore[call-overload]
    if any(getattr(m, "func", None) is check_external_id for m in f.metadata):
        kept: dict[str, Any] = {"description": f.description, "examples": f.examples, "title": f.title}
        if f.default_factory is not None:
            return ApiId, Field(default_factory=f.default_factory, **kept)
        return ApiId, Field(default=f.default, **kept)
    text = f.annotation is str or (
        get_origin(f.annotation) in (Union, types.UnionType) and str in get_args(f.annotation)
    )
    min_len = next(
        (getattr(m, "min_length", None) for m in f.metadata if getattr(m, "min_length", None)), None
    )
    if text and min_len and not any(getattr(m, "pattern", None) for m in f.metadata):
        non_blank = Annotated[str, Field(pattern=NON_BLANK_PATTERN)]
        if tp is str:
            return non_blank, f
        return Union[tuple(non_blank if a is str else a for a in get_args(tp))], f  # noqa: UP007
    return tp, f


def _is_int(tp: Any) -> bool:
    """Whether a field type is an integer (or an optional one), seen through ``Annotated`` (a bound added to
    :data:`JsonInt` makes ``Annotated[int, Strict(), FieldInfo]``, no longer :data:`JsonInt` itself)."""
    if tp is int or tp is JsonInt:
        return True
    origin = get_origin(tp)
    if origin is Annotated:
        return _is_int(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return any(_is_int(a) for a in get_args(tp))
    return False


_INT_FIELDS: dict[type[BaseModel], frozenset[str]] = {}


def _int_fields(model: type[BaseModel]) -> frozenset[str]:
    """The names of a model's integer fields (its own and inherited), by the fields as pydantic built them."""
    names = _INT_FIELDS.get(model)
    if names is None:
        names = frozenset(n for n, f in model.model_fields.items() if _is_int(f.annotation))
        _INT_FIELDS[model] = names
    return names


def _read_integral_floats(cls: type[BaseModel], data: Any) -> Any:
    """A model "before" validator reading ``3.0`` as ``3`` in the model's integer fields (JSON Schema counts
    ``3.0`` as an integer); ``3.5``, ``"3"`` and ``true`` are left for the strict check to refuse."""
    names = _int_fields(cls)
    if names and isinstance(data, dict) and names & data.keys():
        return {k: _int_from_json(v) if k in names else v for k, v in data.items()}
    return data


def _integral_floats() -> Any:
    return model_validator(mode="before")(classmethod(_read_integral_floats))  # type: ignore[arg-type]


class StrictIn(BaseModel):
    """Base of a request body written by hand (not derived by :func:`strict_model`): :data:`API_CONFIG`, and an
    integral float read as the integer it is in its integer fields, as :func:`strict_model`'s models do."""

    model_config = API_CONFIG

    @model_validator(mode="before")
    @classmethod
    def _integral_floats(cls, data: Any) -> Any:
        return _read_integral_floats(cls, data)


def _after_validators(model: type[BaseModel], fields: set[str]) -> dict[str, Any]:
    """The model's "after" validators (semantic rules), re-declared for a derived model; "before" validators
    (the loaders' normalisations) are left behind."""
    decorators = model.__pydantic_decorators__
    out: dict[str, Any] = {}
    for name, dec in decorators.model_validators.items():
        if dec.info.mode == "after":
            out[name] = model_validator(mode="after")(dec.func)
    for name, fdec in decorators.field_validators.items():
        names = fdec.info.fields
        if fdec.info.mode != "after" or not names or not set(names) <= fields:
            continue
        func = getattr(fdec.func, "__func__", fdec.func)
        out[name] = field_validator(names[0], *names[1:], mode="after")(classmethod(func))
    return out


def strict_model(
    model: type[BaseModel],
    *,
    name: str | None = None,
    exclude: tuple[str, ...] = (),
    overrides: dict[str, tuple[Any, Any]] | None = None,
    replace: dict[type[BaseModel], type[BaseModel]] | None = None,
    config: ConfigDict | None = None,
    doc: str | None = None,
) -> type[BaseModel]:
    """A strict derivation of ``model`` (named ``<Model>In`` unless ``name`` is given): its fields less ``exclude``,
    each with :func:`strict_type` (or as ``overrides`` says), unknown properties forbidden, and its "after"
    validators."""
    key = (model, name or "")
    if not exclude and not overrides and config is None and key in _CACHE:
        return _CACHE[key]
    fields: dict[str, Any] = {}
    for field_name, f in model.model_fields.items():
        if field_name in exclude:
            continue
        if overrides and field_name in overrides:
            fields[field_name] = overrides[field_name]
            continue
        fields[field_name] = _strict_field(f, replace)
    cfg = ConfigDict(**{**model.model_config, **_API_CONFIG, **(config or {})})
    cfg.pop("frozen", None)
    validators = _after_validators(model, set(fields))
    validators["_integral_floats"] = _integral_floats()  # the integer fields are read off the built model
    out = create_model(
        name or f"{model.__name__}In",
        __config__=cfg,
        __doc__=doc if doc is not None else model.__doc__,
        __validators__=validators,
        __module__=__name__,
        **fields,
    )
    _carry_properties(model, out)
    if not exclude and not overrides and config is None:
        _CACHE[key] = out
    return out


def _carry_properties(model: type[BaseModel], out: type[BaseModel]) -> None:
    """Give the derived model the domain model's properties and helper methods (``ScheduleSlot.minutes``): its
    re-declared "after" validators, and the "after" validators of a model that holds it (a job's windows), were
    written against the domain class and read them."""
    for cls in model.__mro__:
        if cls is BaseModel or not issubclass(cls, BaseModel):
            continue
        for name, attr in vars(cls).items():
            if name.startswith("__") or hasattr(out, name) or name in out.model_fields:
                continue
            if isinstance(attr, property) or (inspect.isfunction(attr) and not name.startswith("model_")):
                setattr(out, name, attr)
