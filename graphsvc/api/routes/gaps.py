"""The gap report (GapReport JSON), filtered by role; and the resource map (HTML)."""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from graphsvc.analysis import analyse_all
from graphsvc.api.consent import Purpose
from graphsvc.api.deps import TownCtx, TownDep, require
from graphsvc.api.errors import ApiError
from graphsvc.api.policy import aggregate_report, redact_names
from graphsvc.api.routes.resources import ERRORS
from graphsvc.api.security import Role

router = APIRouter(prefix="/v1/towns/{town}")


def _report(ctx: TownCtx) -> dict[str, Any]:
    return analyse_all(ctx.store.projection()).to_dict()


@router.get(
    "/gaps",
    tags=["分析 (gaps)"],
    summary="支援の隙間 (GapReport; community and coordinators get aggregates only)",
    responses=ERRORS,
    dependencies=[Depends(require(Role.ADMIN, Role.MULTIAGENCY, Role.COORDINATOR, Role.COMMUNITY))],
)
def gaps(ctx: TownDep) -> dict[str, Any]:
    if ctx.role in (Role.COMMUNITY, Role.COORDINATOR):
        return {"town": ctx.town, "view": "aggregate", "report": aggregate_report(_report(ctx))}
    ctx.need_purpose(None if ctx.role is Role.ADMIN else (Purpose.SUPPORT_MEETING, Purpose.OUTREACH))
    rep = _report(ctx)
    if ctx.role is Role.MULTIAGENCY:
        rep = redact_names(rep)
    ctx.audit("gaps", "gap_report", [])
    return {"town": ctx.town, "view": "full", "report": rep}


@router.get(
    "/maps/resources",
    tags=["地図 (maps)"],
    summary="資源マップ (HTML; households only in aggregate)",
    response_class=HTMLResponse,
    responses={**ERRORS, 200: {"content": {"text/html": {}}, "description": "folium の HTML"}},
    dependencies=[Depends(require(Role.ADMIN, Role.MULTIAGENCY, Role.COORDINATOR, Role.COMMUNITY))],
)
def resource_map(ctx: TownDep, offline: bool = True) -> HTMLResponse:
    try:
        maps = importlib.import_module("graphsvc.maps")
    except ModuleNotFoundError as err:
        if err.name and err.name.startswith("graphsvc.maps"):
            raise ApiError.of(
                404,
                "地図の機能はまだ入っていません (graphsvc.maps)",
                "the map feature (graphsvc.maps) is not installed yet",
                "maps",
            ) from None
        raise
    if not hasattr(maps, "build_map") or not hasattr(maps, "render_map"):
        raise ApiError.of(404, "地図の機能はまだ使えません", "the map feature is not ready yet", "maps")
    html = maps.render_map(maps.build_map(ctx.store, offline=offline))
    return HTMLResponse(html)
