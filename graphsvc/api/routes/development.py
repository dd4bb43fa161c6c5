"""資源開発: 足りない参加メニュー (JSON, CSV, printable HTML, map), jobs as task lists, プチ勤務化 (slicing), accepting
proposals as draft openings and publishing them, and the プチ勤務カタログ. Every route calls
:class:`graphsvc.services.development.ResourceDevelopment` (the role checks, the counts-only rule and the audit
entries are there)."""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from graphsvc.access.policy import GAP_ROLES
from graphsvc.api.contract import BODY_ERRORS, TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import TownDep, require
from graphsvc.api.schemas.development import PROPOSAL_EXAMPLE, ProposalIn, SliceOut
from graphsvc.api.schemas.records import kind_of, request_data
from graphsvc.api.schemas.strict import ApiId, JsonFloat, StrictIn
from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.spreadsheet import write_rows
from graphsvc.services.development import DEVELOP_ROLES

router = APIRouter(prefix="/v1/towns/{town}", route_class=ApiRoute)
ERRORS = responses(*TOWN_ERRORS)
POST_ERRORS = responses(*TOWN_ERRORS, *BODY_ERRORS, 409)
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "HTML"}
}
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}
}
TAG = "資源開発 (development)"


_JOB_EXAMPLE: dict[str, Any] = {
    "id": "J-RYOKAN-1",
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
            "difficulty": 1,
            "contact_load": 1,
            "physical_load": 2,
            "splittable": True,
        }
    ],
}


class SliceRequest(StrictIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{"job_ids": ["J-RYOKAN-1"]}]})

    job_ids: list[ApiId] | None = Field(
        default=None, max_length=1000, description="切り出す仕事のID (省略時はすべて)"
    )
    time_limit: JsonFloat = Field(default=20.0, gt=0, le=120, description="最適化の制限時間 (秒)")


class AcceptRequest(StrictIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{"proposals": [PROPOSAL_EXAMPLE]}]})

    proposals: list[ProposalIn] = Field(
        description="採用する案 (プチ勤務化の proposals の要素をそのまま送れます)",
        min_length=1,
        max_length=500,
    )


class PublishRequest(StrictIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ids": ["O-J-RYOKAN-1-1"]}]})

    ids: list[ApiId] = Field(min_length=1, max_length=1000, description="公開する参加メニューのID")


_JOB_ROW = kind_of(NodeLabel.JOB).row


class JobsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"jobs": [_JOB_EXAMPLE]}]})

    jobs: list[_JOB_ROW] = Field(min_length=1, description="仕事 (作業の一覧) の配列")  # type: ignore[valid-type]


@router.get(
    "/unmet",
    tags=[TAG],
    summary="足りない参加メニュー (JSON; community and multiagency: counts only, small cells withheld)",
    response_model=dict[str, Any],
    responses=ERRORS,
    dependencies=[Depends(require(*GAP_ROLES))],
)
def unmet(ctx: TownDep) -> dict[str, Any]:
    v = ctx.t.development.unmet(ctx.ctx)
    return {"town": ctx.town, "view": v.view, "report": v.report}


@router.get(
    "/unmet.csv",
    tags=[TAG],
    summary="足りない参加メニュー (CSV: section, key, label, count)",
    responses={**_CSV, **ERRORS},
    dependencies=[Depends(require(*GAP_ROLES))],
)
def unmet_csv(ctx: TownDep) -> Response:
    from matching.unmet import report_rows

    v = ctx.t.development.unmet(ctx.ctx)
    buf = io.StringIO()
    cols = ("section", "key", "label", "count")
    write_rows(buf, cols, [[r[c] for c in cols] for r in report_rows(v.report)])
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unmet-need.csv"'},
    )


@router.get(
    "/unmet/report",
    tags=[TAG],
    summary="足りない参加メニュー (印刷用 HTML)",
    response_class=HTMLResponse,
    responses={**_HTML, **ERRORS},
    dependencies=[Depends(require(*GAP_ROLES))],
)
def unmet_report(ctx: TownDep) -> HTMLResponse:
    from graphsvc.reports.development import render_unmet

    v = ctx.t.development.unmet(ctx.ctx)
    return HTMLResponse(render_unmet(ctx.town, v.report))


@router.get(
    "/maps/unmet",
    tags=[TAG],
    summary="待っている人 (メッシュ集計) と参加メニューの地図 (HTML)",
    response_class=HTMLResponse,
    responses={**_HTML, **ERRORS},
    dependencies=[Depends(require(*GAP_ROLES))],
)
def unmet_map(ctx: TownDep, offline: bool = True) -> HTMLResponse:
    return HTMLResponse(ctx.t.development.unmet_map(ctx.ctx, offline=offline))


@router.post(
    "/development/jobs",
    tags=[TAG],
    summary="仕事 (作業の一覧) の登録・更新 (全件検証してから一括で書き込み)",
    response_model=dict[str, Any],
    responses=POST_ERRORS,
    dependencies=[Depends(require(*DEVELOP_ROLES))],
)
def save_jobs(ctx: TownDep, body: JobsRequest) -> dict[str, Any]:
    rows: list[BaseModel] = list(body.jobs)
    saved = ctx.t.development.save_jobs(ctx.ctx, [request_data(j) for j in rows])
    return {"saved": [j.id for j in saved]}


@router.post(
    "/development/slicing",
    tags=[TAG],
    summary="プチ勤務化: 仕事を待っている人に合う短い勤務に切り出す案 (CP-SAT と 2時間区切りの比較)",
    response_model=SliceOut,
    responses=POST_ERRORS,
    dependencies=[Depends(require(*GAP_ROLES))],
)
def slicing(ctx: TownDep, body: SliceRequest) -> dict[str, Any]:
    _, data = ctx.t.development.slice(ctx.ctx, body.job_ids, time_limit=body.time_limit)
    return data


@router.post(
    "/development/jobs/{job_id}/accept",
    tags=[TAG],
    summary="案を採用して参加メニューの下書きを作る (draft)",
    response_model=dict[str, Any],
    responses=POST_ERRORS,
    status_code=201,
    dependencies=[Depends(require(*DEVELOP_ROLES))],
)
def accept(ctx: TownDep, job_id: str, body: AcceptRequest) -> dict[str, Any]:
    opps = ctx.t.development.accept(
        ctx.ctx, job_id, [p.model_dump(mode="json", exclude_unset=True) for p in body.proposals]
    )
    return {"created": [o.id for o in opps], "status": "draft"}


@router.post(
    "/development/publish",
    tags=[TAG],
    summary="下書きの参加メニューを公開する (マッチングの対象になる)",
    response_model=dict[str, Any],
    responses=POST_ERRORS,
    dependencies=[Depends(require(*DEVELOP_ROLES))],
)
def publish(ctx: TownDep, body: PublishRequest) -> dict[str, Any]:
    return {"published": ctx.t.development.publish(ctx.ctx, body.ids)}


@router.get(
    "/catalogue",
    tags=[TAG],
    summary="プチ勤務カタログ (A4 印刷用 HTML; host_id で受け入れ先ごと)",
    response_class=HTMLResponse,
    responses={**_HTML, **ERRORS},
    dependencies=[Depends(require(*GAP_ROLES))],
)
def catalogue(ctx: TownDep, host_id: str | None = None) -> HTMLResponse:
    return HTMLResponse(ctx.t.development.catalogue(ctx.ctx, host_id=host_id))
