"""The staff pages under ``/app/``: sign-in, purpose, 参加支援 (persons, matching, proposals, follow-up),
地域資源マップ, ギャップレポート and 資源の登録.

Each handler does what the matching JSON endpoint does, with the same functions: the town context from
``graphsvc.api.deps.get_town``, the role and consent checks of ``graphsvc.api.policy`` and the routes, and the
same audit actions (``read``/``list`` persons, ``match``, ``propose``, ``transition``, ``gaps``, ``upsert``,
``consent_grant``, ``consent_withdraw``, ``delete`` …). The list pages are paged (:mod:`graphsvc.web.paging`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graphsvc.analysis import analyse_all
from graphsvc.api.consent import ConsentGrant, Purpose, parse_purpose
from graphsvc.api.deps import TownCtx, require
from graphsvc.api.errors import ApiError
from graphsvc.api.policy import (
    aggregate_report,
    can_write,
    check_person_in_scope,
    check_read,
    check_write_owned,
    coordinator_persons,
    matching_purpose,
    opportunity_host,
    redact,
    redact_names,
    require_person_access,
    restricted_ids,
)
from graphsvc.api.schemas.records import KINDS
from graphsvc.api.security import ALL, Role
from graphsvc.domain import (
    NodeLabel,
    PlacementOutcome,
    PlacementStatus,
    RelType,
    node_from_props,
    to_props,
    validate_node,
)
from graphsvc.domain.enums import CaseFactor, CaseStage, HouseholdFlag, Sector
from graphsvc.domain.errors import DomainValidationError, NodeHasRelationshipsError, TsunagariError
from graphsvc.domain.ids import RECORD_ID_PATTERN, TOWN_PATTERN
from graphsvc.domain.records import Person
from graphsvc.services.matching import MatchingService
from graphsvc.services.placements import TRANSITIONS, PlacementService
from graphsvc.store.port import NodeRef, NodeRow, WriteBatch
from graphsvc.web import forms
from graphsvc.web.core import (
    MAP_CSP,
    SECURITY_HEADERS,
    Page,
    WebRoute,
    allowed_purposes,
    current_page,
    form_body,
    render,
    session_store,
)
from graphsvc.web.forms import FormState
from graphsvc.web.paging import Paging
from graphsvc.web.session import COOKIE, IDLE_SECONDS, PRE_COOKIE

__all__ = ["router"]

router = APIRouter(prefix="/app", route_class=WebRoute, include_in_schema=False)
Town = Annotated[str, Path(pattern=TOWN_PATTERN)]
Id = Annotated[str, Path(pattern=RECORD_ID_PATTERN)]
PERSONS = KINDS["persons"]
# who may list, record and withdraw a person's consent: the roles of /v1/.../persons/{id}/consents
CONSENT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CASE_SYSTEM)
# 参加支援のプロフィール: the API writes person records only for admin and case systems. The person's own
# coordinator (assigned, consent covering 参加支援) may also edit the participation profile from these pages:
# the matching needs what the coordinator learns in the assessment. Set False to keep the API's rule only.
COORDINATOR_MAY_EDIT_PROFILE = True


def _local(next_url: str | None, default: str = "/app/") -> str:
    """Only same-site paths under /app/ (no open redirect)."""
    if next_url and next_url.startswith("/app/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return default


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


def _roles(page: Page, *roles: Role) -> None:
    require(*roles)(page.principal)


# ------------------------------------------------------------------ sign-in, sign-out, purpose


@router.get("/signin")
def signin_form(request: Request, next: str = "/app/", error: str | None = None) -> HTMLResponse:
    store = session_store(request)
    nonce = secrets.token_urlsafe(24)
    resp = render(
        request,
        "signin.html",
        page=None,
        next=_local(next),
        token=store.token(nonce, "signin"),
        error=error,
        title="サインイン",
    )
    resp.set_cookie(
        PRE_COOKIE,
        store.sign(nonce),
        max_age=15 * 60,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/app/signin",
    )
    return resp


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await form_body(request)
    store = session_store(request)
    nonce = store.unsign(request.cookies.get(PRE_COOKIE))
    sent = (form.get("token") or [""])[0]
    if nonce is None or not secrets.compare_digest(sent, store.token(nonce, "signin")):
        raise ApiError.of(
            403,
            "サインインのフォームの有効期限が切れました。ページを開き直してください (CSRF)",
            "missing or invalid sign-in form token",
            "csrf",
        )
    key = (form.get("api_key") or [""])[0].strip()
    nxt = _local((form.get("next") or [""])[0])
    principal = request.app.state.container.system().keys.verify(key) if key else None
    if principal is None:
        return _see_other(f"/app/signin?next={quote(nxt, safe='/')}&error=1")
    cookie, _ = store.create(principal.key_id)
    request.app.state.container.system().audit.append(
        principal, action="web_signin", town=None, kind=None, record_ids=[], purpose=None
    )
    resp = _see_other(nxt)
    resp.set_cookie(
        COOKIE,
        cookie,
        max_age=IDLE_SECONDS * 20,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/app/",
    )
    resp.delete_cookie(PRE_COOKIE, path="/app/signin")
    return resp


@router.post("/signout")
async def signout(request: Request) -> Response:
    page = current_page(request)
    page.check_csrf(await form_body(request))
    page.store.delete(page.session)
    resp = _see_other("/app/signin")
    resp.delete_cookie(COOKIE, path="/app/")
    return resp


@router.post("/purpose")
async def set_purpose(request: Request) -> Response:
    page = current_page(request)
    form = await form_body(request)
    page.check_csrf(form)
    raw = (form.get("purpose") or [""])[0]
    purpose = parse_purpose(raw)
    if raw and (purpose is None or purpose not in allowed_purposes(page.principal.role)):
        raise ApiError.of(
            403,
            "この役割では選べない利用目的です (使える目的: "
            + "・".join(p.value for p in allowed_purposes(page.principal.role))
            + ")",
            "purpose not allowed for this role",
            "purpose",
        )
    page.store.set_purpose(page.session, purpose.value if purpose else None)
    return _see_other(_local((form.get("next") or [""])[0]))


@router.get("/")
def home(request: Request) -> HTMLResponse:
    page = current_page(request)
    return page.render("home.html", title="つながり")


@router.get("/towns/{town}/")
def town_home(request: Request, town: Town) -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    return page.render("town.html", title=f"{town}", town=ctx.town)


# ------------------------------------------------------------------ 参加支援: persons


def _person_record(row: NodeRow) -> Person:
    rec = node_from_props(NodeLabel.PERSON, row.props)
    assert isinstance(rec, Person)
    return rec


@router.get("/towns/{town}/persons")
def persons(request: Request, town: Town, q: str = "") -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    check_read(ctx, "persons", True)
    paging = Paging.of(request, default_per_page=50)
    q = q.strip()[:100]
    ids = restricted_ids(ctx, PERSONS)
    rows: list[NodeRow] = []
    need_query = False
    if ids is not None:
        rows = ctx.store.get_nodes(NodeLabel.PERSON, ids) if ids else []
    elif q:
        rows = ctx.store.find_nodes(NodeLabel.PERSON, {"id": q}) or [
            r for r in ctx.store.iter_nodes(NodeLabel.PERSON) if q in r.id
        ]
    else:
        need_query = True
    items = [redact(ctx, PERSONS, _person_record(r).model_dump(mode="json")) for r in rows]
    if q:
        items = [i for i in items if q in i["id"] or (i.get("name") and q in str(i["name"]))]
    items.sort(key=lambda i: i["id"])
    pager = paging.window(request, len(items), filters={"q": q})
    shown = pager.slice(items)
    ctx.audit("list", "persons", [i["id"] for i in shown])  # only the page shown, as GET /persons
    return page.render(
        "persons.html",
        title="参加支援: 本人を探す",
        town=ctx.town,
        q=q,
        items=shown,
        pager=pager,
        need_query=need_query,
    )


def _person_view(
    page: Page, ctx: TownCtx, person_id: str, *, form: FormState | None = None, status: int = 200
) -> HTMLResponse:
    """The person page: record (as the API returns it), matching with reasons, placements, consent, profile."""
    check_read(ctx, "persons", True)
    ids = restricted_ids(ctx, PERSONS)
    if ids is not None and person_id not in ids:
        if ctx.role is Role.COORDINATOR and ctx.principal.assigned(person_id):
            return _no_consent_page(page, ctx, person_id)
        raise ApiError.of(404, "本人が見つかりません", "no such Person", "id")
    row = ctx.store.get_node(NodeRef(NodeLabel.PERSON, person_id))
    if row is None:
        raise ApiError.of(404, f"本人「{person_id}」が見つかりません", f"no Person {person_id!r}", "id")
    rec = _person_record(row)
    item = redact(ctx, PERSONS, rec.model_dump(mode="json"))
    ctx.audit("read", "persons", [person_id])

    match: dict[str, Any] | None = None
    match_note: str | None = None
    placements: list[dict[str, Any]] = []
    grants: list[Any] = []
    may_match = ctx.role in (Role.ADMIN, Role.COORDINATOR)
    if may_match:
        if ctx.role is Role.COORDINATOR and ctx.purpose is not Purpose.PARTICIPATION:
            match_note = "マッチングと提案は利用目的「参加支援」で表示できます"
        else:
            purpose = matching_purpose(ctx)
            require_person_access(ctx, person_id, purpose)
            try:
                res = MatchingService(ctx.store).match(person_id, top=10, explain=10)
            except DomainValidationError as err:
                match_note = "; ".join(p.message_ja for p in err.problems)
            else:
                ctx.audit("match", "match_results", [person_id])
                match = _match_view(ctx, person_id, purpose, res.to_dict())
        found = PlacementService(ctx.store).find(person_id=person_id)
        if found:
            ctx.audit("list", "placements", [person_id])
        titles = _titles(ctx, [p.opportunity_id for p in found])
        placements = [
            {
                "opportunity_id": p.opportunity_id,
                "title": titles.get(p.opportunity_id, p.opportunity_id),
                "status": p.props.status,
                "updated_at": p.props.updated_at,
            }
            for p in sorted(found, key=lambda p: p.props.updated_at or "", reverse=True)
        ]
    if ctx.role in CONSENT_ROLES:  # as GET /persons/{id}/consents: the roles that record and withdraw consent
        check_person_in_scope(ctx, person_id)
        grants = _grant_rows(ctx.system.consents.grants(ctx.town, person_id))
        ctx.audit("read", "consents", [person_id])
    may_edit = _may_edit_profile(ctx, person_id)
    if form is None:
        form = forms.profile_to_form(rec.participation_profile if item.get("participation_profile") else None)
    return page.render(
        "person.html",
        http_status=status,
        title=f"本人 {person_id}",
        town=ctx.town,
        person=item,
        match=match,
        match_note=match_note,
        placements=placements,
        grants=grants,
        may_edit=may_edit,
        may_withdraw=ctx.role in CONSENT_ROLES,
        withdrawn=page.request.query_params.get("withdrawn") == "1",
        form=form,
        choices=forms.CHOICES,
        needs_choices=forms.needs_choices(),
        slot_rows=forms.SLOT_ROWS,
        saved=page.request.query_params.get("saved") == "1",
    )


def _grant_rows(grants: list[ConsentGrant]) -> list[dict[str, Any]]:
    """The grants as the person page lists them: current ones first, each with its state in Japanese."""
    today = datetime.now(UTC).date()  # the day the register's checks use
    rows: list[dict[str, Any]] = []
    for g in grants:
        if g.withdrawn_at is not None:
            state, state_en, current = f"撤回済み ({g.withdrawn_at[:10]})", "withdrawn", False
        elif g.active(today):
            state, state_en, current = "有効", "active", True
        elif date.fromisoformat(g.valid_from) > today:
            state, state_en, current = "開始前", "not yet valid", True  # withdrawable before it starts
        else:
            state, state_en, current = "期間終了", "expired", False
        rows.append({"g": g, "state": state, "state_en": state_en, "current": current})
    rows.sort(key=lambda r: not r["current"])  # stable: by recorded_at within each group
    return rows


def _titles(ctx: TownCtx, ids: list[str]) -> dict[str, str]:
    rows = ctx.store.get_nodes(NodeLabel.OPPORTUNITY, list(dict.fromkeys(ids))) if ids else []
    return {r.id: str(r.props.get("title", r.id)) for r in rows}


def _match_view(ctx: TownCtx, person_id: str, purpose: Purpose, res: dict[str, Any]) -> dict[str, Any]:
    """The match result with, per ranked item, whether the person's consent covers its host (a proposal
    needs that, exactly as ``POST /placements``) and the current placement status."""
    current = {
        p.opportunity_id: p.props.status for p in PlacementService(ctx.store).find(person_id=person_id)
    }
    for item in res["ranked"]:
        host = opportunity_host(ctx, item["opening_id"])
        item["host_id"] = host
        item["consented"] = ctx.system.consents.covers(ctx.town, person_id, purpose, host)
        st = current.get(item["opening_id"])
        item["status"] = st
        item["may_propose"] = item["consented"] and (
            st is None or PlacementStatus.PROPOSED in TRANSITIONS[st]
        )
    return res


def _may_edit_profile(ctx: TownCtx, person_id: str) -> bool:
    if ctx.role is Role.ADMIN:
        return True
    if ctx.role is Role.COORDINATOR and COORDINATOR_MAY_EDIT_PROFILE:
        if ctx.purpose is not Purpose.PARTICIPATION:
            return False
        try:
            require_person_access(ctx, person_id, Purpose.PARTICIPATION)
        except ApiError:
            return False
        return True
    return False


def _no_consent_page(page: Page, ctx: TownCtx, person_id: str) -> HTMLResponse:
    """An assigned person whose consent does not cover the purpose: 403, and a form to record consent
    (what ``POST /persons/{id}/consents`` allows the person's coordinator)."""
    ctx.audit("read", "persons", [person_id], status=403)
    return page.render(
        "no_consent.html",
        http_status=403,
        title="同意が必要です",
        town=ctx.town,
        person_id=person_id,
        purposes_all=list(Purpose),
        today=date.today(),
        errors={},
        withdrawn=page.request.query_params.get("withdrawn") == "1",
    )


@router.get("/towns/{town}/persons/{person_id}")
def person(request: Request, town: Town, person_id: Id) -> HTMLResponse:
    page = current_page(request)
    return _person_view(page, page.town(town), person_id)


@router.post("/towns/{town}/persons/{person_id}/profile")
async def save_profile(request: Request, town: Town, person_id: Id) -> Response:
    page = current_page(request)
    body = await form_body(request)
    page.check_csrf(body)
    ctx = page.town(town)
    if not _may_edit_profile(ctx, person_id):
        if ctx.role is Role.COORDINATOR:
            require_person_access(ctx, person_id, matching_purpose(ctx))
        can_write(ctx)
    row = ctx.store.get_node(NodeRef(NodeLabel.PERSON, person_id))
    if row is None:
        raise ApiError.of(404, f"本人「{person_id}」が見つかりません", f"no Person {person_id!r}", "id")
    rec = _person_record(row)
    form = FormState.from_body(body, forms.PROFILE_MULTI)
    profile = forms.profile_from_form(form, rec.participation_profile)
    if profile is None:
        return _person_view(page, ctx, person_id, form=form, status=422)
    data = rec.model_dump(mode="json", exclude_none=True)
    data["participation_profile"] = profile
    new = validate_node(NodeLabel.PERSON, data)
    check_write_owned(ctx, "persons", [person_id], {person_id})
    ctx.store.write(WriteBatch(nodes=[NodeRow(NodeLabel.PERSON, person_id, to_props(new))]))
    ctx.audit("upsert", "persons", [person_id])
    return _see_other(f"/app/towns/{town}/persons/{quote(person_id)}?saved=1#profile")


@router.post("/towns/{town}/persons/{person_id}/consents")
async def record_consent(request: Request, town: Town, person_id: Id) -> Response:
    page = current_page(request)
    body = await form_body(request)
    page.check_csrf(body)
    ctx = page.town(town)
    _roles(page, Role.ADMIN, Role.COORDINATOR)
    check_person_in_scope(ctx, person_id)
    chosen = [p for p in (parse_purpose(x) for x in body.get("purposes", [])) if p is not None]
    recipients = [r.strip() for r in (body.get("recipients") or ["*"])[0].replace("、", ",").split(",")]
    recipients = [r for r in recipients if r] or [ALL]
    errors: dict[str, str] = {}
    if not chosen:
        errors["purposes"] = "利用目的を1つ以上選んでください"
    try:
        vf = date.fromisoformat((body.get("valid_from") or [""])[0] or date.today().isoformat())
    except ValueError:
        errors["valid_from"] = "日付 (YYYY-MM-DD) で指定してください"
        vf = date.today()
    raw_until = (body.get("valid_until") or [""])[0]
    vu: date | None = None
    if raw_until:
        try:
            vu = date.fromisoformat(raw_until)
        except ValueError:
            errors["valid_until"] = "日付 (YYYY-MM-DD) で指定してください"
        else:
            if vu < vf:
                errors["valid_until"] = "終了日が開始日より前です"
    if errors:
        return page.render(
            "no_consent.html",
            http_status=422,
            title="同意の記録",
            town=ctx.town,
            person_id=person_id,
            purposes_all=list(Purpose),
            today=date.today(),
            errors=errors,
            withdrawn=False,
        )
    ctx.system.consents.grant(
        ctx.town,
        person_id,
        purposes=[p.value for p in chosen],
        recipients=recipients,
        valid_from=vf,
        valid_until=vu,
        recorded_by=ctx.who(),
        note=((body.get("note") or [""])[0].strip() or None),
    )
    ctx.audit("consent_grant", "consents", [person_id])
    return _see_other(f"/app/towns/{town}/persons/{quote(person_id)}")


@router.post("/towns/{town}/persons/{person_id}/consents/{grant_id}/withdraw")
async def withdraw_consent(request: Request, town: Town, person_id: Id, grant_id: str) -> Response:
    """同意の撤回: what ``DELETE /persons/{id}/consents/{grant_id}`` does (same roles, scope check, register
    call and audit action), after the staff member ticked the confirmation."""
    page = current_page(request)
    body = await form_body(request)
    page.check_csrf(body)
    ctx = page.town(town)
    _roles(page, *CONSENT_ROLES)
    check_person_in_scope(ctx, person_id)
    if (body.get("confirm") or [""])[0] != "1":
        raise ApiError.of(
            422,
            "撤回するには「本人から撤回の申し出を受けたことを確認しました」にチェックを入れてください。"
            "同意はまだ撤回されていません",
            "tick the confirmation to withdraw the consent; nothing was withdrawn",
            "confirm",
        )
    if len(grant_id) > 64 or not ctx.system.consents.withdraw(ctx.town, person_id, grant_id):
        raise ApiError.of(404, "その同意はありません (撤回済みを含む)", "no such active grant", "grant_id")
    ctx.audit("consent_withdraw", "consents", [person_id])
    return _see_other(f"/app/towns/{town}/persons/{quote(person_id)}?withdrawn=1#consents")


@router.post("/towns/{town}/persons/{person_id}/proposals")
async def propose(request: Request, town: Town, person_id: Id) -> Response:
    page = current_page(request)
    body = await form_body(request)
    page.check_csrf(body)
    ctx = page.town(town)
    _roles(page, Role.ADMIN, Role.COORDINATOR)
    opportunity_id = (body.get("opportunity_id") or [""])[0]
    note = (body.get("note") or [""])[0].strip() or None
    purpose = matching_purpose(ctx)
    host = opportunity_host(ctx, opportunity_id)
    require_person_access(ctx, person_id, purpose, recipient=host)
    PlacementService(ctx.store).propose(person_id, opportunity_id, by=ctx.who(), note=note)
    ctx.audit("propose", "placements", [person_id])
    return _see_other(f"/app/towns/{town}/placements/{quote(person_id)}/{quote(opportunity_id)}")


# ------------------------------------------------------------------ placements (follow-up)


@router.get("/towns/{town}/placements")
def placements(request: Request, town: Town, status: str = "") -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    _roles(page, Role.ADMIN, Role.COORDINATOR)
    purpose = matching_purpose(ctx)
    paging = Paging.of(request, default_per_page=50)
    st = PlacementStatus(status) if status in {s.value for s in PlacementStatus} else None
    found = PlacementService(ctx.store).find(status=st)
    allowed = coordinator_persons(ctx, purpose)
    if allowed is not None:
        found = [p for p in found if p.person_id in allowed]
    found.sort(key=lambda p: (p.person_id, p.opportunity_id))  # a stable order for paging …
    found.sort(key=lambda p: p.props.updated_at or "", reverse=True)  # … the latest first
    pager = paging.window(request, len(found), filters={"status": st.value if st else ""})
    shown = pager.slice(found)
    ctx.audit("list", "placements", sorted({p.person_id for p in shown}))  # the page shown, as the API
    titles = _titles(ctx, [p.opportunity_id for p in shown])
    return page.render(
        "placements.html",
        title="参加支援の経過",
        town=ctx.town,
        items=shown,
        pager=pager,
        titles=titles,
        statuses=list(PlacementStatus),
        status=st,
    )


def _placement_view(
    page: Page,
    ctx: TownCtx,
    person_id: str,
    opportunity_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    _roles(page, Role.ADMIN, Role.COORDINATOR)
    require_person_access(ctx, person_id, matching_purpose(ctx))
    p = PlacementService(ctx.store).get(person_id, opportunity_id)
    if p is None:
        raise ApiError.of(404, "その参加支援はありません", "no such placement", "opportunity_id")
    ctx.audit("read", "placements", [person_id])
    order = list(PlacementStatus)
    nxt = sorted(TRANSITIONS[p.props.status], key=order.index)
    return page.render(
        "placement.html",
        http_status=status,
        title="参加支援の経過",
        town=ctx.town,
        person_id=person_id,
        opportunity_id=opportunity_id,
        opp_title=_titles(ctx, [opportunity_id]).get(opportunity_id, opportunity_id),
        p=p.props,
        next_statuses=nxt,
        outcomes=list(PlacementOutcome),
        errors=errors or {},
        values=values or {},
    )


@router.get("/towns/{town}/placements/{person_id}/{opportunity_id}")
def placement(request: Request, town: Town, person_id: Id, opportunity_id: Id) -> HTMLResponse:
    page = current_page(request)
    return _placement_view(page, page.town(town), person_id, opportunity_id)


@router.post("/towns/{town}/placements/{person_id}/{opportunity_id}")
async def transition(request: Request, town: Town, person_id: Id, opportunity_id: Id) -> Response:
    page = current_page(request)
    body = await form_body(request)
    page.check_csrf(body)
    ctx = page.town(town)
    _roles(page, Role.ADMIN, Role.COORDINATOR)
    require_person_access(ctx, person_id, matching_purpose(ctx))
    values = {k: (v[-1] if v else "") for k, v in body.items() if k != "csrf"}
    errors: dict[str, str] = {}
    raw_status = values.get("status", "")
    svc = PlacementService(ctx.store)
    current = svc.get(person_id, opportunity_id)
    if current is None:
        raise ApiError.of(404, "その参加支援はありません", "no such placement", "opportunity_id")
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
        return _placement_view(page, ctx, person_id, opportunity_id, errors=errors, values=values, status=422)
    try:
        svc.transition(
            person_id,
            opportunity_id,
            new_status,
            by=ctx.who(),
            note=values.get("note", "").strip() or None,
            host_notes=values.get("host_notes", "").strip() or None,
            outcome=outcome,
            start=start,
        )
    except TsunagariError as err:  # a transition the lifecycle does not allow, or no capacity left
        return _placement_view(
            page,
            ctx,
            person_id,
            opportunity_id,
            errors={"status": "; ".join(p.message_ja for p in err.problems)},
            values=values,
            status=409,
        )
    ctx.audit("transition", "placements", [person_id])
    return _see_other(f"/app/towns/{town}/placements/{quote(person_id)}/{quote(opportunity_id)}?saved=1")


# ------------------------------------------------------------------ map


_MAP_ROLES = (Role.ADMIN, Role.MULTIAGENCY, Role.COORDINATOR, Role.COMMUNITY)


@router.get("/towns/{town}/map")
def map_page(request: Request, town: Town) -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    _roles(page, *_MAP_ROLES)
    return page.render("map.html", title="地域資源マップ", town=ctx.town)


@router.get("/towns/{town}/map/embed")
def map_embed(request: Request, town: Town) -> HTMLResponse:
    """The offline resource map (every asset inlined; households only in aggregate), as ``/maps/resources``."""
    from graphsvc.maps import build_map, render_map

    page = current_page(request)
    ctx = page.town(town)
    _roles(page, *_MAP_ROLES)
    html = render_map(build_map(ctx.store, offline=True))
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": MAP_CSP})


# ------------------------------------------------------------------ gap report


_GAP_ROLES = (Role.ADMIN, Role.MULTIAGENCY, Role.COORDINATOR, Role.COMMUNITY)


def _full_report(ctx: TownCtx) -> dict[str, Any]:
    """What ``GET /gaps`` gives admin and 支援会議 staff (purpose required; names withheld from multiagency)."""
    ctx.need_purpose(None if ctx.role is Role.ADMIN else (Purpose.SUPPORT_MEETING, Purpose.OUTREACH))
    rep = analyse_all(ctx.store.projection()).to_dict()
    if ctx.role is Role.MULTIAGENCY:
        rep = redact_names(rep)
    return rep


@router.get("/towns/{town}/gaps")
def gaps(request: Request, town: Town) -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    _roles(page, *_GAP_ROLES)
    if ctx.role in (Role.COMMUNITY, Role.COORDINATOR):
        agg = aggregate_report(analyse_all(ctx.store.projection()).to_dict())
        return page.render("gaps_aggregate.html", title="ギャップレポート (集計)", town=ctx.town, agg=agg)
    rep = _full_report(ctx)
    ctx.audit("gaps", "gap_report", [])
    return page.render(
        "gaps.html", title="ギャップレポート", town=ctx.town, r=rep, top=20, may_households=True
    )


@router.get("/towns/{town}/gaps/print")
def gaps_print(request: Request, town: Town) -> HTMLResponse:
    """The printable meeting report (``graphsvc.reports.render_report``): household ids, never names."""
    from graphsvc.maps import collect_map_data
    from graphsvc.reports.gap_report import render_report

    page = current_page(request)
    ctx = page.town(town)
    _roles(page, Role.ADMIN, Role.MULTIAGENCY)
    ctx.need_purpose(None if ctx.role is Role.ADMIN else (Purpose.SUPPORT_MEETING, Purpose.OUTREACH))
    G = ctx.store.projection()
    rep = analyse_all(G)
    html = render_report(rep, collect_map_data(G, rep, town=ctx.town))
    ctx.audit("gaps", "gap_report", [])
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": MAP_CSP})


@router.get("/towns/{town}/households/{household_id}")
def household(request: Request, town: Town, household_id: Id) -> HTMLResponse:
    """Why a household is listed: its flags, members, the agencies and supporters around it, its cases."""
    page = current_page(request)
    ctx = page.town(town)
    check_read(ctx, "households", True)
    ref = NodeRef(NodeLabel.HOUSEHOLD, household_id)
    row = ctx.store.get_node(ref)
    if row is None:
        raise ApiError.of(404, f"世帯「{household_id}」が見つかりません", "no such Household", "id")
    hh = redact(
        ctx, KINDS["households"], node_from_props(NodeLabel.HOUSEHOLD, row.props).model_dump(mode="json")
    )
    rels = ctx.store.relationships(ref)
    members, agencies, supporters, cases, ties = [], [], [], [], []
    for r in rels:
        other = r.src if r.dst == ref else r.dst
        if r.type is RelType.MEMBER_OF:
            members.append(other.id)
        elif r.type is RelType.SUPPORTED_BY:
            agencies.append((other.id, r.props))
        elif r.type is RelType.VISITS:
            supporters.append(other.id)
        elif r.type is RelType.ABOUT:
            cases.append(other.id)
        elif r.type is RelType.NEIGHBOUR_OF:
            ties.append(other.id)
    names = {
        a.id: str(a.props.get("name", a.id))
        for a in ctx.store.get_nodes(NodeLabel.AGENCY, [a for a, _ in agencies])
    }
    case_rows = []
    for c in ctx.store.get_nodes(NodeLabel.CASE, cases):
        case_rows.append(node_from_props(NodeLabel.CASE, c.props).model_dump(mode="json"))
    hh["flags"] = [HouseholdFlag(f).ja for f in hh.get("flags") or []]
    for cr in case_rows:
        cr["stage"] = CaseStage(cr["stage"]).ja
        cr["factors"] = [CaseFactor(f).ja for f in cr.get("factors") or []]
    agencies = [
        (a, {**p, "sector": Sector(str(p["sector"])).ja if p.get("sector") else ""}) for a, p in agencies
    ]
    ctx.audit("read", "households", [household_id])
    return page.render(
        "household.html",
        title=f"世帯 {household_id}",
        town=ctx.town,
        hh=hh,
        members=sorted(members),
        agencies=[(a, names.get(a, a), p) for a, p in agencies],
        supporters=sorted(supporters),
        cases=case_rows,
        ties=len(ties),
    )


@router.get("/towns/{town}/gaps/pairs/{agency_a}/{agency_b}")
def agency_pair(request: Request, town: Town, agency_a: Id, agency_b: Id) -> HTMLResponse:
    """Why two agencies are listed as a missing link: the households both support, and their tie level."""
    page = current_page(request)
    ctx = page.town(town)
    _roles(page, Role.ADMIN, Role.MULTIAGENCY)
    rep = _full_report(ctx)
    link = next(
        (
            x
            for x in rep["missing_links"]["links"]
            if {x["agency_a"]["agency_id"], x["agency_b"]["agency_id"]} == {agency_a, agency_b}
        ),
        None,
    )
    if link is None:
        raise ApiError.of(404, "この機関の組はギャップレポートにありません", "no such pair", "agency")
    ctx.audit("gaps", "gap_report", list(link.get("household_ids", [])))
    return page.render("pair.html", title="機関の組", town=ctx.town, link=link)


# ------------------------------------------------------------------ resources


_TYPES = {"opportunity": NodeLabel.OPPORTUNITY, "venue": NodeLabel.VENUE}


def _host_choices(ctx: TownCtx) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for label in (NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY):
        for r in ctx.store.iter_nodes(label):
            out.append((f"{label.value}:{r.id}", f"{label.ja}: {r.props.get('name', r.id)}"))
    return out


def _area_choices(ctx: TownCtx) -> list[tuple[str, str]]:
    return [(r.id, str(r.props.get("name", r.id))) for r in ctx.store.iter_nodes(NodeLabel.AREA)]


_RESOURCE_PAGES = ("opage", "vpage")  # the two lists of the resources page page on their own


@router.get("/towns/{town}/resources")
def resources(request: Request, town: Town) -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    opaging = Paging.of(request, page_param="opage", default_per_page=50)
    vpaging = Paging.of(request, page_param="vpage", default_per_page=50)
    # one page of each kind: the store counts and pages by id (as GET /opportunities, /venues)
    counts = ctx.store.counts().nodes
    opager = opaging.window(
        request,
        counts.get(NodeLabel.OPPORTUNITY.value, 0),
        page_params=_RESOURCE_PAGES,
        anchor="opportunities",
    )
    vpager = vpaging.window(
        request, counts.get(NodeLabel.VENUE.value, 0), page_params=_RESOURCE_PAGES, anchor="venues"
    )
    opps = [
        node_from_props(NodeLabel.OPPORTUNITY, r.props)
        for r in ctx.store.find_nodes(
            NodeLabel.OPPORTUNITY, None, limit=opager.per_page, offset=opager.offset
        )
    ]
    venues = [
        node_from_props(NodeLabel.VENUE, r.props)
        for r in ctx.store.find_nodes(NodeLabel.VENUE, None, limit=vpager.per_page, offset=vpager.offset)
    ]
    return page.render(
        "resources.html",
        title="資源の登録",
        town=ctx.town,
        opps=opps,
        venues=venues,
        opager=opager,
        vpager=vpager,
        may_write=ctx.role in (Role.ADMIN, Role.CASE_SYSTEM),
    )


def _resource_form(
    page: Page, ctx: TownCtx, rtype: str, form: FormState, *, new: bool, status: int = 200
) -> HTMLResponse:
    return page.render(
        "resource_form.html",
        http_status=status,
        title=("参加メニュー" if rtype == "opportunity" else "居場所") + ("の登録" if new else "の編集"),
        town=ctx.town,
        rtype=rtype,
        form=form,
        new=new,
        choices=forms.CHOICES,
        hosts=_host_choices(ctx),
        areas=_area_choices(ctx),
        slot_rows=forms.SLOT_ROWS,
    )


def _rtype(rtype: str) -> NodeLabel:
    if rtype not in _TYPES:
        raise ApiError.of(
            404, "資源の種類は opportunity か venue です", "type is opportunity or venue", "type"
        )
    return _TYPES[rtype]


@router.get("/towns/{town}/resources/new")
def resource_new(request: Request, town: Town, type: str = "opportunity") -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    _rtype(type)
    can_write(ctx)
    form = forms.opportunity_to_form({}) if type == "opportunity" else forms.venue_to_form({})
    return _resource_form(page, ctx, type, form, new=True)


@router.get("/towns/{town}/resources/{rtype}/{rid}/edit")
def resource_edit(request: Request, town: Town, rtype: str, rid: Id) -> HTMLResponse:
    page = current_page(request)
    ctx = page.town(town)
    label = _rtype(rtype)
    can_write(ctx)
    row = ctx.store.get_node(NodeRef(label, rid))
    if row is None:
        raise ApiError.of(404, f"{label.ja}「{rid}」が見つかりません", "not found", "id")
    d = node_from_props(label, row.props).model_dump(mode="json")
    form = forms.opportunity_to_form(d) if rtype == "opportunity" else forms.venue_to_form(d)
    return _resource_form(page, ctx, rtype, form, new=False)


async def _save_resource(request: Request, town: str, rtype: str, rid: str | None) -> Response:
    page = current_page(request)
    body = await form_body(request)
    page.check_csrf(body)
    ctx = page.town(town)
    label = _rtype(rtype)
    can_write(ctx)
    multi = forms.OPP_MULTI if rtype == "opportunity" else forms.VENUE_MULTI
    form = FormState.from_body(body, multi)
    if rid is not None:
        form.values["id"] = rid
    existing_row = ctx.store.get_node(NodeRef(label, form.v("id").strip())) if form.v("id").strip() else None
    if rid is None and existing_row is not None:
        form.add("id", "このIDは既に使われています。別のIDにするか、一覧から編集してください")
    if rid is not None and existing_row is None:
        raise ApiError.of(404, f"{label.ja}「{rid}」が見つかりません", "not found", "id")
    existing = existing_row.props if existing_row is not None else None
    data = (
        forms.opportunity_from_form(form, existing)
        if rtype == "opportunity"
        else forms.venue_from_form(form, existing)
    )
    if data is None or not form.ok:
        return _resource_form(page, ctx, rtype, form, new=rid is None, status=422)
    rec = validate_node(label, data)
    path = _kind_path(label)
    check_write_owned(ctx, path, [rec.id], {rec.id} if existing_row else set())
    ctx.store.write(WriteBatch(nodes=[NodeRow(label, rec.id, to_props(rec))]))
    if ctx.role is Role.CASE_SYSTEM:
        ctx.system.ownership.claim(ctx.town, path, [rec.id], ctx.principal.system_id or ctx.principal.key_id)
    ctx.audit("upsert", path, [rec.id])
    return _see_other(f"/app/towns/{town}/resources?saved={quote(rec.id)}")


@router.post("/towns/{town}/resources/new")
async def resource_create(request: Request, town: Town, type: str = "opportunity") -> Response:
    return await _save_resource(request, town, type, None)


@router.post("/towns/{town}/resources/{rtype}/{rid}/edit")
async def resource_update(request: Request, town: Town, rtype: str, rid: Id) -> Response:
    return await _save_resource(request, town, rtype, rid)


# ------------------------------------------------------------------ resources: delete


def _kind_path(label: NodeLabel) -> str:
    return "opportunities" if label is NodeLabel.OPPORTUNITY else "venues"


def _references(ctx: TownCtx, ref: NodeRef) -> list[dict[str, Any]]:
    """What still points at (or from) a resource, by relationship type: the count, and the ids of the other
    ends that are not personal records (a person or household is only counted, never named here)."""
    groups: dict[RelType, list[NodeRef]] = {}
    for r in ctx.store.relationships(ref):
        groups.setdefault(r.type, []).append(r.src if r.dst == ref else r.dst)
    return [
        {
            "type": t.value,
            "ja": t.ja,
            "count": len(others),
            "ids": sorted(o.id for o in others if o.label not in (NodeLabel.PERSON, NodeLabel.HOUSEHOLD)),
        }
        for t, others in sorted(groups.items(), key=lambda kv: kv[0].value)
    ]


def _delete_view(
    page: Page, ctx: TownCtx, rtype: str, label: NodeLabel, row: NodeRow, *, status: int = 200
) -> HTMLResponse:
    rec = node_from_props(label, row.props).model_dump(mode="json")
    kinds = dict(forms.CHOICES["opportunity_kind" if label is NodeLabel.OPPORTUNITY else "venue_kind"])
    return page.render(
        "resource_delete.html",
        http_status=status,
        title=f"{label.ja}の削除",
        town=ctx.town,
        rtype=rtype,
        label_ja=label.ja,
        rec=rec,
        name=str(rec.get("title") or rec.get("name") or row.id),
        kind_ja=kinds.get(str(rec.get("kind") or ""), ""),
        refs=_references(ctx, NodeRef(label, row.id)),
        refused=status == 409,
    )


def _deletable(ctx: TownCtx, label: NodeLabel, rid: str) -> NodeRow:
    """The checks of ``DELETE /{kind}/{id}``: a writer (admin, case system), the record exists, and a case
    system owns it."""
    can_write(ctx)
    row = ctx.store.get_node(NodeRef(label, rid))
    if row is None:
        raise ApiError.of(404, f"{label.ja}「{rid}」が見つかりません", f"no {label.value} {rid!r}", "id")
    check_write_owned(ctx, _kind_path(label), [rid], {rid})
    return row


@router.get("/towns/{town}/resources/{rtype}/{rid}/delete")
def resource_delete_confirm(request: Request, town: Town, rtype: str, rid: Id) -> HTMLResponse:
    """The confirmation step: what is deleted, and whether anything still refers to it (then it cannot be)."""
    page = current_page(request)
    ctx = page.town(town)
    label = _rtype(rtype)
    row = _deletable(ctx, label, rid)
    return _delete_view(page, ctx, rtype, label, row)


@router.post("/towns/{town}/resources/{rtype}/{rid}/delete")
async def resource_delete(request: Request, town: Town, rtype: str, rid: Id) -> Response:
    """``DELETE /{kind}/{id}`` without ``detach``: refused (409) while relationships remain, so no placement
    history or host link is ever removed from these pages; ownership released and audited as the API does."""
    page = current_page(request)
    body = await form_body(request)
    page.check_csrf(body)
    ctx = page.town(town)
    label = _rtype(rtype)
    row = _deletable(ctx, label, rid)
    path = _kind_path(label)
    try:
        ctx.store.delete_node(NodeRef(label, rid), detach=False)
    except NodeHasRelationshipsError:
        return _delete_view(page, ctx, rtype, label, row, status=409)
    ctx.system.ownership.release(ctx.town, path, [rid])
    ctx.audit("delete", path, [rid])
    return _see_other(f"/app/towns/{town}/resources?deleted={quote(rid)}")
