"""What every page shares: the session and the signed-in principal, the town context (built by the API's own
``get_town``), the purpose, CSRF checks, form bodies, rendering, and errors shown as pages.

Pages raise the same :class:`~graphsvc.api.errors.ApiError` the API raises (from the same policy functions);
:class:`WebRoute` turns them into an HTML page with the same status code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from graphsvc.api.consent import Purpose, parse_purpose
from graphsvc.api.deps import TownCtx, get_town
from graphsvc.api.errors import ApiError, TokenBuckets
from graphsvc.api.policy import PERSONAL_READ_PURPOSES
from graphsvc.api.security import Principal, Role
from graphsvc.bootstrap import Container
from graphsvc.domain.errors import (
    ConflictError,
    DomainValidationError,
    NotFoundError,
    Problem,
    StoreUnavailableError,
    TsunagariError,
)
from graphsvc.web.session import COOKIE, SessionStore, WebSession

__all__ = [
    "CSP",
    "Page",
    "SignInRequired",
    "WebRoute",
    "allowed_purposes",
    "form_body",
    "render",
    "session_store",
]

log = logging.getLogger("tsunagari.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# the embedded offline map is one folium document with inline scripts and styles, and nothing from outside
MAP_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",  # no-referrer would make Chromium send `Origin: null` on our own POSTs
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
}
MAX_FORM_BYTES = 256 * 1024


class SignInRequired(Exception):
    """No live session: send the browser to the sign-in page."""


def session_store(request: Request) -> SessionStore:
    """The app's session store (created on first use next to the system database)."""
    st: SessionStore | None = getattr(request.app.state, "web_sessions", None)
    if st is None:
        container: Container = request.app.state.container
        raw = container.settings.api_key_secret.get_secret_value()
        # derived from the server secret, so every worker signs alike; random per process without one
        secret = (
            hmac.new(raw.encode(), b"tsunagari-web-session", hashlib.sha256).digest()
            if raw
            else secrets.token_bytes(32)
        )
        st = SessionStore(container.settings.system_db_path(), secret)
        request.app.state.web_sessions = st
    return st


def allowed_purposes(role: Role) -> list[Purpose]:
    """The purposes a role may read personal data for (none for community: it never reads any)."""
    if role not in PERSONAL_READ_PURPOSES:
        return []
    got = PERSONAL_READ_PURPOSES[role]
    return list(Purpose) if got is None else list(got)


@dataclass
class Page:
    """The signed-in request: session, principal, purpose; builds town contexts and renders templates."""

    request: Request
    session: WebSession
    principal: Principal
    store: SessionStore
    flash: list[str] = field(default_factory=list)

    @property
    def container(self) -> Container:
        return self.request.app.state.container

    @property
    def purpose(self) -> Purpose | None:
        return parse_purpose(self.session.purpose)

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def town(self, town: str) -> TownCtx:
        """The API's town context for this principal and the session's purpose (same checks: scope, 404)."""
        c = self.container
        return get_town(town, self.principal, self.purpose, c, c.system())

    def check_csrf(self, form: Mapping[str, list[str]]) -> None:
        sent = (form.get("csrf") or [""])[0]
        if not sent or not hmac.compare_digest(sent, self.session.csrf):
            raise ApiError.of(
                403,
                "フォームの有効期限が切れたか、不正な送信です。ページを開き直してください (CSRF)",
                "missing or invalid CSRF token",
                "csrf",
            )

    def render(self, template: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
        return render(self.request, template, http_status=http_status, page=self, **ctx)


def _client_ok(request: Request) -> None:
    """A cross-site POST is refused even before the token is read (Origin, when the browser sends one)."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            raise ApiError.of(403, "別のサイトからの送信は受け付けません", "cross-origin form post", "origin")
    elif origin == "null":
        raise ApiError.of(403, "別のサイトからの送信は受け付けません", "opaque-origin form post", "origin")


async def form_body(request: Request) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body (every value kept as typed)."""
    _client_ok(request)
    ctype = request.headers.get("content-type", "")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ApiError.of(413, "送信内容が大きすぎます", "form too large", "body")
    if body and "application/x-www-form-urlencoded" not in ctype:
        raise ApiError.of(415, "フォームの形式が正しくありません", "expected a urlencoded form", "body")
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=2000)


