"""Node and relationship records of the town graph (DESIGN, "The graph"), validated by pydantic.

Every node has a stable external ``id``. Records are converted to flat store properties by
:func:`graphsvc.domain.codec.to_props` (Neo4j properties must be primitives or lists of primitives).
"""

from __future__ import annotations

import builtins
from datetime import date
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graphsvc.domain.enums import (
    AgencyKind,
    AreaKind,
    CaseFactor,
    CaseStage,
    CollaborationLevel,
    HouseholdFlag,
    NodeLabel,
    OpportunityKind,
    PlacementOutcome,
    PlacementStatus,
    RelType,
    Sector,
    Sex,
    SupporterKind,
    TieKind,
    TieStrength,
    VenueKind,
)
from graphsvc.domain.values import Capacity, ExternalId, GeoPoint, Schedule

__all__ = [
    "NODE_MODELS",
    "REL_SPECS",
    "Agency",
    "Area",
    "AttendsProps",
    "Case",
    "CaselistRecord",
    "CollaborationProps",
    "Employer",
    "HandledByProps",
    "Household",
    "IdentifiedAsProps",
    "MemberOfProps",
    "NoProps",
    "NodeRecord",
    "Opportunity",
    "Person",
    "PlacementEvent",
    "PlacementProps",
    "RelProps",
    "RelSpec",
    "SupportedByProps",
    "Supporter",
    "TieProps",
    "Venue",
    "VisitsProps",
]


