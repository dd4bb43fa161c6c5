"""Node and relationship records of the town graph (DESIGN, "The graph"), validated by pydantic.

Every node has a stable external ``id``. Records are converted to flat store properties by
:func:`graphsvc.domain.codec.to_props` (Neo4j properties must be primitives or lists of primitives).
"""

from __future__ import annotations

import builtins
import itertools
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
    OpportunityStatus,
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
from graphsvc.domain.values import Capacity, ExternalId, GeoPoint, Schedule, ScheduleSlot

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
    "Job",
    "JobTask",
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
    status: OpportunityStatus | None = Field(
        default=None,
        description="公開状態 (draft 下書き: マッチング・地図・書き出しに出さない / published 公開; 省略は公開)",
    )
    job_id: ExternalId | None = Field(default=None, description="切り出し元の仕事 (Job) のID")
    tasks: list[str] = Field(default_factory=list, description="含む作業 (仕事の切り出しで作ったとき)")

    @property
    def published(self) -> bool:
        """Offered to people (every record without a status is): not a draft."""
        return self.status is not OpportunityStatus.DRAFT

    @model_validator(mode="after")
    def _host_pair(self) -> Self:
        _check_host(self.host_id, self.host_label)
        return self


def _check_host(host_id: str | None, host_label: NodeLabel | None, *, required: bool = False) -> None:
    if required and host_id is None and host_label is None:
        raise ValueError("受け入れ先 (host_id と host_label) を指定してください (give the host)")
    if (host_id is None) != (host_label is None):
        raise ValueError("host_id と host_label は両方指定してください (give both host_id and host_label)")
    if host_label is not None and host_label not in (NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY):
        raise ValueError(
            "受け入れ先は企業・居場所・機関のいずれかです (host_label must be Employer, Venue or Agency)"
        )


