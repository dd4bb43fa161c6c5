"""参加支援の経過 (follow-up): the placements the caller may see, one placement with its history, and the form
that moves it on (the use cases of ``/v1/towns/{town}/placements``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response

from graphsvc.access.policy import PLACEMENT_ROLES
from graphsvc.domain.enums import PlacementOutcome, PlacementStatus
from graphsvc.domain.errors import TsunagariError
from graphsvc.services.placements import TRANSITIONS
from graphsvc.web.core import TownPage, opening
from graphsvc.web.pages._common import Id, see_other, sub_router
from graphsvc.web.paging import Paging

router = sub_router()


@router.get("/towns/{town}/placements")
def placements(p: Annotated[TownPage, opening(*PLACEMENT_ROLES)], status: str = "") -> HTMLResponse:
    st = PlacementStatus(status) if status in {s.value for s in PlacementStatus} else None
    listing = p.t.placements.list(p.ctx, status=st, recent_first=True)
    paging = Paging.of(p.page.request, default_per_page=50)
    pager = paging.window(p.page.request, listing.total, filters={"status": st.value if st else ""})
    shown = listing.page(pager.offset, pager.per_page)  # the page shown is audited, as the API
    return p.render(
        "placements.html",
        title="参加支援の経過",
        items=shown,
        pager=pager,
        titles=p.t.records.titles([x.opportunity_id for x in shown]),
        statuses=list(PlacementStatus),
        status=st,
    )


def _placement_view(
    p: TownPage,
    person_id: str,
    opportunity_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    pl = p.t.placements.get(p.ctx, person_id, opportunity_id)
    order = list(PlacementStatus)
    nxt = sorted(TRANSITIONS[pl.props.status], key=order.index)
    return p.render(
        "placement.html",
        http_status=status,
        title="参加支援の経過",
        person_id=person_id,
        opportunity_id=opportunity_id,
        opp_title=p.t.records.titles([opportunity_id]).get(opportunity_id, opportunity_id),
        p=pl.props,
        next_statuses=nxt,
        outcomes=list(PlacementOutcome),
        errors=errors or {},
        values=values or {},
    )


@router.get("/towns/{town}/placements/{person_id}/{opportunity_id}")
def placement(
    p: Annotated[TownPage, opening(*PLACEMENT_ROLES)], person_id: Id, opportunity_id: Id
) -> HTMLResponse:
    return _placement_view(p, person_id, opportunity_id)


@router.post("/towns/{town}/placements/{person_id}/{opportunity_id}")
def transition(
    p: Annotated[TownPage, opening(*PLACEMENT_ROLES, form=True)], person_id: Id, opportunity_id: Id
) -> Response:
    current = p.t.placements.current(p.ctx, person_id, opportunity_id)  # checks first, then the form
    values = {k: (v[-1] if v else "") for k, v in p.form.items() if k != "csrf"}
    errors: dict[str, str] = {}
    raw_status = values.get("status", "")
    try:
        new_status = PlacementStatus(raw_status) if raw_status else current.props.status
    except ValueError:
        errors["status"] = "段階を一覧から選んでください"
        new_status = current.props.status
    outcome: PlacementOutcome | None = None
    if values.get("outcome"):
        try:
            outcome = PlacementOutcome(values["outcome"])
        except ValueError:
            errors["outcome"] = "結果を一覧から選んでください"
    start: date | None = None
    if values.get("start"):
        try:
            start = date.fromisoformat(values["start"])
        except ValueError:
            errors["start"] = "日付 (YYYY-MM-DD) で指定してください"
    if errors:
        return _placement_view(p, person_id, opportunity_id, errors=errors, values=values, status=422)
    try:
        p.t.placements.transition(
            p.ctx,
            person_id,
            opportunity_id,
            new_status,
            note=values.get("note", "").strip() or None,
            host_notes=values.get("host_notes", "").strip() or None,
            outcome=outcome,
            start=start,
        )
    except TsunagariError as err:  # a transition the lifecycle does not allow, or no capacity left
        return _placement_view(
            p,
            person_id,
            opportunity_id,
            errors={"status": "; ".join(pr.message_ja for pr in err.problems)},
            values=values,
            status=409,
        )
    return see_other(f"/app/towns/{p.town}/placements/{quote(person_id)}/{quote(opportunity_id)}?saved=1")
