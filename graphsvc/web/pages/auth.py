"""Sign-in (with an API key; a server-side session), sign-out, the purpose (利用目的) of the session, the home
page and a town's home page."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from graphsvc.access.policy import allowed_purposes
from graphsvc.domain.consent import parse_purpose
from graphsvc.domain.errors import AccessDenied, Problem
from graphsvc.services.auth import sign_in
from graphsvc.web.core import (
    PageError,
    SignedIn,
    TownPage,
    form_body,
    opening,
    render,
    session_store,
    signed_in,
)
from graphsvc.web.pages._common import local, see_other, sub_router
from graphsvc.web.session import COOKIE, IDLE_SECONDS, PRE_COOKIE

router = sub_router()


@router.get("/signin")
def signin_form(request: Request, next: str = "/app/", error: str | None = None) -> HTMLResponse:
    store = session_store(request)
    nonce = secrets.token_urlsafe(24)
    resp = render(
        request,
        "signin.html",
        page=None,
        next=local(next),
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
        raise PageError.of(
            403,
            "サインインのフォームの有効期限が切れました。ページを開き直してください (CSRF)",
            "missing or invalid sign-in form token",
            "csrf",
        )
    key = (form.get("api_key") or [""])[0].strip()
    nxt = local((form.get("next") or [""])[0])
    principal = sign_in(request.app.state.container.system(), key)
    if principal is None:
        return see_other(f"/app/signin?next={quote(nxt, safe='/')}&error=1")
    cookie, _ = store.create(principal.key_id)
    resp = see_other(nxt)
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
def signout(s: Annotated[SignedIn, signed_in(form=True)]) -> Response:
    s.page.store.delete(s.page.session)
    resp = see_other("/app/signin")
    resp.delete_cookie(COOKIE, path="/app/")
    return resp


@router.post("/purpose")
def set_purpose(s: Annotated[SignedIn, signed_in(form=True)]) -> Response:
    raw = (s.form.get("purpose") or [""])[0]
    purpose = parse_purpose(raw)
    allowed = allowed_purposes(s.page.principal.role)
    if raw and (purpose is None or purpose not in allowed):
        raise AccessDenied(
            [
                Problem(
                    "この役割では選べない利用目的です (使える目的: "
                    + "・".join(p.value for p in allowed)
                    + ")",
                    "purpose not allowed for this role",
                    field="purpose",
                )
            ]
        )
    s.page.store.set_purpose(s.page.session, purpose.value if purpose else None)
    return see_other(local((s.form.get("next") or [""])[0]))


@router.get("/")
def home(s: Annotated[SignedIn, signed_in()]) -> HTMLResponse:
    return s.page.render("home.html", title="つながり")


@router.get("/towns/{town}/")
def town_home(p: Annotated[TownPage, opening()]) -> HTMLResponse:
    return p.render("town.html", title=f"{p.town}")
