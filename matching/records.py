"""Matching inputs: a person's :class:`Profile` and an :class:`Opening` (an opportunity as matching sees it).

Both are pydantic models with Japanese field descriptions and examples; ``tsunagari schema profile|opening``
prints their JSON Schemas. Contradictory limits are validation errors that name the field, Japanese first
(「1回の最短時間 (4.0時間) が上限 (3.0時間) を超えています」). Needs and what an opening provides use the
controlled vocabulary of ``matching/data/vocabulary.json`` (section ``needs``): a value may be the id
(``housing``) or any listed Japanese form (住まい, 居室 …).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graphsvc.domain.codec import problems_from_validation
from graphsvc.domain.consent import ConsentScope, HostKind  # one consent concept: graphsvc.domain.consent
from graphsvc.domain.enums import OpportunityKind, PlacementOutcome, Sector
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.records import Opportunity
from graphsvc.domain.values import ExternalId, GeoPoint, Schedule, ScheduleSlot
from matching.labels import Labeled, set_labels
from matching.vocabulary import default_vocabulary

__all__ = [
    "PROFILE_SCHEMA_VERSION",
    "Channel",
    "ConsentScope",
    "ContactChannels",
    "Eligibility",
    "HostKind",
    "Limit",
    "Opening",
    "PastPlacement",
    "Profile",
    "Travel",
    "TravelMode",
    "load_openings",
    "load_profile",
    "person_profile_problems",
    "profile_problems",
]

PROFILE_SCHEMA_VERSION = 2
"""Version 2 added home_only, no_time_now, contact_channels and limits; a version-1 profile (without
``schema_version``) validates unchanged: every new field has a default that means "not given"."""

Channel = Literal["phone", "email", "line", "visit", "letter"]
_CHANNEL_ALIASES: dict[str, str] = {
    "電話": "phone",
    "tel": "phone",
    "メール": "email",
    "mail": "email",
    "e-mail": "email",
    "line": "line",
    "ライン": "line",
    "訪問": "visit",
    "来所": "visit",
    "対面": "visit",
    "郵便": "letter",
    "手紙": "letter",
}


class TravelMode(Labeled):
    """移動手段. ``pickup`` (送迎) counts only for openings whose host offers a pick-up."""

    WALK = "walk"
    BICYCLE = "bicycle"
    BUS = "bus"
    CAR = "car"
    PICKUP = "pickup"

    @property
    def kmh(self) -> float:
        """Door-to-door speed used to turn road distance into minutes."""
        return _SPEED_KMH[self.value]

    @property
    def overhead_min(self) -> float:
        """Fixed minutes per trip (waiting for a bus, parking)."""
        return _OVERHEAD_MIN[self.value]

    @classmethod
    def coerce(cls, value: object) -> object:
        if isinstance(value, str) and value not in {m.value for m in cls}:
            key = value.strip()
            for m in cls:
                if key in (m.ja, m.en, *_TRAVEL_ALIASES.get(m.value, ())):
                    return m
        return value


set_labels(
    TravelMode,
    {
        "walk": ("徒歩", "on foot"),
        "bicycle": ("自転車", "bicycle"),
        "bus": ("バス", "bus"),
        "car": ("自家用車", "car"),
        "pickup": ("送迎", "pick-up by the host"),
    },
)
_TRAVEL_ALIASES = {
    "walk": ("歩き",),
    "bicycle": ("チャリ",),
    "bus": ("路線バス", "コミュニティバス"),
    "car": ("車",),
}
_SPEED_KMH = {"walk": 4.0, "bicycle": 12.0, "bus": 18.0, "car": 30.0, "pickup": 30.0}
_OVERHEAD_MIN = {"walk": 0.0, "bicycle": 0.0, "bus": 10.0, "car": 3.0, "pickup": 0.0}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _needs(values: Sequence[str], field: str) -> list[str]:
    vocab = default_vocabulary()
    out: list[str] = []
    for v in values:
        ids = frozenset({v}) if v in vocab.needs else vocab.lookup(v, "needs")
        if not ids:
            allowed = "、".join(f"{c.ja}({c.id})" for c in vocab.needs.values())
            raise ValueError(
                f"「{v}」は{field}の語彙にありません。次から選んでください: {allowed} (unknown {field} '{v}')"
            )
        out.extend(sorted(ids))
    return list(dict.fromkeys(out))


class Travel(_Model):
    """移動の条件: 使える手段と上限 (距離か時間、または両方)."""

    modes: list[TravelMode] = Field(
        default_factory=lambda: [TravelMode.WALK],
        description="使える移動手段 (walk 徒歩, bicycle 自転車, bus バス, car 自家用車, pickup 送迎)",
        examples=[["walk", "pickup"]],
    )
    max_km: float | None = Field(default=None, ge=0, le=500, description="移動距離の上限 (km, 直線距離)")
    max_minutes: float | None = Field(default=None, ge=0, le=600, description="片道の移動時間の上限 (分)")

    @field_validator("modes", mode="before")
    @classmethod
    def _modes(cls, v: object) -> object:
        return [TravelMode.coerce(x) for x in v] if isinstance(v, list) else v

    @field_validator("modes")
    @classmethod
    def _non_empty(cls, v: list[TravelMode]) -> list[TravelMode]:
        if not v:
            raise ValueError("移動手段を1つ以上指定してください (give at least one travel mode)")
        return v


def _parse_kind(v: object) -> object:
    if isinstance(v, str) and v not in {k.value for k in OpportunityKind}:
        try:
            return OpportunityKind.parse(v)
        except ValueError:
            return v
    return v


def _channel(v: object) -> object:
    if isinstance(v, str):
        key = v.strip().casefold()
        return _CHANNEL_ALIASES.get(key, _CHANNEL_ALIASES.get(v.strip(), key))
    return v


class ContactChannels(_Model):
    """連絡の方法: 希望する手段と、使えない手段 (電話不可 など)."""

    preferred: list[Channel] = Field(
        default_factory=list,
        description="希望する連絡手段 (phone 電話, email メール, line LINE, visit 訪問, letter 郵便)",
        examples=[["email", "line"]],
    )
    refused: list[Channel] = Field(
        default_factory=list, description="使えない連絡手段 (電話不可 なら phone)", examples=[["phone"]]
    )

    @field_validator("preferred", "refused", mode="before")
    @classmethod
    def _aliases(cls, v: object) -> object:
        return [_channel(x) for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        both = sorted(set(self.preferred) & set(self.refused))
        if both:
            raise ValueError(
                f"同じ連絡手段 ({'、'.join(both)}) が希望と不可の両方にあります (channels both preferred and refused: {both})"
            )
        return self


class Limit(_Model):
    """本人の制約 1件: 内容、強さ (hard できない = 除外 / soft 苦手 = 減点)、例外の条件."""

    what: str = Field(
        min_length=1, max_length=200, description="制約の内容 (語彙辞書の語で)", examples=["外出"]
    )
    strength: Literal["hard", "soft"] = Field(
        default="soft", description="hard: できない (含む参加先は除外) / soft: 苦手・避けたい (減点)"
    )
    unless: str | None = Field(
        default=None,
        max_length=200,
        description="例外の条件: これを満たす参加先には制約を当てはめない",
        examples=["近所の公民館なら"],
    )

    @field_validator("what", "unless")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        return _checked(v, "limits")


def _checked(v: str | None, field: str) -> str | None:
    from matching.analyser import TextRefused, check_text

    try:
        return check_text(v, field=field)
    except TextRefused as err:
        raise ValueError(str(err)) from None


class PastPlacement(_Model):
    """過去の参加 (結果の学習・考慮のためのフック)."""

    opening_id: ExternalId | None = Field(default=None, description="参加メニューのID")
    host_id: ExternalId | None = Field(default=None, description="受け入れ先のID")
    outcome: PlacementOutcome = Field(
        description="3か月時点の結果 (continued 継続中, ended_early 早期終了, ended_well 円満終了)"
    )


class Profile(_Model):
    """本人のプロフィール (マッチング用). 個人を特定する氏名・住所は含めない."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "P-0001",
                    "needs": ["役割・やりがい", "人とのつながり"],
                    "experience": ["料理人 (和食店で20年)"],
                    "skills": ["調理"],
                    "interests": ["人に教える"],
                    "cannot_do": [],
                    "avoid": ["長時間の立ち仕事"],
                    "time_windows": [{"weekday": "sat", "opens": "09:00", "closes": "13:00"}],
                    "max_hours_per_session": 3,
                    "max_hours_per_week": 6,
                    "max_physical_load": 2,
                    "contact_comfort": 3,
                    "readiness": 3,
                    "travel": {"modes": ["walk", "pickup"], "max_km": 2.0},
                    "home": {"lat": 34.4811, "lon": 136.8433},
                    "consent": {"host_kinds": ["Venue", "Agency"]},
                    "free_text": "片麻痺のため長時間の立ち仕事は困難。調理の経験を活かしたい",
                }
            ]
        },
    )

    id: ExternalId | None = Field(default=None, description="本人ID (任意)", examples=["P-0001"])
    needs: list[str] = Field(
        default_factory=list,
        description="参加先に求めるもの (住まい, 食事, 日中活動, 居場所, 収入, 人とのつながり, 役割・やりがい …: 語彙辞書 needs)",
        examples=[["居場所", "人とのつながり"]],
    )
    experience: list[str] = Field(
        default_factory=list, description="経験 (職歴・活動歴)", examples=[["調理師"]]
    )
    skills: list[str] = Field(
        default_factory=list, description="できること・得意なこと", examples=[["パソコン入力"]]
    )
    interests: list[str] = Field(
        default_factory=list, description="興味・やってみたいこと", examples=[["農作業"]]
    )
    cannot_do: list[str] = Field(
        default_factory=list, description="できないこと (含む参加先は除外)", examples=[["電話対応"]]
    )
    avoid: list[str] = Field(
        default_factory=list, description="できれば避けたいこと (減点)", examples=[["人混み"]]
    )
    time_windows: list[ScheduleSlot] = Field(
        default_factory=list, description="参加できる曜日と時間帯 (空なら制限なし)"
    )
    min_hours_per_session: float | None = Field(default=None, gt=0, le=24, description="1回の最短時間 (時間)")
    max_hours_per_session: float | None = Field(default=None, gt=0, le=24, description="1回の上限時間 (時間)")
    max_hours_per_week: float | None = Field(default=None, gt=0, le=168, description="週の上限時間 (時間)")
    max_days_per_week: int | None = Field(default=None, ge=1, le=7, description="週の上限日数")
    max_physical_load: int = Field(default=5, ge=1, le=5, description="身体負荷の上限 1(軽い)〜5(重い)")
    contact_comfort: int = Field(default=3, ge=1, le=5, description="対人面の負担への耐性 1(苦手)〜5(得意)")
    readiness: int = Field(
        default=3, ge=1, le=5, description="参加の段階 1(居場所に来られる)〜5(一般就労に近い)"
    )
    travel: Travel = Field(default_factory=Travel, description="移動の条件")
    home: GeoPoint | None = Field(default=None, description="自宅のおおよその位置 (地区の中心で可)")
    consent: ConsentScope = Field(default_factory=ConsentScope, description="本人同意の範囲")
    preferred_fields: list[str] = Field(
        default_factory=list,
        description="希望する分野 (分野 Sector・種別 OpportunityKind・作業の語彙のいずれか)",
        examples=[["地域", "農作業"]],
    )
    age: int | None = Field(default=None, ge=0, le=120, description="年齢")
    certificates: list[str] = Field(
        default_factory=list,
        description="受給者証・手帳など (対象要件の確認用)",
        examples=[["障害福祉サービス受給者証"]],
    )
    past_placements: list[PastPlacement] = Field(default_factory=list, description="過去の参加と結果")
    free_text: str | None = Field(
        default=None,
        description="自由記述 (文章のまま書いてよい: 「子どもは苦手ではない」「外出は無理だが近所なら行ける」"
        "のような否定・例外も読み取る)",
    )
    schema_version: int = Field(
        default=PROFILE_SCHEMA_VERSION,
        ge=1,
        le=PROFILE_SCHEMA_VERSION,
        description="プロフィールの形式の版 (省略時は最新。版1のプロフィールはそのまま読める)",
    )
    home_only: bool = Field(
        default=False, description="在宅のみ: 移動を伴う参加先は除外 (在宅・遠隔の参加先だけ)"
    )
    no_time_now: bool = Field(
        default=False,
        description="今は参加できる時間がない (time_windows が空の「制限なし」とは別): 住まい以外は除外",
    )
    contact_channels: ContactChannels = Field(
        default_factory=ContactChannels, description="連絡の方法 (メール可・電話不可 など)"
    )
    limits: list[Limit] = Field(
        default_factory=list,
        description="制約の一覧 (強さ hard/soft と例外の条件つき)。cannot_do (hard) と avoid (soft) の詳しい形",
        examples=[[{"what": "外出", "strength": "hard", "unless": "近所の公民館なら"}]],
    )

    @field_validator("free_text")
    @classmethod
    def _free_text(cls, v: str | None) -> str | None:
        return _checked(v, "free_text")

    @field_validator("experience", "skills", "interests", "cannot_do", "avoid", "preferred_fields")
    @classmethod
    def _texts(cls, v: list[str], info: ValidationInfo) -> list[str]:
        for x in v:
            _checked(x, str(info.field_name))
        return v

    @model_validator(mode="after")
    def _time_now(self) -> Self:
        if self.no_time_now and self.time_windows:
            raise ValueError(
                "no_time_now: 「今は参加できる時間がない」と参加できる時間帯 time_windows が両方指定されています "
                "(no_time_now contradicts the given time_windows)"
            )
        return self

    @field_validator("needs")
    @classmethod
    def _needs_vocab(cls, v: list[str]) -> list[str]:
        return _needs(v, "needs")

    @field_validator("max_hours_per_session")
    @classmethod
    def _session_order(cls, v: float | None, info: ValidationInfo) -> float | None:
        lo = info.data.get("min_hours_per_session")
        if v is not None and lo is not None and lo > v:
            raise ValueError(
                f"1回の最短時間 min_hours_per_session ({lo}時間) が上限 max_hours_per_session ({v}時間) を超えています "
                f"(min_hours_per_session {lo} exceeds max_hours_per_session {v})"
            )
        return v

    @field_validator("max_hours_per_week")
    @classmethod
    def _week_order(cls, v: float | None, info: ValidationInfo) -> float | None:
        lo = info.data.get("min_hours_per_session")
        if v is not None and lo is not None and lo > v:
            raise ValueError(
                f"週の上限 max_hours_per_week ({v}時間) が1回の最短時間 min_hours_per_session ({lo}時間) より短いです "
                f"(max_hours_per_week {v} is below min_hours_per_session {lo})"
            )
        return v


