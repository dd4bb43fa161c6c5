"""Matching and placements: ranked placements with reasons, batch assignment, the referral lifecycle."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from graphsvc.api.consent import Purpose
from graphsvc.api.deps import TownCtx, TownDep, require
from graphsvc.api.errors import ApiError
from graphsvc.api.policy import (
    coordinator_persons,
    matching_purpose,
    opportunity_host,
    require_person_access,
)
from graphsvc.api.routes.resources import ERRORS, ID_PATTERN
from graphsvc.api.schemas.services import (
    AssignRequest,
    AssignResponse,
    MatchRequest,
    PlacementOut,
    ProposeRequest,
    TransitionRequest,
)
from graphsvc.api.security import Role
from graphsvc.domain.enums import PlacementStatus
from graphsvc.services.matching import MatchingService
from graphsvc.services.placements import Placement, PlacementService

router = APIRouter(prefix="/v1/towns/{town}")
_coord = [Depends(require(Role.ADMIN, Role.COORDINATOR))]
IdPath = Annotated[str, Path(pattern=ID_PATTERN)]


def _placement(p: Placement) -> PlacementOut:
    d = p.props.model_dump(mode="json")
    return PlacementOut(person_id=p.person_id, opportunity_id=p.opportunity_id, **d)


@router.post(
    "/match",
    tags=["マッチング (matching)"],
    summary="本人に合う参加先の順位付け (ranked placements, every factor's and exclusion's reason)",
    responses=ERRORS,
    dependencies=[Depends(require(Role.ADMIN, Role.COORDINATOR, Role.CASE_SYSTEM))],
)
def match(ctx: TownDep, req: MatchRequest) -> dict[str, Any]:
    purpose = matching_purpose(ctx)
    require_person_access(ctx, req.person_id, purpose)
    res = MatchingService(ctx.store).match(req.person_id, top=req.top, explain=req.explain)
    ctx.audit("match", "match_results", [req.person_id])
    return res.to_dict(exclusions=req.exclusions)


@router.post(
    "/assign",
    tags=["マッチング (matching)"],
    summary="定員を考慮した一括割り当て (exact assignment; greedy as the baseline)",
    response_model=AssignResponse,
    responses=ERRORS,
    dependencies=_coord,
)
def assign(ctx: TownDep, req: AssignRequest) -> AssignResponse:
    purpose = matching_purpose(ctx)
    svc = MatchingService(ctx.store)
    allowed = coordinator_persons(ctx, purpose)
    if req.person_ids is not None:
        ids = list(dict.fromkeys(req.person_ids))
        for pid in ids:
            require_person_access(ctx, pid, purpose)
    else:
        ids = svc.candidates()
        if allowed is not None:
            ids = [i for i in ids if i in allowed]
    res = svc.assign(ids, k=req.k, max_per_host=req.max_per_host)
    rows = res.rows()
    assigned = {r["person_id"] for r in rows}
    ctx.audit("assign", "match_results", ids)
    return AssignResponse(
        total_score=round(float(res.exact.pair_scores.sum()), 6),
        greedy_total_score=round(float(res.greedy.pair_scores.sum()), 6),
        rows=rows,
        unassigned=[i for i in ids if i not in assigned],
    )


tags_pl: list[str | Enum] = ["参加支援の経過 (placements)"]


def _check_person(ctx: TownCtx, person_id: str) -> Purpose:
    purpose = matching_purpose(ctx)
    require_person_access(ctx, person_id, purpose)
    return purpose


@router.get(
    "/placements",
    tags=tags_pl,
    summary="参加支援の一覧 (placements you may see)",
    response_model=list[PlacementOut],
    responses=ERRORS,
    dependencies=_coord,
)
def list_placements(
    ctx: TownDep,
    person_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    status: PlacementStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[PlacementOut]:
    purpose = matching_purpose(ctx)
    if person_id is not None:
        require_person_access(ctx, person_id, purpose)
    found = PlacementService(ctx.store).find(person_id=person_id, status=status)
    allowed = coordinator_persons(ctx, purpose)
    if allowed is not None:
        found = [p for p in found if p.person_id in allowed]
    found.sort(key=lambda p: (p.person_id, p.opportunity_id))
    page = found[offset : offset + limit]
    ctx.audit("list", "placements", sorted({p.person_id for p in page}))
    return [_placement(p) for p in page]


@router.get(
    "/placements/{person_id}/{opportunity_id}",
    tags=tags_pl,
    summary="参加支援1件と変更履歴 (one placement with who changed what when)",
    response_model=PlacementOut,
    responses=ERRORS,
    dependencies=_coord,
)
def get_placement(ctx: TownDep, person_id: IdPath, opportunity_id: IdPath) -> PlacementOut:
    _check_person(ctx, person_id)
    p = PlacementService(ctx.store).get(person_id, opportunity_id)
    if p is None:
        raise ApiError.of(404, "その参加支援はありません", "no such placement", "opportunity_id")
    ctx.audit("read", "placements", [person_id])
    return _placement(p)


@router.post(
    "/placements",
    tags=tags_pl,
    summary="参加先への提案 (propose; needs consent covering the host)",
    response_model=PlacementOut,
    status_code=201,
    responses={**ERRORS, 409: {}},
    dependencies=_coord,
)
def propose(ctx: TownDep, req: ProposeRequest, response: Response) -> PlacementOut:
    purpose = matching_purpose(ctx)
    host = opportunity_host(ctx, req.opportunity_id)
    require_person_access(ctx, req.person_id, purpose, recipient=host)
    p = PlacementService(ctx.store).propose(req.person_id, req.opportunity_id, by=ctx.who(), note=req.note)
    ctx.audit("propose", "placements", [req.person_id])
    return _placement(p)


@router.post(
    "/placements/{person_id}/{opportunity_id}/transition",
    tags=tags_pl,
    summary="段階を進める・受け入れ先のメモ (transition with host notes)",
    response_model=PlacementOut,
    responses={**ERRORS, 409: {}},
    dependencies=_coord,
)
def transition(
    ctx: TownDep, person_id: IdPath, opportunity_id: IdPath, req: TransitionRequest
) -> PlacementOut:
    _check_person(ctx, person_id)
    p = PlacementService(ctx.store).transition(
        person_id,
        opportunity_id,
        req.status,
        by=ctx.who(),
        note=req.note,
        host_notes=req.host_notes,
        outcome=req.outcome,
        start=req.start,
    )
    ctx.audit("transition", "placements", [person_id])
    return _placement(p)
