"""参加支援: find a person, the person page (record, matching with reasons, placements, consent, profile), the
profile form, consent (record, withdraw) and proposals. Each calls the use case the API calls."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response

from graphsvc.access.kinds import KINDS
from graphsvc.access.policy import PLACEMENT_ROLES
from graphsvc.access.principals import ALL, Role
from graphsvc.domain.consent import Purpose, parse_purpose
from graphsvc.domain.errors import ConflictError, ConsentRequired, DomainValidationError
from graphsvc.domain.records import Person
from graphsvc.services.consent import CONSENT_ROLES, grant_state
from graphsvc.web import forms
from graphsvc.web.core import PageError, TownPage, opening
from graphsvc.web.forms import FormState
from graphsvc.web.pages._common import Id, see_other, sub_router
from graphsvc.web.paging import Paging

router = sub_router()
PERSONS = KINDS["persons"]


@router.get("/towns/{town}/persons")
def persons(p: Annotated[TownPage, opening()], q: str = "") -> HTMLResponse:
    listing, need_query = p.t.records.find_persons(p.ctx, q)
    paging = Paging.of(p.page.request, default_per_page=50)
    q = q.strip()[:100]
    pager = paging.window(p.page.request, listing.total, filters={"q": q})
    shown = listing.page(pager.offset, pager.per_page)  # only the page shown is audited, as GET /persons
    return p.render(
        "persons.html",
        title="参加支援: 本人を探す",
        q=q,
        items=shown,
        pager=pager,
        need_query=need_query,
    )


def _person_view(
    p: TownPage, person_id: str, *, form: FormState | None = None, status: int = 200
) -> HTMLResponse:
    """The person page: the record (as the API returns it), matching with reasons, placements, consent, profile."""
    try:
        item = p.t.records.get(p.ctx, PERSONS, person_id)
    except ConsentRequired:  # an assigned person whose consent does not cover the purpose (audited, 403)
        return _no_consent_page(p, person_id)
    match: dict[str, Any] | None = None
    match_note: str | None = None
    placements: list[dict[str, Any]] = []
    grants: list[dict[str, Any]] = []
    if p.role in PLACEMENT_ROLES:
        if p.role is Role.COORDINATOR and p.ctx.purpose is not Purpose.PARTICIPATION:
            match_note = "マッチングと提案は利用目的「参加支援」で表示できます"
        else:
            try:
                res = p.t.matching.match(p.ctx, person_id, top=10, explain=10)
            except (DomainValidationError, ConflictError) as err:  # no participation profile yet
                match_note = "; ".join(pr.message_ja for pr in err.problems)
            else:
                match = _match_view(p, person_id, res.to_dict())
            placements = _placements_of(p, person_id)
    if p.role in CONSENT_ROLES:  # as GET /persons/{id}/consents
        grants = _grant_rows(p.t.consent.list(p.ctx, person_id))
    may_edit = p.t.records.may_edit_profile(p.ctx, person_id)
    if form is None:
        profile = item.get("participation_profile")
        form = forms.profile_to_form(profile if profile else None)
    q = p.page.request.query_params
    return p.render(
        "person.html",
        http_status=status,
        title=f"本人 {person_id}",
        person=item,
        match=match,
        match_note=match_note,
        placements=placements,
        grants=grants,
        may_edit=may_edit,
        may_withdraw=p.role in CONSENT_ROLES,
        withdrawn=q.get("withdrawn") == "1",
        form=form,
        choices=forms.CHOICES,
        needs_choices=forms.needs_choices(),
        lim_rows=forms.limit_rows(form),
        slot_rows=forms.SLOT_ROWS,
        saved=q.get("saved") == "1",
    )


def _placements_of(p: TownPage, person_id: str) -> list[dict[str, Any]]:
    listing = p.t.placements.list(p.ctx, person_id=person_id)
    if not listing.total:
        return []
    found = listing.page(0, listing.total)  # audited (as GET /placements?person_id=)
    names = p.t.records.titles([x.opportunity_id for x in found])
    return [
        {
            "opportunity_id": x.opportunity_id,
            "title": names.get(x.opportunity_id, x.opportunity_id),
            "status": x.props.status,
            "updated_at": x.props.updated_at,
        }
        for x in sorted(found, key=lambda x: x.props.updated_at or "", reverse=True)
    ]


def _grant_rows(grants: list[Any]) -> list[dict[str, Any]]:
    """The grants as the person page lists them: current ones first, each with its state in Japanese."""
    rows = []
    for g in grants:
        st = grant_state(g)
        rows.append({"g": g, "state": st.ja, "state_en": st.en, "current": st.current})
    rows.sort(key=lambda r: not r["current"])  # stable: by recorded_at within each group
    return rows


def _match_view(p: TownPage, person_id: str, res: dict[str, Any]) -> dict[str, Any]:
    """The match result with, per ranked item, whether the person's consent covers its host (a proposal needs
    that, exactly as ``POST /placements``) and the current placement status."""
    options = p.t.placements.options(p.ctx, person_id, [item["opening_id"] for item in res["ranked"]])
    for item in res["ranked"]:
        o = options[item["opening_id"]]
        item["host_id"] = o.host_id
        item["consented"] = o.consented
        item["status"] = o.status
        item["may_propose"] = o.may_propose
    return res


def _no_consent_page(p: TownPage, person_id: str, *, errors: dict[str, str] | None = None) -> HTMLResponse:
    """An assigned person whose consent does not cover the purpose: 403, and a form to record consent (what
    ``POST /persons/{id}/consents`` allows the person's coordinator)."""
    return p.render(
        "no_consent.html",
        http_status=422 if errors else 403,
        title="同意の記録" if errors else "同意が必要です",
        person_id=person_id,
        purposes_all=list(Purpose),
        today=date.today(),
        errors=errors or {},
        withdrawn=not errors and p.page.request.query_params.get("withdrawn") == "1",
    )


@router.get("/towns/{town}/persons/{person_id}")
def person(p: Annotated[TownPage, opening()], person_id: Id) -> HTMLResponse:
    return _person_view(p, person_id)


@router.post("/towns/{town}/persons/{person_id}/profile")
def save_profile(p: Annotated[TownPage, opening(form=True)], person_id: Id) -> Response:
    form = FormState.from_body(p.form, forms.PROFILE_MULTI)

    def build(rec: Person) -> dict[str, Any] | None:
        return forms.profile_from_form(form, rec.participation_profile)

    if p.t.records.save_profile(p.ctx, person_id, build) is None:
        return _person_view(p, person_id, form=form, status=422)
    return see_other(f"/app/towns/{p.town}/persons/{quote(person_id)}?saved=1#profile")


def _form_date(body: dict[str, list[str]], name: str, errors: dict[str, str]) -> date | None:
    raw = (body.get(name) or [""])[0]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "日付 (YYYY-MM-DD) で指定してください"
        return None


@router.post("/towns/{town}/persons/{person_id}/consents")
def record_consent(p: Annotated[TownPage, opening(*CONSENT_ROLES, form=True)], person_id: Id) -> Response:
    body = p.form
    chosen = [x for x in (parse_purpose(v) for v in body.get("purposes", [])) if x is not None]
    recipients = [r.strip() for r in (body.get("recipients") or ["*"])[0].replace("、", ",").split(",")]
    errors: dict[str, str] = {}
    if not chosen:
        errors["purposes"] = "利用目的を1つ以上選んでください"
    vf = _form_date(body, "valid_from", errors) or date.today()
    vu = _form_date(body, "valid_until", errors)
    if vu is not None and vu < vf:
        errors["valid_until"] = "終了日が開始日より前です"
    if errors:
        p.t.consent.check(p.ctx, person_id)  # the scope checks come before the form's errors
        return _no_consent_page(p, person_id, errors=errors)
    p.t.consent.grant(
        p.ctx,
        person_id,
        purposes=[x.value for x in chosen],
        recipients=[r for r in recipients if r] or [ALL],
        valid_from=vf,
        valid_until=vu,
        note=((body.get("note") or [""])[0].strip() or None),
    )
    return see_other(f"/app/towns/{p.town}/persons/{quote(person_id)}")


@router.post("/towns/{town}/persons/{person_id}/consents/{grant_id}/withdraw")
def withdraw_consent(
    p: Annotated[TownPage, opening(*CONSENT_ROLES, form=True)], person_id: Id, grant_id: str
) -> Response:
    """同意の撤回: ``DELETE /persons/{id}/consents/{grant_id}`` (the same use case), after the staff member ticked
    the confirmation."""
    if (p.form.get("confirm") or [""])[0] != "1":
        p.t.consent.check(p.ctx, person_id)
        raise PageError.of(
            422,
            "撤回するには「本人から撤回の申し出を受けたことを確認しました」にチェックを入れてください。"
            "同意はまだ撤回されていません",
            "tick the confirmation to withdraw the consent; nothing was withdrawn",
            "confirm",
        )
    p.t.consent.withdraw(p.ctx, person_id, grant_id)
    return see_other(f"/app/towns/{p.town}/persons/{quote(person_id)}?withdrawn=1#consents")


@router.post("/towns/{town}/persons/{person_id}/proposals")
def propose(p: Annotated[TownPage, opening(*PLACEMENT_ROLES, form=True)], person_id: Id) -> Response:
    opportunity_id = (p.form.get("opportunity_id") or [""])[0]
    note = (p.form.get("note") or [""])[0].strip() or None
    p.t.placements.propose(p.ctx, person_id, opportunity_id, note=note)
    return see_other(f"/app/towns/{p.town}/placements/{quote(person_id)}/{quote(opportunity_id)}")
