"""Bodies of the service endpoints: pages, ties, placements, matching, consent, keys, write results."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graphsvc.access.principals import Role
from graphsvc.domain.consent import Purpose
from graphsvc.domain.enums import NodeLabel, PlacementOutcome, PlacementStatus, RelType
from graphsvc.domain.values import ExternalId

__all__ = [
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
    "NodeRefIn",
    "Page",
    "PlacementOut",
    "ProposeRequest",
    "TieDelete",
    "TieIn",
    "TieOut",
    "TransitionRequest",
    "UpsertResult",
]

T = TypeVar("T")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


class NodeRefIn(_In):
    label: NodeLabel = Field(examples=["Person"])
    id: ExternalId = Field(examples=["P-0001"])


class TieIn(_In):
    """関係 (a relationship): its type, both ends and its properties (per type, see the domain records)."""

    type: RelType
    src: NodeRefIn
    dst: NodeRefIn
    props: dict[str, Any] = Field(default_factory=dict, description="関係の属性 (type ごと)")
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "SUPPORTED_BY",
                    "src": {"label": "Household", "id": "H-0001"},
                    "dst": {"label": "Agency", "id": "AG-01"},
                    "props": {"sector": "elderly", "intensity": 2},
                }
            ]
        }
    )


class TieDelete(_In):
    type: RelType
    src: NodeRefIn
    dst: NodeRefIn
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "KNOWS",
                    "src": {"label": "Person", "id": "P-0001"},
                    "dst": {"label": "Person", "id": "P-0002"},
                }
            ]
        }
    )


class TieOut(BaseModel):
    type: RelType
    src: dict[str, str]
    dst: dict[str, str]
    props: dict[str, Any]


class MatchRequest(_In):
    person_id: ExternalId = Field(examples=["P-0001"])
    top: int = Field(default=10, ge=1, le=100, description="上位何件")
    explain: int = Field(default=10, ge=0, le=100, description="理由を付ける件数")
    exclusions: bool = Field(default=True, description="除外した候補とその理由も返す")
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"person_id": "P-0001", "top": 5, "explain": 5}]}
    )


class AssignRequest(_In):
    person_ids: list[ExternalId] | None = Field(
        default=None, max_length=500, description="対象者 (省略: 見られる候補者すべて)"
    )
    k: int = Field(default=1, ge=1, le=5, description="1人あたりの参加先数")
    max_per_host: int | None = Field(default=None, ge=1, le=100, description="1受け入れ先あたりの上限")
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
    person_id: ExternalId = Field(examples=["P-0001"])
    opportunity_id: ExternalId = Field(examples=["O-0001"])
    note: str | None = Field(default=None, max_length=2000, examples=["面談で希望を確認済み"])
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"person_id": "P-0001", "opportunity_id": "O-0001", "note": "面談で希望を確認"}]
        }
    )


class TransitionRequest(_In):
    status: PlacementStatus
    note: str | None = Field(default=None, max_length=2000)
    host_notes: str | None = Field(default=None, max_length=2000, description="受け入れ先の悩み・メモ")
    outcome: PlacementOutcome | None = None
    start: date | None = None
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

    purposes: list[Purpose] = Field(min_length=1, examples=[["参加支援"]])
    recipients: list[str] = Field(
        default_factory=lambda: ["*"],
        max_length=200,
        description="提供先の id (機関・受け入れ先)、`*` はすべて",
    )
    valid_from: date | None = Field(default=None, description="開始日 (省略: 今日)")
    valid_until: date | None = Field(default=None, description="終了日 (省略: 無期限)")
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
    name: str = Field(min_length=1, max_length=100, examples=["佐藤"])
    role: Role
    towns: list[str] = Field(default_factory=lambda: ["*"], min_length=1, max_length=100)
    persons: list[str] = Field(
        default_factory=list, max_length=10_000, description="coordinator: 担当の本人 id か `*`"
    )
    system_id: str | None = Field(default=None, max_length=100, description="case_system: システムの id")
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
