"""``XCreate`` / ``XPublic`` schemas built from the domain records, one pair per kind of node.

The create schema is the record without ``id`` (the id is in the path); it keeps every field's type,
default, description and examples. The domain record still validates the whole (cross-field rules such as an
opportunity's host pair) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from graphsvc.access.kinds import KINDS as RECORD_KINDS
from graphsvc.access.kinds import RecordKind
from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.records import NodeRecord

__all__ = ["KINDS", "Kind", "kind_of"]

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
}


@dataclass(frozen=True)
class Kind(RecordKind):
    """A kind of resource in the URL (``persons``): the access layer's :class:`RecordKind` and its schemas."""

    create: type[BaseModel]
    public: type[BaseModel]


def _schemas(record: type[NodeRecord]) -> tuple[type[BaseModel], type[BaseModel]]:
    fields: dict[str, Any] = {
        name: (f.annotation, f) for name, f in record.model_fields.items() if name != "id"
    }
    example = _EXAMPLES.get(record.label, {})
    create = create_model(
        f"{record.__name__}Create",
        __config__=ConfigDict(extra="forbid", json_schema_extra={"examples": [example]}),
        __doc__=f"{record.label.ja}: 登録・更新の本文 (body of PUT; the id is in the path)",
        **fields,
    )
    public_fields = {"id": (record.model_fields["id"].annotation, record.model_fields["id"]), **fields}
    public = create_model(
        f"{record.__name__}Public",
        __config__=ConfigDict(json_schema_extra={"examples": [{"id": "X-0001", **example}]}),
        __doc__=f"{record.label.ja} (as returned; fields the caller may not see are null)",
        **public_fields,
    )
    return create, public


def _kind(rk: RecordKind) -> Kind:
    create, public = _schemas(rk.record)
    return Kind(rk.path, rk.label, rk.record, rk.personal, create, public)


KINDS: dict[str, Kind] = {path: _kind(rk) for path, rk in RECORD_KINDS.items()}


def kind_of(label: NodeLabel) -> Kind:
    return next(k for k in KINDS.values() if k.label is label)
