"""資源開発 API types: a プチ勤務 proposal as the slicer returns it (:meth:`matching.slicing.Proposal.to_dict`) and as a
client sends it back to accept it, and the slicing result, so the OpenAPI documents every field.

A proposal sent to ``…/accept`` is read strictly (:class:`~graphsvc.api.schemas.strict.StrictIn`: unknown fields
refused, JSON types as documented). What makes the opening is the job's tasks, the weekday, ``opens``–``closes``
and ``copies``; the other fields are the slicer's figures, accepted so that a proposal can be sent back as it came
(the loads, the places and the title are computed again from the stored job, never taken from the request)."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graphsvc.api.schemas.strict import ApiId, JsonBool, JsonInt, StrictIn, exact_enum
from graphsvc.api.schemas.values import HHMM_PATTERN
from graphsvc.domain.enums import Weekday

__all__ = ["PROPOSAL_EXAMPLE", "ProposalIn", "ProposalOut", "SliceOut"]

TaskName = Annotated[str, Field(min_length=1, max_length=80)]  # as a job's task name (JobTask.name)
Hhmm = Annotated[str, Field(pattern=HHMM_PATTERN)]
Load = Annotated[JsonInt, Field(ge=1, le=5)]
Count = Annotated[JsonInt, Field(ge=0)]
MAX_IDS = 100_000
WeekdayCode = exact_enum(Weekday)

PROPOSAL_EXAMPLE: dict[str, Any] = {
    "job_id": "J-RYOKAN-1",
    "opening_id": "OP-J-RYOKAN-1-P1",
    "title": "旅館の朝の仕事: リネンたたみ (火 10:00–11:00)",
    "tasks": ["リネンたたみ"],
    "weekday": "tue",
    "opens": "10:00",
    "closes": "11:00",
    "minutes": 60,
    "difficulty": 1,
    "contact_load": 1,
    "physical_load": 2,
    "capacity": 3,
    "copies": 3,
    "remote": False,
    "fits": 3,
    "newly_feasible": 3,
    "why": ["分割できる作業を3人で同じ時間に分担 (1人60分)", "火曜の午前 10:00–11:00 に来られる人が3人"],
}

_D = {  # field -> Japanese description (one place for both directions)
    "job_id": "案の元の仕事のID (送るときは URL の仕事と同じであること)",
    "opening_id": "案の参加メニューID (参考: 採用時は仕事・曜日・時刻から付け直します)",
    "title": "案の名前 (参考: 採用時は仕事と作業から付け直します)",
    "tasks": "続けて行う作業の名前 (仕事に登録された作業、1件以上)",
    "weekday": "曜日 (mon … sun)",
    "opens": "開始時刻 HH:MM (作業の時間帯の中)",
    "closes": "終了時刻 HH:MM (開始より後、作業の時間帯の中)",
    "minutes": "1回の長さ (分; 参考: 採用時は opens–closes から計算します)",
    "difficulty": "難易度 1-5 (参考: 採用時は作業から計算します)",
    "contact_load": "対人負荷 1-5 (参考: 採用時は作業から計算します)",
    "physical_load": "身体負荷 1-5 (参考: 採用時は作業から計算します)",
    "capacity": "定員 (参考: 採用時は作業と copies から計算します)",
    "copies": "同じ時間に並んで行う人数 (分割できる作業を分担するとき; 既定 1)",
    "remote": "在宅でできる (参考)",
    "fits": "この案の条件に合う、待っている人の数",
    "newly_feasible": "そのうち、今は条件に合う参加メニューがない人の数",
    "why": "この案の理由 (日本語)",
    "fits_ids": "条件に合う人のID (コーディネーターと管理者だけに返します)",
    "newly_feasible_ids": "今は合うメニューがない人のID (コーディネーターと管理者だけ)",
    "assigned_ids": "最適化で割り当てた人のID (コーディネーターと管理者だけ)",
}


class ProposalIn(StrictIn):
    """採用する案 (プチ勤務化の proposals の1件をそのまま送れます)."""

    model_config = ConfigDict(json_schema_extra={"examples": [PROPOSAL_EXAMPLE]})

    job_id: ApiId | None = Field(default=None, description=_D["job_id"])
    opening_id: ApiId | None = Field(default=None, description=_D["opening_id"])
    title: str | None = Field(default=None, max_length=300, description=_D["title"])
    tasks: list[TaskName] = Field(min_length=1, max_length=20, description=_D["tasks"])
    weekday: WeekdayCode = Field(description=_D["weekday"])  # type: ignore[valid-type]
    opens: Hhmm = Field(description=_D["opens"], examples=["10:00"])
    closes: Hhmm = Field(description=_D["closes"], examples=["11:00"])
    minutes: JsonInt | None = Field(default=None, ge=1, le=1440, description=_D["minutes"])
    difficulty: Load | None = Field(default=None, description=_D["difficulty"])
    contact_load: Load | None = Field(default=None, description=_D["contact_load"])
    physical_load: Load | None = Field(default=None, description=_D["physical_load"])
    capacity: JsonInt | None = Field(default=None, ge=1, le=2000, description=_D["capacity"])
    copies: JsonInt = Field(default=1, ge=1, le=1000, description=_D["copies"])
    remote: JsonBool | None = Field(default=None, description=_D["remote"])
    fits: Count | None = Field(default=None, description=_D["fits"])
    newly_feasible: Count | None = Field(default=None, description=_D["newly_feasible"])
    why: list[Annotated[str, Field(max_length=500)]] | None = Field(
        default=None, max_length=50, description=_D["why"]
    )
    fits_ids: list[ApiId] | None = Field(default=None, max_length=MAX_IDS, description=_D["fits_ids"])
    newly_feasible_ids: list[ApiId] | None = Field(
        default=None, max_length=MAX_IDS, description=_D["newly_feasible_ids"]
    )
    assigned_ids: list[ApiId] | None = Field(default=None, max_length=MAX_IDS, description=_D["assigned_ids"])

    @model_validator(mode="after")
    def _opens_before_closes(self) -> Self:
        if self.opens >= self.closes:  # HH:MM strings order as the times do
            raise ValueError(
                f"開始時刻 {self.opens} が終了時刻 {self.closes} より後です "
                f"(opens {self.opens} is not before closes {self.closes})"
            )
        return self


class ProposalOut(BaseModel):
    """プチ勤務の案 (1件): どの作業をいつ、何人で、なぜ、待っている人の何人に合うか."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROPOSAL_EXAMPLE]})

    job_id: str = Field(description=_D["job_id"])
    opening_id: str = Field(description=_D["opening_id"])
    title: str = Field(description=_D["title"])
    tasks: list[str] = Field(description=_D["tasks"])
    weekday: Weekday = Field(description=_D["weekday"])
    opens: str = Field(description=_D["opens"])
    closes: str = Field(description=_D["closes"])
    minutes: int = Field(description="1回の長さ (分)")
    difficulty: int = Field(description="難易度 1-5 (まとめた作業の最大)")
    contact_load: int = Field(description="対人負荷 1-5 (まとめた作業の最大)")
    physical_load: int = Field(description="身体負荷 1-5 (まとめた作業の最大)")
    capacity: int = Field(description="定員 (2人1組の作業は2人、分担する人数倍)")
    copies: int = Field(description=_D["copies"])
    remote: bool = Field(description="在宅でできる")
    fits: int = Field(description=_D["fits"])
    newly_feasible: int = Field(description=_D["newly_feasible"])
    why: list[str] = Field(description=_D["why"])
    fits_ids: list[str] | None = Field(default=None, description=_D["fits_ids"])
    newly_feasible_ids: list[str] | None = Field(default=None, description=_D["newly_feasible_ids"])
    assigned_ids: list[str] | None = Field(default=None, description=_D["assigned_ids"])


