"""名寄せの確認 (the review queue): the pairs the linkage could not decide, the two caselist rows side by side
with the comparison levels the model used, and accept / reject / not sure / undo. Admin and coordinator only
(:data:`graphsvc.access.policy.LINKAGE_ROLES`); every view and decision goes through
:class:`graphsvc.services.linkage.Linkage`, which checks the role and writes the audit entry."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Query
from fastapi.responses import HTMLResponse, RedirectResponse

from graphsvc.access.policy import LINKAGE_ROLES
from graphsvc.services.linkage import DECISIONS_JA, REASONS_JA
from graphsvc.web.core import TownPage, opening
from graphsvc.web.pages._common import see_other, sub_router

router = sub_router()
RecordId = Annotated[str, Query(min_length=3, max_length=300)]


@router.get("/towns/{town}/linkage")
def queue(p: Annotated[TownPage, opening(*LINKAGE_ROLES)]) -> HTMLResponse:
    items = p.t.linkage.queue(p.ctx)
    runs = p.t.linkage.runs(p.ctx)
    decided = p.t.linkage.decided(p.ctx)
    return p.render(
        "linkage.html",
        title="名寄せの確認",
        items=items,
        run=runs[0] if runs else None,
        decided=decided[:50],
        reasons=REASONS_JA,
        decisions_ja=DECISIONS_JA,
    )


@router.get("/towns/{town}/linkage/pair")
def pair(p: Annotated[TownPage, opening(*LINKAGE_ROLES)], a: RecordId, b: RecordId) -> HTMLResponse:
    v = p.t.linkage.pair(p.ctx, a, b)
    labels = {"name": "氏名・読み", "birth": "生年月日", "sex": "性別", "contact": "住所・電話"}
    return p.render(
        "linkage_pair.html",
        title="名寄せの確認: 2件の比較",
        v=v,
        labels=labels,
        reasons=REASONS_JA,
        decisions_ja=DECISIONS_JA,
    )


@router.post("/towns/{town}/linkage/pair")
def decide(p: Annotated[TownPage, opening(*LINKAGE_ROLES, form=True)]) -> RedirectResponse:
    f = {k: (v[-1] if v else "") for k, v in p.form.items()}
    a, b = f.get("a", ""), f.get("b", "")
    p.t.linkage.decide(p.ctx, a, b, f.get("decision", ""), f.get("note") or None)
    return see_other(f"/app/towns/{p.town}/linkage/pair?a={quote(a)}&b={quote(b)}&saved=1")
