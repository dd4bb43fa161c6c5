"""資源の登録: the opportunities and venues of a town, the forms that create and edit them, and delete with a
confirmation (refused while relationships remain). Writes are the use cases of ``PUT`` / ``DELETE
/v1/towns/{town}/{opportunities|venues}/{id}``."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response

from graphsvc.access.kinds import KINDS, RecordKind
from graphsvc.access.policy import WRITERS
from graphsvc.domain.codec import node_from_props
from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.errors import NodeHasRelationshipsError, NotFound, Problem
from graphsvc.store.port import NodeRow
from graphsvc.web import forms
from graphsvc.web.core import TownPage, opening
from graphsvc.web.forms import FormState
from graphsvc.web.pages._common import Id, see_other, sub_router
from graphsvc.web.paging import Paging

router = sub_router()

_TYPES = {"opportunity": KINDS["opportunities"], "venue": KINDS["venues"]}
_RESOURCE_PAGES = ("opage", "vpage")  # the two lists of the resources page page on their own


def _kind(rtype: str) -> RecordKind:
    if rtype not in _TYPES:
        raise NotFound(
            [Problem("資源の種類は opportunity か venue です", "type is opportunity or venue", field="type")]
        )
    return _TYPES[rtype]


@router.get("/towns/{town}/resources")
def resources(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    request = p.page.request
    opaging = Paging.of(request, page_param="opage", default_per_page=50)
    vpaging = Paging.of(request, page_param="vpage", default_per_page=50)
    # one page of each kind, as GET /opportunities and /venues (the store counts and pages by id)
    olist = p.t.records.list(p.ctx, _TYPES["opportunity"])
    vlist = p.t.records.list(p.ctx, _TYPES["venue"])
    opager = opaging.window(request, olist.total, page_params=_RESOURCE_PAGES, anchor="opportunities")
    vpager = vpaging.window(request, vlist.total, page_params=_RESOURCE_PAGES, anchor="venues")
    opps = [
        _TYPES["opportunity"].record.model_validate(o) for o in olist.page(opager.offset, opager.per_page)
    ]
    venues = [_TYPES["venue"].record.model_validate(v) for v in vlist.page(vpager.offset, vpager.per_page)]
    return p.render(
        "resources.html",
        title="資源の登録",
        opps=opps,
        venues=venues,
        opager=opager,
        vpager=vpager,
        may_write=p.role in WRITERS,
    )


def _resource_form(p: TownPage, rtype: str, form: FormState, *, new: bool, status: int = 200) -> HTMLResponse:
    return p.render(
        "resource_form.html",
        http_status=status,
        title=("参加メニュー" if rtype == "opportunity" else "居場所") + ("の登録" if new else "の編集"),
        rtype=rtype,
        form=form,
        new=new,
        choices=forms.CHOICES,
        hosts=p.t.records.choices(NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY),
        areas=p.t.records.choices(NodeLabel.AREA),
        slot_rows=forms.SLOT_ROWS,
    )


@router.get("/towns/{town}/resources/new")
def resource_new(p: Annotated[TownPage, opening()], type: str = "opportunity") -> HTMLResponse:
    _kind(type)
    p.t.records.policy.check_write(p.ctx)
    form = forms.opportunity_to_form({}) if type == "opportunity" else forms.venue_to_form({})
    return _resource_form(p, type, form, new=True)


@router.get("/towns/{town}/resources/{rtype}/{rid}/edit")
def resource_edit(p: Annotated[TownPage, opening()], rtype: str, rid: Id) -> HTMLResponse:
    kind = _kind(rtype)
    p.t.records.policy.check_write(p.ctx)
    d = p.t.records.get(p.ctx, kind, rid)
    form = forms.opportunity_to_form(d) if rtype == "opportunity" else forms.venue_to_form(d)
    return _resource_form(p, rtype, form, new=False)


def _save(p: TownPage, rtype: str, rid: str | None) -> Response:
    kind = _kind(rtype)
    p.t.records.policy.check_write(p.ctx)
    multi = forms.OPP_MULTI if rtype == "opportunity" else forms.VENUE_MULTI
    form = FormState.from_body(p.form, multi)
    if rid is not None:
        form.values["id"] = rid
    wanted = form.v("id").strip()
    existing: dict[str, Any] | None = None
    if wanted:
        try:
            existing = p.t.records.get(p.ctx, kind, wanted)
        except NotFound:
            if rid is not None:
                raise
    if rid is None and existing is not None:
        form.add("id", "このIDは既に使われています。別のIDにするか、一覧から編集してください")
    data = (
        forms.opportunity_from_form(form, existing)
        if rtype == "opportunity"
        else forms.venue_from_form(form, existing)
    )
    if data is None or not form.ok:
        return _resource_form(p, rtype, form, new=rid is None, status=422)
    res = p.t.records.upsert(p.ctx, kind, str(data["id"]), data)  # the use case of PUT /{kind}/{id}
    return see_other(f"/app/towns/{p.town}/resources?saved={quote(res.id)}")


@router.post("/towns/{town}/resources/new")
def resource_create(p: Annotated[TownPage, opening(form=True)], type: str = "opportunity") -> Response:
    return _save(p, type, None)


@router.post("/towns/{town}/resources/{rtype}/{rid}/edit")
def resource_update(p: Annotated[TownPage, opening(form=True)], rtype: str, rid: Id) -> Response:
    return _save(p, rtype, rid)


# ------------------------------------------------------------------ delete


def _delete_view(
    p: TownPage, rtype: str, kind: RecordKind, row: NodeRow, *, status: int = 200
) -> HTMLResponse:
    rec = node_from_props(kind.label, row.props).model_dump(mode="json")
    kinds = dict(forms.CHOICES["opportunity_kind" if kind.label is NodeLabel.OPPORTUNITY else "venue_kind"])
    return p.render(
        "resource_delete.html",
        http_status=status,
        title=f"{kind.ja}の削除",
        rtype=rtype,
        label_ja=kind.ja,
        rec=rec,
        name=str(rec.get("title") or rec.get("name") or row.id),
        kind_ja=kinds.get(str(rec.get("kind") or ""), ""),
        refs=p.t.records.references(p.ctx, kind, row.id),
        refused=status == 409,
    )


@router.get("/towns/{town}/resources/{rtype}/{rid}/delete")
def resource_delete_confirm(p: Annotated[TownPage, opening()], rtype: str, rid: Id) -> HTMLResponse:
    """The confirmation step: what is deleted, and whether anything still refers to it (then it cannot be)."""
    kind = _kind(rtype)
    row = p.t.records.deletable(p.ctx, kind, rid)
    return _delete_view(p, rtype, kind, row)


@router.post("/towns/{town}/resources/{rtype}/{rid}/delete")
def resource_delete(p: Annotated[TownPage, opening(form=True)], rtype: str, rid: Id) -> Response:
    """``DELETE /{kind}/{id}`` without ``detach`` (the same use case): refused (409) while relationships remain,
    so no placement history or host link is ever removed from these pages."""
    kind = _kind(rtype)
    row = p.t.records.deletable(p.ctx, kind, rid)
    try:
        p.t.records.delete(p.ctx, kind, rid, detach=False)
    except NodeHasRelationshipsError:
        return _delete_view(p, rtype, kind, row, status=409)
    return see_other(f"/app/towns/{p.town}/resources?deleted={quote(rid)}")
