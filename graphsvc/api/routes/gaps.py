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
from graphsvc.api.routes.resources import ERRORS
from graphsvc.api.security import Role

router = APIRouter(prefix="/v1/towns/{town}")

# aggregates every role may see: tables of counts by sector and by area
_AGGREGATE_TABLES = {("overlap", "matrix"), ("overlap", "unmet_matrix"), ("coverage", "areas")}
_SAFE_AREA_KEYS = {
    "area_id",
    "name",
    "at_risk",
    "near",
    "far",
    "no_location",
    "approximate_location",
    "far_share",
}


def aggregate(report: dict[str, Any]) -> dict[str, Any]:
    """Only numbers: scalars kept, lists replaced by their length, a few count tables kept whole."""
    out: dict[str, Any] = {}
    for section, body in report.items():
        if section == "summary_ja":
            continue
        if not isinstance(body, dict):
            continue
        sec: dict[str, Any] = {}
        for key, value in body.items():
            if (section, key) in _AGGREGATE_TABLES:
                if key == "areas":
                    sec[key] = [{k: v for k, v in a.items() if k in _SAFE_AREA_KEYS} for a in value]
                else:
                    sec[key] = value
            elif isinstance(value, bool | int | float) or key == "summary_ja":
                sec[key] = value
            elif isinstance(value, list):
                sec[f"{key}_count"] = len(value)
        out[section] = sec
    return out


def _redact_names(value: Any) -> Any:
    if isinstance(value, dict):
        personal = value.get("label") in ("Person", "Household") or "person_id" in value
        return {k: (None if personal and k == "name" else _redact_names(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_names(v) for v in value]
    return value


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
        return {"town": ctx.town, "view": "aggregate", "report": aggregate(_report(ctx))}
    ctx.need_purpose(None if ctx.role is Role.ADMIN else (Purpose.SUPPORT_MEETING, Purpose.OUTREACH))
    rep = _report(ctx)
    if ctx.role is Role.MULTIAGENCY:
        rep = _redact_names(rep)
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