class JobTask(BaseModel):
    """仕事の中の作業 1つ: 1回の時間、週の回数、実施できる曜日・時間帯、負荷、技能、分け方."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=80, description="作業名", examples=["客室清掃"])
    minutes: int = Field(gt=0, le=1440, description="1回あたりの作業時間 (分)", examples=[120])
    per_week: int = Field(default=1, ge=1, le=7, description="週の回数 (別々の曜日に)", examples=[1])
    windows: tuple[ScheduleSlot, ...] = Field(
        min_length=1,
        description="実施できる曜日と時間帯 (この中に作業が収まること)",
        examples=[[{"weekday": "tue", "opens": "10:00", "closes": "15:00"}]],
    )
    difficulty: int = Field(default=1, ge=1, le=5, description="難易度 1-5")
    contact_load: int = Field(default=1, ge=1, le=5, description="対人負荷 1-5 (接客・電話は高い)")
    physical_load: int = Field(default=1, ge=1, le=5, description="身体負荷 1-5")
    skills: list[str] = Field(default_factory=list, description="必要・役立つ技能", examples=[["清掃"]])
    splittable: bool = Field(
        default=False, description="分割できる (複数の人・回に分けてよい: 30分ずつ など)"
    )
    min_piece_minutes: int = Field(
        default=30, ge=5, le=1440, description="分割するときの最小の長さ (分)", examples=[30]
    )
    two_person: bool = Field(default=False, description="2人1組で行える (ペア作業)")
    at_home: bool = Field(default=False, description="在宅で行える (持ち帰り・遠隔)")
    note: str | None = Field(default=None, max_length=500, description="補足")

    @property
    def weekly_minutes(self) -> int:
        return self.minutes * self.per_week

    @property
    def days(self) -> list[str]:
        """The weekdays the task may be done on, in week order."""
        order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return sorted({w.weekday.value for w in self.windows}, key=order.index)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        by_day: dict[str, list[ScheduleSlot]] = {}
        for w in self.windows:
            by_day.setdefault(w.weekday.value, []).append(w)
        for slots in by_day.values():
            slots.sort(key=lambda w: w.minutes)
            for a, b in itertools.pairwise(slots):
                if b.minutes[0] < a.minutes[1]:
                    raise ValueError(
                        f"作業「{self.name}」の時間帯 {_slot_ja(a)} と {_slot_ja(b)} が重なっています。"
                        f"1つの時間帯にまとめてください (windows {a.weekday.value} {a.opens}-{a.closes} and "
                        f"{b.opens}-{b.closes} of task {self.name!r} overlap)"
                    )
        if self.per_week > len(by_day):
            raise ValueError(
                f"作業「{self.name}」は週{self.per_week}回ですが、実施できる曜日は{len(by_day)}日"
                f" ({'・'.join(_day_ja(d) for d in self.days)}) しかありません "
                f"(task {self.name!r}: {self.per_week} times a week on {len(by_day)} days)"
            )
        if self.splittable:
            if self.min_piece_minutes > self.minutes:
                raise ValueError(
                    f"作業「{self.name}」の分割の最小単位 ({self.min_piece_minutes}分) が作業時間"
                    f" ({self.minutes}分) より長いです (min_piece_minutes exceeds minutes)"
                )
            need = self.min_piece_minutes
        else:
            need = self.minutes
        for day, slots in by_day.items():
            longest = max(w.hours * 60 for w in slots)
            if longest + 1e-9 < need:
                what = "分割の最小単位" if self.splittable else "作業時間"
                hint = "" if self.splittable else "時間帯を広げるか、分割可にしてください"
                raise ValueError(
                    f"作業「{self.name}」の{what} ({need}分) が {_day_ja(day)}曜の時間帯"
                    f" ({'、'.join(_slot_ja(w) for w in slots)}: 最長{longest:g}分) に収まりません。{hint} "
                    f"(task {self.name!r} needs {need} min but the longest window on {day} is {longest:g} min)"
                )
        return self


def _day_ja(day: str) -> str:
    from graphsvc.domain.enums import Weekday

    return Weekday(day).ja


def _slot_ja(w: ScheduleSlot) -> str:
    return f"{w.weekday.ja}{w.opens}-{w.closes}"


class Job(NodeRecord):
    """仕事の切り出し: 受け入れ先 (企業・居場所・機関) の仕事を作業の一覧として書いたもの.

    プチ勤務化 (``matching.slicing``) は、この作業を曜日・時間・難易度で切り分けて、待っている人が参加できる
    短い勤務 (参加メニュー) の案を作ります。``weekly_hours`` は受け入れ先が週に手伝ってほしい時間 (省略時は
    作業の合計)。作業が1つもない仕事も登録できます (案は作られず、その理由が示されます)。
    """

    label: ClassVar[NodeLabel] = NodeLabel.JOB
    title: str = Field(min_length=1, max_length=120, examples=["旅館の朝の仕事"])
    host_id: ExternalId = Field(description="受け入れ先のID")
    host_label: NodeLabel = Field(description="受け入れ先の種類 (Employer, Venue, Agency)")
    weekly_hours: float | None = Field(
        default=None, gt=0, le=168, description="週に手伝ってほしい時間 (時間; 省略時は作業の合計)"
    )
    tasks: list[JobTask] = Field(default_factory=list, description="作業の一覧")
    min_shift_minutes: int = Field(
        default=60, ge=15, le=480, description="1回の勤務の最短 (分): これより短い作業は他の作業とまとめる"
    )
    max_shift_minutes: int = Field(
        default=180,
        ge=30,
        le=720,
        description="1回の勤務の最長 (分; 分割できない作業はその長さまで)",
    )
    support: list[str] = Field(
        default_factory=lambda: ["声かけ", "見守り"], description="受け入れ先が行う支援 (声かけ, 見守り …)"
    )
    contact_person: str | None = Field(default=None, max_length=120, description="受け入れ先の担当者・連絡先")
    description: str | None = Field(default=None, max_length=2000)
    sectors: list[Sector] = Field(default_factory=list)
    area_id: ExternalId | None = None
    location: GeoPoint | None = Field(default=None, description="場所 (省略時は受け入れ先の場所)")

    @property
    def task_minutes(self) -> int:
        """Minutes of work a week in all the tasks."""
        return sum(t.weekly_minutes for t in self.tasks)

    @property
    def need_minutes(self) -> int:
        """Minutes a week the host needs covered (the tasks' total when not given)."""
        if self.weekly_hours is None:
            return self.task_minutes
        return round(self.weekly_hours * 60)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_host(self.host_id, self.host_label, required=True)
        seen: set[str] = set()
        for t in self.tasks:
            if t.name in seen:
                raise ValueError(
                    f"作業名「{t.name}」が重複しています。作業ごとに別の名前にしてください (duplicate task name)"
                )
            seen.add(t.name)
        if self.min_shift_minutes > self.max_shift_minutes:
            raise ValueError(
                f"1回の勤務の最短 ({self.min_shift_minutes}分) が最長 ({self.max_shift_minutes}分) を超えています "
                "(min_shift_minutes exceeds max_shift_minutes)"
            )
        if self.weekly_hours is not None and self.need_minutes > self.task_minutes:
            total = self.task_minutes / 60
            what = "作業が登録されていません" if not self.tasks else f"作業の合計は週{total:g}時間です"
            raise ValueError(
                f"週に必要な時間 ({self.weekly_hours:g}時間) を作業で満たせません: {what}。"
                "作業を加えるか、必要な時間を減らしてください "
                f"(weekly_hours {self.weekly_hours:g} exceeds the tasks' {total:g} h a week)"
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
    for m in (
        Area,
        Household,
        Person,
        Agency,
        Venue,
        Employer,
        Opportunity,
        Supporter,
        Case,
        CaselistRecord,
        Job,
    )
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
        _spec(RelType.POSTED_BY, {_L.JOB}, {_L.EMPLOYER, _L.VENUE, _L.AGENCY}, NoProps),
        _spec(RelType.SLICED_FROM, {_L.OPPORTUNITY}, {_L.JOB}, NoProps),
    )
}