class NodeRecord(BaseModel):
    """Base of every node record."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)
    label: ClassVar[NodeLabel]

    id: ExternalId = Field(description="外部ID (case systems' stable key)", examples=["P-000123"])


class Area(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.AREA
    name: str = Field(min_length=1, examples=["答志島"])
    kind: AreaKind = AreaKind.DISTRICT
    parent_id: ExternalId | None = None
    code: str | None = Field(default=None, description="市区町村コード等")
    centre: GeoPoint | None = None
    remote: bool = Field(default=False, description="離島・遠隔地")


class Household(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.HOUSEHOLD
    area_id: ExternalId | None = None
    location: GeoPoint | None = None
    size: int = Field(default=1, ge=1, le=30)
    flags: list[HouseholdFlag] = Field(default_factory=list)
    address: str | None = None


class Person(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.PERSON
    name: str | None = Field(default=None, description="氏名 (synthetic in this repository)")
    household_id: ExternalId | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    sex: Sex = Sex.UNKNOWN
    needs_support: bool = Field(default=False, description="要援護者台帳に登載")
    care_level: str | None = Field(default=None, description="要介護度 (要支援1〜要介護5)")
    disability: bool = False
    hikikomori: bool = False
    notes: str | None = None
    participation_profile: dict[str, Any] | None = Field(
        default=None,
        description="参加支援のプロフィール (matching.Profile の JSON; `tsunagari schema profile`)",
    )


class Agency(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.AGENCY
    name: str = Field(min_length=1)
    name_kana: str | None = Field(default=None, description="名称のカナ")
    kind: AgencyKind = AgencyKind.OTHER
    sectors: list[Sector] = Field(default_factory=list, description="担当分野")
    area_id: ExternalId | None = None
    location: GeoPoint | None = None
    address: str | None = None
    phone: str | None = None
    fax: str | None = None
    url: str | None = None
    notes: str | None = Field(default=None, description="備考")
    corporation: str | None = Field(default=None, description="法人の名称")
    corporate_number: str | None = Field(default=None, description="法人番号")
    office_number: str | None = Field(default=None, description="事業所番号")
    services: list[str] = Field(default_factory=list, description="実施サービス")
    schedule: Schedule | None = None
    capacity: Capacity | None = None
    caseload_limit: int | None = Field(default=None, ge=0, description="担当できるケース数の目安")


class Venue(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.VENUE
    name: str = Field(min_length=1)
    kind: VenueKind = VenueKind.OTHER
    sectors: list[Sector] = Field(default_factory=list)
    area_id: ExternalId | None = None
    location: GeoPoint | None = None
    address: str | None = None
    schedule: Schedule | None = None
    capacity: Capacity | None = None
    activities: list[str] = Field(default_factory=list)


class Employer(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.EMPLOYER
    name: str = Field(min_length=1)
    industry: str | None = Field(default=None, description="業種 (観光, 水産, 農業, 小売, 福祉 …)")
    welfare_workplace: bool = Field(default=False, description="福祉的就労の事業所 (B型など)")
    sectors: list[Sector] = Field(default_factory=list)
    area_id: ExternalId | None = None
    location: GeoPoint | None = None
    address: str | None = None


class Opportunity(NodeRecord):
    """参加メニュー: a placement with its hours, loads, skills and capacity, at a host."""

    label: ClassVar[NodeLabel] = NodeLabel.OPPORTUNITY
    title: str = Field(min_length=1, examples=["旅館の朝食配膳 (プチ勤務)"])
    kind: OpportunityKind
    host_id: ExternalId | None = None
    host_label: NodeLabel | None = None
    description: str | None = None
    sectors: list[Sector] = Field(default_factory=list)
    provides: list[str] = Field(
        default_factory=list, description="提供するもの (日中活動, 収入, 居場所, 住まい …)"
    )
    schedule: Schedule | None = Field(default=None, description="曜日・時間帯 (在宅や住まいは無し)")
    hours_per_session: float | None = Field(default=None, gt=0, le=24)
    difficulty: int = Field(default=1, ge=1, le=5, description="難易度 1-5")
    contact_load: int = Field(default=1, ge=1, le=5, description="対人負荷 1-5")
    physical_load: int = Field(default=1, ge=1, le=5, description="身体負荷 1-5")
    skills_wanted: list[str] = Field(default_factory=list)
    accessibility: list[str] = Field(default_factory=list)
    support: list[str] = Field(default_factory=list, description="受け入れ先の支援 (声かけ, 見守り …)")
    contact_person: str | None = None
    capacity: Capacity | None = None
    area_id: ExternalId | None = None
    location: GeoPoint | None = None
    remote: bool = Field(default=False, description="在宅・遠隔で可")

    @model_validator(mode="after")
    def _host_pair(self) -> Self:
        if (self.host_id is None) != (self.host_label is None):
            raise ValueError(
                "host_id と host_label は両方指定してください (give both host_id and host_label)"
            )
        if self.host_label is not None and self.host_label not in (
            NodeLabel.EMPLOYER,
            NodeLabel.VENUE,
            NodeLabel.AGENCY,
        ):
            raise ValueError(
                "受け入れ先は企業・居場所・機関のいずれかです (host_label must be Employer, Venue or Agency)"
            )
        return self


class Supporter(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.SUPPORTER
    name: str | None = None
    kind: SupporterKind = SupporterKind.SUPPORTER
    area_id: ExternalId | None = None
    agency_id: ExternalId | None = Field(default=None, description="所属機関")


class Case(NodeRecord):
    label: ClassVar[NodeLabel] = NodeLabel.CASE
    household_id: ExternalId | None = None
    stage: CaseStage = CaseStage.INTAKE
    factors: list[CaseFactor] = Field(default_factory=list, description="要因")
    opened: date | None = None
    closed: date | None = None
    hard: bool = Field(default=False, description="困難事例")
    summary: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.opened and self.closed and self.closed < self.opened:
            raise ValueError("終結日が受付日より前です (closed is before opened)")
        return self


class CaselistRecord(NodeRecord):
    """One row of an agency's caselist (``tsunagari load caselist``), kept exactly as it came: the file's
    headers and the row's cells, with where it came from. Never edited; a new version of the list is a new file
    whose rows are new records (the id holds the file's hash and the row)."""

    label: ClassVar[NodeLabel] = NodeLabel.CASELIST_RECORD
    agency_id: ExternalId = Field(description="名簿を出した機関")
    case_id: str = Field(min_length=1, description="機関のケース番号")
    file_name: str = Field(min_length=1)
    file_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    row: int = Field(ge=1, description="ファイルの行番号")
    headers: list[str] = Field(default_factory=list, description="見出し (書かれたとおり)")
    cells: list[str] = Field(default_factory=list, description="セル (書かれたとおり)")
    loaded_at: str = Field(description="読み込んだ日時 (ISO 8601)")
    encoding: str | None = None
    sheet: str | None = None


NODE_MODELS: dict[NodeLabel, type[NodeRecord]] = {
    m.label: m
    for m in (Area, Household, Person, Agency, Venue, Employer, Opportunity, Supporter, Case, CaselistRecord)
}


# ---------------------------------------------------------------- relationships


class RelProps(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoProps(RelProps):
    pass


class MemberOfProps(RelProps):
    role: str | None = Field(default=None, description="続柄")


class SupportedByProps(RelProps):
    sector: Sector | None = None
    since: date | None = None
    intensity: int | None = Field(
        default=None, ge=1, le=3, description="1 情報提供 / 2 定期 / 3 集中 (未記録は不明)"
    )


class TieProps(RelProps):
    strength: TieStrength | None = Field(default=None, description="強さ (未記録は不明: 弱いとは数えない)")
    relation: TieKind | None = Field(default=None, description="関係 (親族・友人・近所・知人・見守り)")
    since: date | None = None


class VisitsProps(RelProps):
    per_month: float | None = Field(default=None, ge=0, le=31, description="月あたりの回数 (未記録は不明)")
    since: date | None = None


class AttendsProps(RelProps):
    per_month: float | None = Field(default=None, ge=0, le=31, description="月あたりの回数 (未記録は不明)")


class CollaborationProps(RelProps):
    level: CollaborationLevel = CollaborationLevel.AWARENESS
    since: date | None = None
    intensity: int = Field(default=1, ge=1, le=3)


class PlacementEvent(RelProps):
    """One change of a placement: who changed what, when."""

    at: str = Field(description="日時 (ISO 8601)")
    by: str = Field(min_length=1, description="変更した人・システム")
    status: PlacementStatus
    outcome: PlacementOutcome | None = None
    note: str | None = None


class PlacementProps(RelProps):
    status: PlacementStatus = PlacementStatus.PROPOSED
    start: date | None = None
    outcome: PlacementOutcome | None = None
    host_notes: str | None = Field(default=None, description="受け入れ先の悩み・メモ")
    updated_at: str | None = None
    updated_by: str | None = None
    history: list[PlacementEvent] = Field(default_factory=list, description="変更履歴")


class HandledByProps(RelProps):
    lead: bool = Field(default=False, description="主担当")


class IdentifiedAsProps(RelProps):
    """A linked person's source row: which linkage run put it there, or a reviewer's decision."""

    run_id: str | None = None
    basis: str | None = Field(default=None, description="法的根拠 (支援会議 / 同意)")


class RelSpec(BaseModel):
    """Which labels a relationship type joins, and the record of its properties."""

    model_config = ConfigDict(frozen=True)
    type: RelType
    sources: frozenset[NodeLabel]
    targets: frozenset[NodeLabel]
    props: builtins.type[RelProps]


def _spec(t: RelType, src: set[NodeLabel], dst: set[NodeLabel], props: type[RelProps]) -> RelSpec:
    return RelSpec(type=t, sources=frozenset(src), targets=frozenset(dst), props=props)


_L = NodeLabel
REL_SPECS: dict[RelType, RelSpec] = {
    s.type: s
    for s in (
        _spec(RelType.MEMBER_OF, {_L.PERSON}, {_L.HOUSEHOLD}, MemberOfProps),
        _spec(
            RelType.IN_AREA,
            {_L.HOUSEHOLD, _L.AGENCY, _L.VENUE, _L.EMPLOYER, _L.OPPORTUNITY, _L.SUPPORTER, _L.AREA},
            {_L.AREA},
            NoProps,
        ),
        _spec(RelType.SUPPORTED_BY, {_L.PERSON, _L.HOUSEHOLD}, {_L.AGENCY}, SupportedByProps),
        _spec(RelType.KNOWS, {_L.PERSON}, {_L.PERSON}, TieProps),
        _spec(RelType.NEIGHBOUR_OF, {_L.PERSON, _L.HOUSEHOLD}, {_L.PERSON, _L.HOUSEHOLD}, TieProps),
        _spec(RelType.VISITS, {_L.SUPPORTER}, {_L.HOUSEHOLD, _L.PERSON}, VisitsProps),
        _spec(RelType.ATTENDS, {_L.PERSON}, {_L.VENUE}, AttendsProps),
        _spec(RelType.COLLABORATES_WITH, {_L.AGENCY}, {_L.AGENCY}, CollaborationProps),
        _spec(RelType.HOSTED_BY, {_L.OPPORTUNITY}, {_L.EMPLOYER, _L.VENUE, _L.AGENCY}, NoProps),
        _spec(RelType.PLACED_IN, {_L.PERSON}, {_L.OPPORTUNITY}, PlacementProps),
        _spec(RelType.ABOUT, {_L.CASE}, {_L.HOUSEHOLD, _L.PERSON}, NoProps),
        _spec(RelType.HANDLED_BY, {_L.CASE}, {_L.AGENCY}, HandledByProps),
        _spec(RelType.IDENTIFIED_AS, {_L.PERSON}, {_L.CASELIST_RECORD}, IdentifiedAsProps),
    )
}