class Eligibility(_Model):
    """対象要件 (年齢・受給者証など). 満たさない本人には除外の理由として示す."""

    age_min: int | None = Field(default=None, ge=0, le=120, description="対象年齢の下限")
    age_max: int | None = Field(default=None, ge=0, le=120, description="対象年齢の上限")
    requires: list[str] = Field(
        default_factory=list, description="必要な受給者証・手帳など", examples=[["障害福祉サービス受給者証"]]
    )

    @field_validator("age_max")
    @classmethod
    def _ages(cls, v: int | None, info: ValidationInfo) -> int | None:
        lo = info.data.get("age_min")
        if v is not None and lo is not None and lo > v:
            raise ValueError(
                f"対象年齢の下限 age_min ({lo}) が上限 age_max ({v}) を超えています (age_min {lo} exceeds age_max {v})"
            )
        return v


class Opening(_Model):
    """参加メニュー (マッチングから見た受け入れ先の枠)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "O-cook-class",
                    "title": "男性の料理教室の講師",
                    "kind": "volunteer",
                    "provides": ["役割・やりがい", "人とのつながり"],
                    "schedule": {"slots": [{"weekday": "sat", "opens": "10:00", "closes": "12:00"}]},
                    "hours_per_session": 2,
                    "difficulty": 2,
                    "contact_load": 3,
                    "physical_load": 2,
                    "skills_wanted": ["調理"],
                    "support": ["同行", "声かけ"],
                    "contact_person": "参加支援員 佐藤",
                    "capacity_left": 1,
                    "host_id": "V-kominkan",
                    "host_label": "Venue",
                    "location": {"lat": 34.4822, "lon": 136.8440},
                    "description": "自治会の男性の集まり。座ってできる説明が中心",
                }
            ]
        },
    )

    id: ExternalId = Field(description="参加メニューのID", examples=["O-0001"])
    title: str = Field(min_length=1, description="名称", examples=["旅館の朝食配膳 (プチ勤務)"])
    kind: OpportunityKind = Field(description="種別 (petit_work プチ勤務, type_b_place B型の空き定員 …)")
    provides: list[str] = Field(default_factory=list, description="提供するもの (needs と同じ語彙)")
    schedule: Schedule | None = Field(default=None, description="曜日・時間帯 (在宅の作業や住まいは無し)")
    hours_per_session: float | None = Field(default=None, gt=0, le=24, description="1回の時間 (時間)")
    sessions_per_week_min: int = Field(default=1, ge=1, le=7, description="週の最低参加回数")
    difficulty: int = Field(default=1, ge=1, le=5, description="難易度 1-5")
    contact_load: int = Field(default=1, ge=1, le=5, description="対人負荷 1-5")
    physical_load: int = Field(default=1, ge=1, le=5, description="身体負荷 1-5")
    skills_wanted: list[str] = Field(default_factory=list, description="求める経験・技能")
    accessibility: list[str] = Field(
        default_factory=list, description="配慮・設備 (バリアフリー, 座ってできる, 送迎 …)"
    )
    support: list[str] = Field(default_factory=list, description="受け入れ先の支援 (声かけ, 見守り, 同行 …)")
    contact_person: str | None = Field(default=None, description="受け入れ先の担当者 (名前のある窓口)")
    capacity_left: int | None = Field(default=None, ge=0, description="空き (人・枠・室). 不明なら省略")
    host_id: ExternalId | None = Field(default=None, description="受け入れ先のID")
    host_label: HostKind | None = Field(default=None, description="受け入れ先の種類")
    sectors: list[Sector] = Field(default_factory=list, description="分野")
    eligibility: Eligibility = Field(default_factory=Eligibility, description="対象要件")
    location: GeoPoint | None = Field(default=None, description="場所")
    remote: bool = Field(default=False, description="在宅・遠隔で可 (移動なし)")
    description: str | None = Field(default=None, description="説明 (自由記述)")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: object) -> object:
        return _parse_kind(v)

    @field_validator("title", "description")
    @classmethod
    def _text(cls, v: str | None, info: ValidationInfo) -> str | None:
        return _checked(v, str(info.field_name))

    @field_validator("sectors", mode="before")
    @classmethod
    def _sectors(cls, v: object) -> object:
        if not isinstance(v, list):
            return v
        out = []
        for x in v:
            try:
                out.append(
                    Sector.parse(x) if isinstance(x, str) and x not in {s.value for s in Sector} else x
                )
            except ValueError:
                out.append(x)
        return out

    @field_validator("provides")
    @classmethod
    def _provides_vocab(cls, v: list[str]) -> list[str]:
        return _needs(v, "provides")

    @model_validator(mode="after")
    def _hours_fit_schedule(self) -> Self:
        if self.hours_per_session is not None and self.schedule is not None and self.schedule.slots:
            longest = max(s.hours for s in self.schedule.slots)
            if self.hours_per_session > longest + 1e-9:
                raise ValueError(
                    f"hours_per_session: 1回の時間 ({self.hours_per_session}時間) が最長の時間帯 ({longest:g}時間) を超えています "
                    f"(hours_per_session {self.hours_per_session} is longer than the longest slot {longest:g} h)"
                )
        return self

    @property
    def session_hours(self) -> float | None:
        """Hours of one session: the given value, else the shortest scheduled slot."""
        if self.hours_per_session is not None:
            return self.hours_per_session
        if self.schedule is not None and self.schedule.slots:
            return min(s.hours for s in self.schedule.slots)
        return None

    @classmethod
    def from_domain(cls, opportunity: Opportunity, *, capacity_left: int | None = None) -> Opening:
        """Convert a domain :class:`~graphsvc.domain.records.Opportunity`.

        ``provides`` values outside the needs vocabulary are kept in the description (not lost, not matched);
        capacity left is ``capacity.available`` (unknown when not recorded, 0 when the maximum is 0) unless given.
        """
        vocab = default_vocabulary()
        provides: list[str] = []
        other: list[str] = []
        for p in opportunity.provides:
            ids = vocab.lookup(p, "needs")
            (provides.extend(sorted(ids)) if ids else other.append(p))
        cap = opportunity.capacity
        if capacity_left is None and cap is not None:
            capacity_left = cap.available if cap.available is not None else (0 if cap.maximum == 0 else None)
        from matching.analyser import clean_text

        # a stored record is read, not refused: control characters become spaces, overlong text is cut
        description = clean_text(opportunity.description) or ""
        if other:
            description = (description + " 提供: " + "、".join(other)).strip()
        support = list(opportunity.support)
        return cls(
            id=opportunity.id,
            title=(clean_text(opportunity.title) or "").strip() or opportunity.id,
            kind=opportunity.kind,
            provides=list(dict.fromkeys(provides)),
            schedule=opportunity.schedule,
            hours_per_session=opportunity.hours_per_session,
            difficulty=opportunity.difficulty,
            contact_load=opportunity.contact_load,
            physical_load=opportunity.physical_load,
            skills_wanted=list(opportunity.skills_wanted),
            accessibility=list(opportunity.accessibility),
            support=support,
            contact_person=opportunity.contact_person,
            capacity_left=capacity_left,
            host_id=opportunity.host_id,
            host_label=opportunity.host_label.value if opportunity.host_label is not None else None,
            sectors=list(opportunity.sectors),
            location=opportunity.location,
            remote=opportunity.remote,
            description=description or None,
        )


# ---------------------------------------------------------------- loading files


def _read_json(path: str | Path) -> Any:
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainValidationError.one("ファイルが見つかりません", "file not found", file=str(p)) from None
    except json.JSONDecodeError as err:
        raise DomainValidationError.one(
            f"JSONが不正です ({err.lineno}行目 {err.colno}列)", f"invalid JSON: {err.msg}", file=str(p)
        ) from None


def profile_problems(data: Any, **where: Any) -> list[Problem]:
    """What is wrong with a stored participation profile (``Person.participation_profile``), each problem's field
    prefixed ``participation_profile.``; empty when it validates. Every path that writes a person (API, bulk,
    loaders, staff form) checks with this, so a profile is refused when written, not when first matched."""
    if data is None:
        return []
    try:
        Profile.model_validate(data)
    except ValidationError as err:
        return [
            Problem(
                p.message_ja,
                p.message_en,
                field=f"participation_profile.{p.field}" if p.field else "participation_profile",
                file=p.file,
                row=p.row,
                column=p.column,
                value=p.value,
            )
            for p in problems_from_validation(err, **where)
        ]
    return []


def person_profile_problems(record: Any, **where: Any) -> list[Problem]:
    """The check :mod:`graphsvc.bootstrap` registers for persons (:mod:`graphsvc.domain.checks`)."""
    return profile_problems(getattr(record, "participation_profile", None), **where)


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile JSON file; errors name the file and the field, Japanese first."""
    data = _read_json(path)
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise DomainValidationError(problems_from_validation(err, file=str(path))) from None


