"""Health (no key needed: it names no person) and aggregate counts per town."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from graphsvc.api.contract import AUTH_ERRORS, TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import ContainerDep, PrincipalDep, TownDep
from graphsvc.domain.errors import StoreUnavailableError

router = APIRouter(tags=["稼働・集計 (meta)"], route_class=ApiRoute)


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    store: str = Field(description="ストアの種類 (embedded, neo4j …)")
    towns: list[str]


class Towns(BaseModel):
    towns: list[str] = Field(description="このキーで使える町 (towns this key may use)")


class Counts(BaseModel):
    town: str
    nodes: dict[str, int] = Field(description="ラベルごとのノード数 (nodes per label)")
    relationships: dict[str, int] = Field(description="種類ごとの関係の数 (relationships per type)")


@router.get(
    "/healthz",
    summary="稼働確認 (liveness and store reachability)",
    response_model=Health,
    responses=responses(503),
)
def healthz(container: ContainerDep) -> Health:
    towns = container.towns()
    for town in towns:
        try:
            container.store(town).ping()
        except StoreUnavailableError:
            container.forget_store(town)  # reopened on the next request
            raise
    return Health(status="ok", store=container.settings.store, towns=towns)


@router.get(
    "/v1/towns",
    summary="町の一覧 (towns this key may use)",
    response_model=Towns,
    responses=responses(*AUTH_ERRORS),
)
def towns(container: ContainerDep, principal: PrincipalDep) -> Towns:
    return Towns(towns=[t for t in container.towns() if principal.can_town(t)])


@router.get(
    "/v1/towns/{town}/counts",
    summary="件数の集計 (aggregate counts per kind)",
    response_model=Counts,
    responses=responses(*TOWN_ERRORS),
)
def counts(ctx: TownDep) -> Counts:
    c = ctx.store.counts()
    return Counts(town=ctx.town, nodes=dict(c.nodes), relationships=dict(c.rels))
