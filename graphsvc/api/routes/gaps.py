"""The gap report (GapReport JSON) as the role may see it (:mod:`graphsvc.services.gaps`), and the resource map
(HTML, :mod:`graphsvc.services.maps`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from graphsvc.access.policy import GAP_ROLES, MAP_ROLES
from graphsvc.api.deps import TownDep, require
from graphsvc.api.routes.resources import ERRORS

router = APIRouter(prefix="/v1/towns/{town}")


@router.get(
    "/gaps",
    tags=["分析 (gaps)"],
    summary="支援の隙間 (GapReport; community and coordinators get aggregates only)",
    responses=ERRORS,
    dependencies=[Depends(require(*GAP_ROLES))],
)
def gaps(ctx: TownDep) -> dict[str, Any]:
    v = ctx.t.gaps.view(ctx.ctx)
    return {"town": ctx.town, "view": v.view, "report": v.report}


@router.get(
    "/maps/resources",
    tags=["地図 (maps)"],
    summary="資源マップ (HTML; households only in aggregate)",
    response_class=HTMLResponse,
    responses={**ERRORS, 200: {"content": {"text/html": {}}, "description": "folium の HTML"}},
    dependencies=[Depends(require(*MAP_ROLES))],
)
def resource_map(ctx: TownDep, offline: bool = True) -> HTMLResponse:
    return HTMLResponse(ctx.t.maps.resource_map(ctx.ctx, offline=offline))
