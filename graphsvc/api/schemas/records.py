"""``XCreate`` / ``XRow`` / ``XPublic`` schemas built from the domain records, one set per kind of node.

The create schema is the record without ``id`` (the id is in the path), the row schema (one item of a bulk upsert)
the record with it; both are strict derivations (:mod:`graphsvc.api.schemas.strict`: no coercion between JSON
types, enum codes only, nested values and the participation profile in their API forms) that keep every field's
name, default, description, examples and the record's own rules. The domain record still validates the whole
before anything is written. The public schema is the record as stored, with ``id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from graphsvc.access.kinds import KINDS as RECORD_KINDS
from graphsvc.access.kinds import RecordKind
from graphsvc.api.schemas.strict import strict_model
from graphsvc.api.schemas.values import REPLACE, ProfileIn
from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.records import NodeRecord, Opportunity, Person

__all__ = ["KINDS", "Kind", "kind_of", "request_data"]

_EXAMPLES: dict[NodeLabel, dict[str, Any]] = {
    NodeLabel.PERSON: {
        "name": "鳥羽 太郎",
        "household_id": "H-0001",
        "birth_year": 1988,
        "sex": "male",
        "hikikomori": True,
        "participation_profile": {
            "skills": ["調理"],
            "interests": ["人に教える"],
            "max_hours_per_session": 3,
            "consent": {"host_kinds": ["Venue", "Agency"]},
        },
    },
    NodeLabel.HOUSEHOLD: {"area_id": "A-01", "size": 2, "flags": ["eighty_fifty"]},
    NodeLabel.AGENCY: {
        "name": "鳥羽市地域包括支援センター",
        "kind": "comprehensive_care_center",
        "sectors": ["elderly"],
    },
    NodeLabel.VENUE: {"name": "答志島コミュニティカフェ", "kind": "community_cafe", "sectors": ["community"]},
    NodeLabel.EMPLOYER: {"name": "鳥羽湾旅館 (架空)", "industry": "観光"},
    NodeLabel.OPPORTUNITY: {
        "title": "旅館の朝食配膳 (プチ勤務)",
        "kind": "petit_work",
        "host_id": "E-01",
        "host_label": "Employer",
        "hours_per_session": 2,
        "capacity": {"maximum": 2},
    },
    NodeLabel.CASE: {
        "household_id": "H-0001",
        "stage": "assessment",
        "factors": ["hikikomori", "care_burden"],
        "opened": "2024-04-01",
        "hard": True,
    },
    NodeLabel.SUPPORTER: {"name": "民生委員 A", "kind": "minsei_iin", "area_id": "A-01"},
    NodeLabel.AREA: {"name": "答志島", "kind": "district", "remote": True},
    NodeLabel.JOB: {
        "title": "旅館の朝の仕事",
        "host_id": "E-0001",
        "host_label": "Employer",
        "weekly_hours": 2,
        "tasks": [
            {
                "name": "リネンたたみ",
                "minutes": 120,
                "per_week": 1,
                "windows": [{"weekday": "tue", "opens": "09:00", "closes": "12:00"}],
                "splittable": True,
            }
        ],
    },
}


# Rules of a record that JSON Schema can state, written into its request schemas: an opportunity names its host
# by both id and label, or by neither (``Opportunity._host_pair``; null counts as absent, as a GET returns it).
_HOST_LABELS = tuple(sorted(label.value for label in (NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY)))
_RULES: dict[NodeLabel, dict[str, Any]] = {
    NodeLabel.OPPORTUNITY: {
        "anyOf": [
            {
                "required": ["host_id", "host_label"],
                "properties": {"host_id": {"type": "string"}, "host_label": {"type": "string"}},
            },
            {"properties": {"host_id": {"type": "null"}, "host_label": {"type": "null"}}},
        ]
    }
}


def _overrides(record: type[NodeRecord]) -> dict[str, tuple[Any, Any]]:
    if record is Person:
        f = Person.model_fields["participation_profile"]
        return {"participation_profile": (ProfileIn | None, Field(default=None, description=f.description))}
    if record.label is NodeLabel.JOB:
        return {
            "host_label": (
                Literal[_HOST_LABELS],
                Field(description="受け入れ先の種類 (Employer, Venue, Agency; host_id と一緒に)"),
            )
        }
    if record is Opportunity:
        f = Opportunity.model_fields["host_label"]
        return {
            "host_label": (
                Literal[_HOST_LABELS] | None,
                Field(default=None, description="受け入れ先の種類 (host_id と一緒に)"),
            )
        }
    return {}


@dataclass(frozen=True)
class Kind(RecordKind):
    """A kind of resource in the URL (``persons``): the access layer's :class:`RecordKind` and its schemas."""

    create: type[BaseModel]
    row: type[BaseModel]
    public: type[BaseModel]


def _schemas(record: type[NodeRecord]) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    example = _EXAMPLES.get(record.label, {})
    rules = _RULES.get(record.label, {})
    create = strict_model(
        record,
        name=f"{record.__name__}Create",
        exclude=("id",),
        overrides=_overrides(record),
        replace=REPLACE,
        config=ConfigDict(json_schema_extra={"examples": [example], **rules}),
        doc=f"{record.label.ja}: 登録・更新の本文 (body of PUT; the id is in the path)",
    )
    row = strict_model(
        record,
        name=f"{record.__name__}Row",
        overrides=_overrides(record),
        replace=REPLACE,
        config=ConfigDict(json_schema_extra={"examples": [{"id": "X-0001", **example}], **rules}),
        doc=f"{record.label.ja}: 一括登録の1行 (one row of a bulk upsert, with its id)",
    )
    fields: dict[str, Any] = {name: (f.annotation, f) for name, f in record.model_fields.items()}
    public = create_model(
        f"{record.__name__}Public",
        __config__=ConfigDict(json_schema_extra={"examples": [{"id": "X-0001", **example}]}),
        __doc__=f"{record.label.ja} (as returned; fields the caller may not see are null)",
        **fields,
    )
    return create, row, public


def _kind(rk: RecordKind) -> Kind:
    create, row, public = _schemas(rk.record)
    return Kind(rk.path, rk.label, rk.record, rk.personal, create, row, public)


def request_data(body: BaseModel) -> dict[str, Any]:
    """A validated create or row body as the use case takes it: what the client set (nested too), without nulls
    (an upsert replaces the record: an absent or null field takes the record's default)."""
    return body.model_dump(mode="json", exclude_unset=True, exclude_none=True)


KINDS: dict[str, Kind] = {path: _kind(rk) for path, rk in RECORD_KINDS.items()}


def kind_of(label: NodeLabel) -> Kind:
    return next(k for k in KINDS.values() if k.label is label)