def current_page(request: Request) -> Page:
    """The signed-in page context, or :class:`SignInRequired`."""
    store = session_store(request)
    s = store.get(request.cookies.get(COOKIE))
    if s is None:
        raise SignInRequired()
    info = request.app.state.container.system().keys.get(s.key_id)
    if info is None or info.revoked_at is not None:
        store.delete(s)
        raise SignInRequired()
    principal = info.principal()
    buckets: TokenBuckets = request.app.state.buckets
    wait = buckets.take(principal.key_id)
    if wait > 0:
        raise ApiError.of(
            429,
            "リクエストが多すぎます。しばらく待ってから再試行してください",
            "rate limited; retry later",
            "authorization",
        ).with_headers({"Retry-After": str(max(1, round(wait + 0.5)))})
    request.state.principal = principal
    return Page(request, s, principal, store)


# ------------------------------------------------------------------ rendering


@cache
def _env() -> jinja2.Environment:
    root = resources.files("graphsvc.web") / "templates"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda s: quote(str(s), safe="")
    env.filters["pct"] = lambda v: f"{float(v) * 100:.0f}%"
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else f"{float(v):,.2f}"
    return env


def render(request: Request, template: str, *, http_status: int = 200, **ctx: Any) -> HTMLResponse:
    page = ctx.pop("page", None)
    html = (
        _env()
        .get_template(template)
        .render(
            page=page,
            principal=page.principal if page else None,
            purposes=allowed_purposes(page.principal.role) if page else [],
            current_purpose=page.purpose if page else None,
            csrf=page.csrf if page else "",
            path=request.url.path,
            towns=_towns_of(page) if page else [],
            Role=Role,
            **ctx,
        )
    )
    return HTMLResponse(
        html, status_code=http_status, headers={**SECURITY_HEADERS, "Content-Security-Policy": CSP}
    )


def _towns_of(page: Page) -> list[str]:
    try:
        known = page.container.towns()
    except TsunagariError:  # pragma: no cover - store down
        known = []
    return [t for t in known if page.principal.can_town(t)]


_STATUS_JA = {
    401: "サインインが必要です",
    403: "この操作・表示の権限がありません",
    404: "見つかりません",
    409: "競合しています",
    413: "送信内容が大きすぎます",
    415: "形式が正しくありません",
    422: "入力が正しくありません",
    429: "リクエストが多すぎます",
    503: "データベースに接続できません",
}


def error_page(request: Request, status: int, problems: Sequence[Problem]) -> HTMLResponse:
    page: Page | None = None
    try:
        page = current_page(request) if status != 429 else None
    except (SignInRequired, ApiError):
        page = None
    resp = render(
        request,
        "error.html",
        http_status=status,
        page=page,
        title=_STATUS_JA.get(status, "エラー"),
        code=status,
        problems=list(problems),
    )
    return resp


class WebRoute(APIRoute):
    """Routes of the pages: errors become HTML pages (same status as the API), no session → sign-in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                nxt = request.url.path if request.method == "GET" else "/app/"
                return RedirectResponse(f"/app/signin?next={quote(nxt, safe='/')}", status_code=303)
            except ApiError as err:
                resp = error_page(request, err.status, err.problems)
                if err.headers:
                    resp.headers.update(err.headers)
                return resp
            except NotFoundError as err:
                return error_page(request, 404, err.problems)
            except ConflictError as err:
                return error_page(request, 409, err.problems)
            except DomainValidationError as err:
                return error_page(request, 422, err.problems)
            except StoreUnavailableError as err:
                log.warning("store unavailable on %s %s", request.method, request.url.path)
                return error_page(request, 503, err.problems)

        return run
