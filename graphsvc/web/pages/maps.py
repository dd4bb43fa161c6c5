"""地域資源マップ: the page, and the offline resource map embedded in it (``/maps/resources``' use case)."""

from __future__ import annotations

from typing import Annotated

from fastapi.responses import HTMLResponse

from graphsvc.access.policy import MAP_ROLES
from graphsvc.web.core import MAP_CSP, SECURITY_HEADERS, TownPage, opening
from graphsvc.web.pages._common import sub_router

router = sub_router()


@router.get("/towns/{town}/map")
def map_page(p: Annotated[TownPage, opening(*MAP_ROLES)]) -> HTMLResponse:
    p.t.maps.check(p.ctx)
    return p.render("map.html", title="地域資源マップ")


@router.get("/towns/{town}/map/embed")
def map_embed(p: Annotated[TownPage, opening(*MAP_ROLES)]) -> HTMLResponse:
    """The offline resource map (every asset inlined; households only in aggregate)."""
    html = p.t.maps.resource_map(p.ctx, offline=True)
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": MAP_CSP})
