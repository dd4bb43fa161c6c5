"""ギャップレポート: the report as the role may see it (the use case of ``GET /gaps``), the printable meeting
report, why a household is listed, and why two agencies are a missing link."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response

from graphsvc.analysis.reachability import DEFAULT_K, hop_rows
from graphsvc.domain.enums import CaseFactor, CaseStage, HouseholdFlag, Sector
from graphsvc.domain.errors import DomainValidationError
from graphsvc.web.core import MAP_CSP, SECURITY_HEADERS, TownPage, opening
from graphsvc.web.pages._common import Id, see_other, sub_router

router = sub_router()


@router.get("/towns/{town}/gaps")
def gaps(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    v = p.t.gaps.view(p.ctx)
    reach = v.report.get("reachability") or {}
    hops = hop_rows(reach.get("hops") or {}, int(reach.get("k") or DEFAULT_K)) if reach.get("hops") else []
    if v.view == "aggregate":
        return p.render("gaps_aggregate.html", title="ギャップレポート (集計)", agg=v.report, hop_rows=hops)
    return p.render(
        "gaps.html", title="ギャップレポート", r=v.report, top=20, may_households=True, hop_rows=hops
    )


@router.get("/towns/{town}/gaps/print")
def gaps_print(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    """The printable meeting report (``graphsvc.reports.render_report``): household ids, never names."""
    from graphsvc.maps import collect_map_data
    from graphsvc.reports.gap_report import render_report

    v = p.t.gaps.view(p.ctx, full_only=True)
    assert v.analysis is not None and v.graph is not None
    html = render_report(v.analysis, collect_map_data(v.graph, v.analysis, town=p.town))
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": MAP_CSP})


@router.get("/towns/{town}/households/{household_id}")
def household(p: Annotated[TownPage, opening()], household_id: Id) -> HTMLResponse:
    """Why a household is listed: its flags, members, the agencies and supporters around it, its cases."""
    return _household_page(p, household_id)


def _household_page(
    p: TownPage, household_id: str, *, problems: list[str] | None = None, status: int = 200
) -> HTMLResponse:
    v = p.t.households.explain(p.ctx, household_id)
    hh = dict(v.household)
    codes = list(hh.get("flags") or [])
    hh["flags"] = [HouseholdFlag(f).ja for f in codes]
    cases = []
    for c in v.cases:
        cases.append(
            {
                **c,
                "stage": CaseStage(c["stage"]).ja,
                "factors": [CaseFactor(f).ja for f in c.get("factors") or []],
            }
        )
    agencies = [
        (a, name, {**props, "sector": Sector(str(props["sector"])).ja if props.get("sector") else ""})
        for a, name, props in v.agencies
    ]
    return p.render(
        "household.html",
        title=f"世帯 {household_id}",
        hh=hh,
        members=v.members,
        agencies=agencies,
        supporters=v.supporters,
        cases=cases,
        ties=v.neighbour_ties,
        reach=p.t.gaps.household_reach(p.ctx, household_id),
        targets={"agency": "支援関係機関", "formal": "民生委員・専門職など", "informal": "住民の支援者"},
        flag_form=p.t.households.may_edit_flags(p.ctx),
        flag_choices=[(f.value, f.ja) for f in HouseholdFlag],
        flag_codes=codes,
        flag_problems=problems or [],
        saved=p.page.request.query_params.get("saved") == "flags",
        http_status=status,
    )


@router.post("/towns/{town}/households/{household_id}/flags")
def household_flags(p: Annotated[TownPage, opening(form=True)], household_id: Id) -> Response:
    """Change a household's situation flags (ダブルケア, ヤングケアラー, 8050, 社会的孤立 …): the writers only;
    every other field is kept; an unknown value is refused on the page and nothing is written."""
    try:
        p.t.households.set_flags(p.ctx, household_id, list(p.form.get("flags", [])))
    except DomainValidationError as err:
        return _household_page(p, household_id, problems=[x.message_ja for x in err.problems], status=422)
    return see_other(f"/app/towns/{p.town}/households/{quote(household_id)}?saved=flags")


@router.get("/towns/{town}/gaps/pairs/{agency_a}/{agency_b}")
def agency_pair(p: Annotated[TownPage, opening()], agency_a: Id, agency_b: Id) -> HTMLResponse:
    """Why two agencies are listed as a missing link: the households both support, and their tie level."""
    link = p.t.gaps.agency_pair(p.ctx, agency_a, agency_b)
    return p.render("pair.html", title="機関の組", link=link)