def load_openings(path: str | Path, *, known_ids: set[str] | None = None) -> list[Opening]:
    """Read a JSON list of openings (or ``{"openings": [...]}``); every invalid item is reported with its
    position, duplicate ids are errors, and ids absent from ``known_ids`` (when given) are reported as unknown."""
    data = _read_json(path)
    if isinstance(data, dict) and "openings" in data:
        data = data["openings"]
    if not isinstance(data, list):
        raise DomainValidationError.one(
            "参加メニューの一覧 (JSON配列) を指定してください",
            "expected a JSON list of openings",
            file=str(path),
        )
    problems: list[Problem] = []
    out: list[Opening] = []
    seen: set[str] = set()
    for i, item in enumerate(data, start=1):
        try:
            o = Opening.model_validate(item)
        except ValidationError as err:
            problems += problems_from_validation(err, file=str(path), row=i)
            continue
        if o.id in seen:
            problems.append(
                Problem("IDが重複しています", "duplicate id", field="id", file=str(path), row=i, value=o.id)
            )
        elif known_ids is not None and o.id not in known_ids:
            problems.append(
                Problem(
                    "未知のIDです (登録されていません)",
                    "unknown id",
                    field="id",
                    file=str(path),
                    row=i,
                    value=o.id,
                )
            )
        seen.add(o.id)
        out.append(o)
    if problems:
        raise DomainValidationError(problems)
    return out
