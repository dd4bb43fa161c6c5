"""Bodies of the service endpoints: pages, ties, placements, matching, consent, keys, write results."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from graphsvc.access.principals import Role
from graphsvc.api.schemas.strict import (
    API_CONFIG,
    NON_BLANK_PATTERN,
    ApiId,
    JsonBool,
    JsonDate,
    JsonInt,
    StrictIn,
    exact_enum,
    strict_model,
)
from graphsvc.domain.consent import Purpose
from graphsvc.domain.enums import NodeLabel, PlacementOutcome, PlacementStatus, RelType
from graphsvc.domain.ids import RECORD_ID_PATTERN, TOWN_PATTERN
from graphsvc.domain.records import REL_SPECS, RelSpec

__all__ = [
    "TIE_ADAPTER",
    "TIE_DELETE_EXAMPLE",
    "TIE_EXAMPLE",
    "AssignRequest",
    "AssignResponse",
    "BulkResult",
    "ConsentGrantIn",
    "ConsentGrantOut",
    "DeleteResultOut",
    "KeyCreate",
    "KeyCreated",
    "KeyOut",
    "MatchRequest",
    "Page",
    "PlacementOut",
    "ProposeRequest",
    "TieDelete",
    "TieDeleted",
    "TieIn",
    "TieOut",
    "TransitionRequest",
    "UpsertResult",
]

T = TypeVar("T")
_ID_OR_ALL = rf"^\*$|{RECORD_ID_PATTERN}"
if TYPE_CHECKING:  # to the type checker, the enums themselves (what a request's value becomes)
    PlacementStatusCode = PlacementStatus
    PlacementOutcomeCode = PlacementOutcome
    PurposeCode = Purpose
    RoleCode = Role
else:  # by code only: no label, no other spelling
    PlacementStatusCode = exact_enum(PlacementStatus)
    PlacementOutcomeCode = exact_enum(PlacementOutcome)
    PurposeCode = exact_enum(Purpose)
    RoleCode = exact_enum(Role)
_TOWN_OR_ALL = rf"^\*$|{TOWN_PATTERN}"


class _In(StrictIn):
    """A request body: strict (:mod:`graphsvc.api.schemas.strict`), unknown properties refused, ``3.0`` read as
    ``3`` in an integer field."""


class Page(BaseModel, Generic[T]):
    """一覧の1ページ (a page of a list): ``next_cursor`` continues it; ``total`` counts what the caller may see."""

    items: list[T]
    total: int = Field(description="件数 (the caller's view)")
    limit: int
    offset: int
    next_cursor: str | None = Field(default=None, description="次のページのカーソル (null: last page)")


class UpsertResult(BaseModel):
    id: str
    kind: str
    created: bool = Field(description="新規作成 (true) か更新 (false) か")
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "P-0001", "kind": "persons", "created": True}]}
    )


class BulkResult(BaseModel):
    kind: str
    rows: int
    created: int
    updated: int
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "persons", "rows": 2, "created": 2, "updated": 0}]}
    )


class RemovedRel(BaseModel):
    type: RelType
    src: str
    dst: str


class DeleteResultOut(BaseModel):
    id: str
    kind: str
    nodes: int = Field(description="削除したノード数")
    relationships: int = Field(description="削除した関係の数")
    removed_relationships: list[RemovedRel] = Field(default_factory=list, description="削除した関係")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.lower().split("_"))


_REFS: dict[frozenset[NodeLabel], type[BaseModel]] = {}


def _node_ref(labels: frozenset[NodeLabel]) -> type[BaseModel]:
    """A node reference whose label is one of ``labels`` (the ends a relationship type joins)."""
    if labels not in _REFS:
        values = tuple(sorted(label.value for label in labels))
        label_type: Any = Literal[values]
        _REFS[labels] = create_model(
            "".join(values) + "Ref",
            __config__=API_CONFIG,
            __doc__=f"端点: {' / '.join(values)} の外部ID (a node: its label and id)",
            label=(label_type, Field(examples=[values[0]])),
            id=(ApiId, Field(examples=["P-0001"])),
        )
    return _REFS[labels]


def _tie_model(spec: RelSpec, *, props: bool) -> type[BaseModel]:
    name = _pascal(spec.type.value)
    fields: dict[str, Any] = {
        "type": (Literal[spec.type.value], Field(description=f"{spec.type.ja} ({spec.type.value})")),
        "src": (_node_ref(spec.sources), ...),
        "dst": (_node_ref(spec.targets), ...),
    }
    if props:
        model = strict_model(spec.props, name=f"{name}Props")
        fields["props"] = (
            model,
            Field(default_factory=model, description="関係の属性 (properties of this type)"),
        )
    return create_model(
        f"{name}Tie" if props else f"{name}TieRef",
        __config__=API_CONFIG,
        __doc__=f"関係 {spec.type.ja}: {' / '.join(sorted(s.value for s in spec.sources))} → "
        f"{' / '.join(sorted(t.value for t in spec.targets))}",
        **fields,
    )


_TIES = tuple(_tie_model(spec, props=True) for spec in REL_SPECS.values())
_TIE_REFS = tuple(_tie_model(spec, props=False) for spec in REL_SPECS.values())
if TYPE_CHECKING:  # one model per relationship type, built at import: opaque to the type checker
    TieIn = Any
    TieDelete = Any
else:
    TieIn = Annotated[Union[_TIES], Field(discriminator="type")]  # noqa: UP007
    """関係 (a relationship): its type, both ends (the labels that type joins) and that type's properties."""
    TieDelete = Annotated[Union[_TIE_REFS], Field(discriminator="type")]  # noqa: UP007
    """関係の指定 (a relationship to delete: its type and both ends)."""
