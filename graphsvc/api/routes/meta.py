"""Health (no key needed: it names no person) and aggregate counts per town."""

from __future__ import annotations

from fastapi import APIRouter

from graphsvc.api.deps import ContainerDep, PrincipalDep, TownDep
from graphsvc.api.routes.resources import ERRORS
from graphsvc.domain.errors import StoreUnavailableError

router = APIRouter(tags=["稼働・集計 (meta)"])


@router.get("/healthz", summary="稼働確認 (liveness and store reachability)")
def healthz(container: ContainerDep) -> dict[str, object]:
    towns = container.towns()
    for town in towns:
        try:
            container.store(town).ping()
        except StoreUnavailableError:
            container.forget_store(town)  # reopened on the next request
            raise
    return {"status": "ok", "store": container.settings.store, "towns": towns}


@router.get("/v1/towns", summary="町の一覧 (towns this key may use)", responses=ERRORS)
def towns(container: ContainerDep, principal: PrincipalDep) -> dict[str, object]:
    return {"towns": [t for t in container.towns() if principal.can_town(t)]}


@router.get("/v1/towns/{town}/counts", summary="件数の集計 (aggregate counts per kind)", responses=ERRORS)
def counts(ctx: TownDep) -> dict[str, object]:
    c = ctx.store.counts()
    return {"town": ctx.town, "nodes": c.nodes, "relationships": c.rels}
