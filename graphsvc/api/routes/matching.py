"""Matching and placements: ranked placements with reasons, batch assignment, the referral lifecycle."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from graphsvc.access.policy import MATCH_ROLES, PLACEMENT_ROLES
from graphsvc.api.contract import BODY_ERRORS, TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import TownDep, require
from graphsvc.api.paging import Limit, Offset
from graphsvc.api.routes.resources import ID_PATTERN
from graphsvc.api.schemas.services import (
    AssignRequest,
    AssignResponse,
    MatchRequest,
    PlacementOut,
    ProposeRequest,
    TransitionRequest,
)
from graphsvc.api.schemas.strict import exact_enum
from graphsvc.domain.enums import PlacementStatus
from graphsvc.services.placements import Placement

router = APIRouter(prefix="/v1/towns/{town}", route_class=ApiRoute)
PlacementStatusCode = exact_enum(PlacementStatus)
_coord = [Depends(require(*PLACEMENT_ROLES))]
IdPath = Annotated[str, Path(pattern=ID_PATTERN)]


def _placement(p: Placement) -> PlacementOut:
    d = p.props.model_dump(mode="json")
    return PlacementOut(person_id=p.person_id, opportunity_id=p.opportunity_id, **d)


@router.post(
    "/match",
    tags=["マッチング (matching)"],
    summary="本人に合う参加先の順位付け (ranked placements, every factor's and exclusion's reason)",
    response_model=dict[str, Any],
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS),
    dependencies=[Depends(require(*MATCH_ROLES))],
)
def match(ctx: TownDep, req: MatchRequest) -> dict[str, Any]:
    res = ctx.t.matching.match(ctx.ctx, req.person_id, top=req.top, explain=req.explain)
    return res.to_dict(exclusions=req.exclusions)


@router.post(
    "/assign",
    tags=["マッチング (matching)"],
    summary="定員を考慮した一括割り当て (exact assignment; greedy as the baseline)",
    response_model=AssignResponse,
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS),
    dependencies=_coord,
)
def assign(ctx: TownDep, req: AssignRequest) -> AssignResponse:
    ids, res = ctx.t.matching.assign(ctx.ctx, req.person_ids, k=req.k, max_per_host=req.max_per_host)
    rows = res.rows()
    assigned = {r["person_id"] for r in rows}
    return AssignResponse(
        total_score=round(float(res.exact.pair_scores.sum()), 6),
        greedy_total_score=round(float(res.greedy.pair_scores.sum()), 6),
        rows=rows,
        unassigned=[i for i in ids if i not in assigned],
    )


tags_pl: list[str | Enum] = ["参加支援の経過 (placements)"]


@router.get(
    "/placements",
    tags=tags_pl,
    summary="参加支援の一覧 (placements you may see)",
    response_model=list[PlacementOut],
    responses=responses(*TOWN_ERRORS),
    dependencies=_coord,
)
def list_placements(
    ctx: TownDep,
    person_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    status: Annotated[PlacementStatusCode | None, Query(description="段階 (status)")] = None,  # type: ignore[valid-type]
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[PlacementOut]:
    listing = ctx.t.placements.list(ctx.ctx, person_id=person_id, status=status)
    return [_placement(p) for p in listing.page(offset, limit)]


@router.get(
    "/placements/{person_id}/{opportunity_id}",
    tags=tags_pl,
    summary="参加支援1件と変更履歴 (one placement with who changed what when)",
    response_model=PlacementOut,
    responses=responses(*TOWN_ERRORS),
    dependencies=_coord,
)
def get_placement(ctx: TownDep, person_id: IdPath, opportunity_id: IdPath) -> PlacementOut:
    return _placement(ctx.t.placements.get(ctx.ctx, person_id, opportunity_id))


@router.post(
    "/placements",
    tags=tags_pl,
    summary="参加先への提案 (propose; needs consent covering the host)",
    response_model=PlacementOut,
    status_code=201,
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    dependencies=_coord,
)
def propose(ctx: TownDep, req: ProposeRequest) -> PlacementOut:
    return _placement(ctx.t.placements.propose(ctx.ctx, req.person_id, req.opportunity_id, note=req.note))


@router.post(
    "/placements/{person_id}/{opportunity_id}/transition",
    tags=tags_pl,
    summary="段階を進める・受け入れ先のメモ (transition with host notes)",
    response_model=PlacementOut,
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    dependencies=_coord,
)
def transition(
    ctx: TownDep, person_id: IdPath, opportunity_id: IdPath, req: TransitionRequest
) -> PlacementOut:
    p = ctx.t.placements.transition(
        ctx.ctx,
        person_id,
        opportunity_id,
        req.status,
        note=req.note,
        host_notes=req.host_notes,
        outcome=req.outcome,
        start=req.start,
    )
    return _placement(p)