TIE_ADAPTER: TypeAdapter[Any] = TypeAdapter(TieIn)
TIE_EXAMPLE = {
    "type": "SUPPORTED_BY",
    "src": {"label": "Household", "id": "H-0001"},
    "dst": {"label": "Agency", "id": "AG-01"},
    "props": {"sector": "elderly", "intensity": 2},
}
TIE_DELETE_EXAMPLE = {
    "type": "KNOWS",
    "src": {"label": "Person", "id": "P-0001"},
    "dst": {"label": "Person", "id": "P-0002"},
}


class TieOut(BaseModel):
    type: RelType
    src: dict[str, str]
    dst: dict[str, str]
    props: dict[str, Any]


class TieDeleted(BaseModel):
    deleted: bool
    type: str
    src: str
    dst: str


class MatchRequest(_In):
    person_id: ApiId = Field(examples=["P-0001"])
    top: JsonInt = Field(default=10, ge=1, le=100, description="上位何件")
    explain: JsonInt = Field(default=10, ge=0, le=100, description="理由を付ける件数")
    exclusions: JsonBool = Field(default=True, description="除外した候補とその理由も返す")
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"person_id": "P-0001", "top": 5, "explain": 5}]}
    )


class AssignRequest(_In):
    person_ids: list[ApiId] | None = Field(
        default=None, max_length=500, description="対象者 (省略: 見られる候補者すべて)"
    )
    k: JsonInt = Field(default=1, ge=1, le=5, description="1人あたりの参加先数")
    max_per_host: JsonInt | None = Field(default=None, ge=1, le=100, description="1受け入れ先あたりの上限")
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"person_ids": ["P-0001", "P-0002"], "k": 1, "max_per_host": 2}]}
    )


class AssignResponse(BaseModel):
    method: Literal["exact"] = "exact"
    total_score: float
    greedy_total_score: float
    rows: list[dict[str, Any]]
    unassigned: list[str]


class ProposeRequest(_In):
    person_id: ApiId = Field(examples=["P-0001"])
    opportunity_id: ApiId = Field(examples=["O-0001"])
    note: str | None = Field(default=None, max_length=2000, examples=["面談で希望を確認済み"])
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"person_id": "P-0001", "opportunity_id": "O-0001", "note": "面談で希望を確認"}]
        }
    )


class TransitionRequest(_In):
    status: PlacementStatusCode
    note: str | None = Field(default=None, max_length=2000)
    host_notes: str | None = Field(default=None, max_length=2000, description="受け入れ先の悩み・メモ")
    outcome: PlacementOutcomeCode | None = None
    start: JsonDate | None = None
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "contacted", "note": "受け入れ先に電話で打診"}]}
    )


class PlacementOut(BaseModel):
    person_id: str
    opportunity_id: str
    status: PlacementStatus
    start: date | None = None
    outcome: PlacementOutcome | None = None
    host_notes: str | None = None
    updated_at: str | None = None
    updated_by: str | None = None
    history: list[dict[str, Any]] = Field(
        default_factory=list, description="変更履歴 (who changed what when)"
    )


class ConsentGrantIn(_In):
    """本人同意: 利用目的と提供先 (機関・受け入れ先の id、`*` はすべて)、期間."""

    purposes: list[PurposeCode] = Field(min_length=1, examples=[["参加支援"]])
    recipients: list[Annotated[str, Field(pattern=_ID_OR_ALL)]] = Field(
        default_factory=lambda: ["*"],
        max_length=200,
        description="提供先の id (機関・受け入れ先)、`*` はすべて (空の一覧もすべて)",
    )
    valid_from: JsonDate | None = Field(default=None, description="開始日 (省略: 今日)")
    valid_until: JsonDate | None = Field(default=None, description="終了日 (省略: 無期限)")
    note: str | None = Field(default=None, max_length=500)
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "purposes": ["参加支援"],
                    "recipients": ["E-01", "V-03"],
                    "valid_from": "2025-04-01",
                    "valid_until": "2026-03-31",
                }
            ]
        }
    )


class ConsentGrantOut(BaseModel):
    grant_id: str
    person_id: str
    purposes: list[str]
    recipients: list[str]
    valid_from: str
    valid_until: str | None
    recorded_by: str
    recorded_at: str
    withdrawn_at: str | None = None
    note: str | None = None
    active: bool


class KeyCreate(_In):
    name: str = Field(min_length=1, max_length=100, pattern=NON_BLANK_PATTERN, examples=["佐藤"])
    role: RoleCode
    towns: list[Annotated[str, Field(pattern=_TOWN_OR_ALL)]] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        max_length=100,
        description='町の id、すべての町は `["*"]` (`*` は単独で) (town ids, or `["*"]` alone for all towns)',
        json_schema_extra={
            "anyOf": [{"maxItems": 1, "items": {"const": "*"}}, {"items": {"not": {"const": "*"}}}]
        },
    )
    persons: list[Annotated[str, Field(pattern=_ID_OR_ALL)]] = Field(
        default_factory=list, max_length=10_000, description="coordinator: 担当の本人 id か `*`"
    )
    system_id: str | None = Field(
        default=None, max_length=100, pattern=NON_BLANK_PATTERN, description="case_system: システムの id"
    )
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "佐藤", "role": "coordinator", "towns": ["toba"], "persons": ["P-0001"]}]
        }
    )


class KeyOut(BaseModel):
    key_id: str
    name: str
    role: Role
    towns: list[str]
    persons: list[str]
    system_id: str | None
    created_at: str
    revoked_at: str | None = None


class KeyCreated(KeyOut):
    key: str = Field(description="APIキー (この一度しか表示されません / shown only once)")