class SliceOut(BaseModel):
    """プチ勤務化の結果: 最適化した案、比較のための2時間区切りの案、数字と、できなかったことの説明."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(
        description="最適化の結果: optimal (最適と証明)、feasible (制限時間内の最良)、job_by_job (仕事ごとに最適: "
        "先の仕事の案を前提に)、coverage_only (時間内に人の段階が解けず、必要な時間だけ満たした)、no_tasks (作業なし)"
    )
    status_ja: str = Field(description="最適化の結果 (日本語)")
    quality_ja: list[str] = Field(
        description="案の質の説明 (日本語): 最適化の結果、CP-SAT のギャップ、全部の仕事を同時に最適化した場合の上限"
    )
    solve_seconds: float = Field(description="全体の時間 (秒)")
    timings: dict[str, float] = Field(description="段階ごとの時間 (秒): candidates, scoring, solver, metrics")
    candidates: int = Field(description="切り出した候補の数")
    proposals: list[ProposalOut] = Field(description="最適化した案")
    naive: list[ProposalOut] = Field(description="比較: 各作業を2時間ずつ区切っただけの案")
    covered_minutes: dict[str, int] = Field(description="仕事ごとに案で満たす週の時間 (分)")
    need_minutes: dict[str, int] = Field(description="仕事ごとに受け入れ先が必要な週の時間 (分)")
    notes: dict[str, list[str]] = Field(description="仕事ごとの注意 (作業がない、必要な時間を満たせない …)")
    metrics: dict[str, dict[str, float]] = Field(
        description="今 (before)・2時間区切り (naive)・最適化 (optimised) の比較: 条件に合う人の割合、よく合う人の"
        "割合、最良スコアの平均、厳密な割当で割り当てできる人数"
    )
    solver: dict[str, float] = Field(
        description="CP-SAT の数字: joint (1 = 全部の仕事を1つのモデルで)、models、model_variables、"
        "cp_sat_objective、cp_sat_bound、cp_sat_gap (相対ギャップ; 0 = 最適と証明)"
    )
    bounds: dict[str, float] = Field(
        description="全部の仕事を同時に最適化した場合との差の上限: feasible・placed・good_model と、その上限 "
        "(*_bound: 作業の時間・回数・必要な時間の制約を外した緩和) と相対ギャップ (*_gap)"
    )
