"""The gap report (GapReport JSON) as the role may see it (:mod:`graphsvc.services.gaps`), and the resource map
(HTML, :mod:`graphsvc.services.maps`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from graphsvc.access.policy import GAP_ROLES, MAP_ROLES
from graphsvc.api.contract import TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import TownDep, require

router = APIRouter(prefix="/v1/towns/{town}", route_class=ApiRoute)


class GapsOut(BaseModel):
    town: str
    view: Literal["aggregate", "full"] = Field(
        description="aggregate: 集計のみ (community, coordinator) / full: 全体 (多機関協働の役割には氏名なし)"
    )
    report: dict[str, Any] = Field(description="GapReport (tsunagari gaps の JSON)")


@router.get(
    "/gaps",
    tags=["分析 (gaps)"],
    summary="支援の隙間 (GapReport; community and coordinators get aggregates only)",
    response_model=GapsOut,
    responses=responses(*TOWN_ERRORS),
    dependencies=[Depends(require(*GAP_ROLES))],
)
def gaps(ctx: TownDep) -> GapsOut:
    v = ctx.t.gaps.view(ctx.ctx)
    return GapsOut(town=ctx.town, view=v.view, report=v.report)


@router.get(
    "/maps/resources",
    tags=["地図 (maps)"],
    summary="資源マップ (HTML; households only in aggregate)",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "folium の HTML"},
        **responses(*TOWN_ERRORS),
    },
    dependencies=[Depends(require(*MAP_ROLES))],
)
def resource_map(
    ctx: TownDep,
    offline: Annotated[
        bool, Query(description="地図タイルを読み込まない (no map tiles from the internet; the default)")
    ] = True,
) -> HTMLResponse:
    return HTMLResponse(ctx.t.maps.resource_map(ctx.ctx, offline=offline))
