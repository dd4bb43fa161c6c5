"""What every page shares: the session and the signed-in principal, the town (opened by
:func:`graphsvc.services.town.open_town`, as the API opens it), the purpose, CSRF checks, form bodies,
rendering, and errors shown as pages; and the one dependency that opens a page (:func:`opening`).

The use cases raise domain errors (``AccessDenied``, ``ConsentRequired``, ``NotFound``, ``ConflictError``,
validation); what only a page can get wrong (CSRF, form size and type, rate limit) is a :class:`PageError`.
:class:`WebRoute` turns both into an HTML page with the status the API would answer (the error's
``http_status``).
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
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import Depends, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import allowed_purposes, require_role
from graphsvc.access.principals import Principal, Role
from graphsvc.access.ratelimit import TokenBuckets
from graphsvc.bootstrap import Container
from graphsvc.domain.consent import Purpose, parse_purpose
from graphsvc.domain.errors import Problem, StoreUnavailableError, TsunagariError
from graphsvc.domain.ids import TOWN_PATTERN
from graphsvc.services.town import Town, open_town
from graphsvc.web.session import COOKIE, SessionStore, WebSession

__all__ = [
    "CSP",
    "Page",
    "PageError",
    "SignInRequired",
    "TownPage",
    "WebRoute",
    "allowed_purposes",
    "form_body",
    "opening",
    "render",
    "session_store",
    "signed_in",
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


class PageError(Exception):
    """What only a page can get wrong (CSRF, a cross-site post, form size and type, the rate limit): shown as an
    error page with this status."""

    def __init__(self, status: int, problems: Sequence[Problem], headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.problems = list(problems)
        self.headers = headers

    @classmethod
    def of(
        cls, status: int, message_ja: str, message_en: str, field: str | None = None, **kw: Any
    ) -> PageError:
        return cls(status, [Problem(message_ja, message_en, field=field, **kw)])

    def with_headers(self, headers: dict[str, str]) -> PageError:
        self.headers = headers
        return self


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

    def town(self, town: str) -> Town:
        """The town for this principal and the session's purpose (the API's checks: scope 403, unknown 404)."""
        return open_town(self.container, self.principal, self.purpose, town)

    def check_csrf(self, form: Mapping[str, list[str]]) -> None:
        sent = (form.get("csrf") or [""])[0]
        if not sent or not hmac.compare_digest(sent, self.session.csrf):
            raise PageError.of(
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
            raise PageError.of(
                403, "別のサイトからの送信は受け付けません", "cross-origin form post", "origin"
            )
    elif origin == "null":
        raise PageError.of(403, "別のサイトからの送信は受け付けません", "opaque-origin form post", "origin")


async def form_body(request: Request) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body (every value kept as typed)."""
    _client_ok(request)
    ctype = request.headers.get("content-type", "")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PageError.of(413, "送信内容が大きすぎます", "form too large", "body")
    if body and "application/x-www-form-urlencoded" not in ctype:
        raise PageError.of(415, "フォームの形式が正しくありません", "expected a urlencoded form", "body")
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
        raise PageError.of(
            429,
            "リクエストが多すぎます。しばらく待ってから再試行してください",
            "rate limited; retry later",
            "authorization",
        ).with_headers({"Retry-After": str(max(1, round(wait + 0.5)))})
    request.state.principal = principal
    return Page(request, s, principal, store)


# ------------------------------------------------------------------ opening a page


@dataclass
class TownPage:
    """An opened town page: the signed-in :class:`Page`, the :class:`Town` (access context, store, use cases)
    and, for a POST, the form (its CSRF token already checked)."""

    page: Page
    t: Town
    form: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ctx(self) -> AccessContext:
        return self.t.ctx

    @property
    def town(self) -> str:
        return self.t.ctx.town

    @property
    def role(self) -> Role:
        return self.t.ctx.role

    def render(self, template: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
        return self.page.render(template, http_status=http_status, town=self.town, **ctx)


def opening(*roles: Role, form: bool = False) -> Any:
    """The one dependency that opens a town page: the session (else sign-in), for a POST the form and its CSRF
    token, the town (scope 403, unknown 404) and, when given, the roles allowed (403), in that order.

    ``p: Annotated[TownPage, opening(Role.ADMIN, form=True)]``
    """

    async def dep(request: Request, town: Annotated[str, Path(pattern=TOWN_PATTERN)]) -> TownPage:
        page = current_page(request)
        body: dict[str, list[str]] = {}
        if form:
            body = await form_body(request)
            page.check_csrf(body)
        t = page.town(town)
        if roles:
            require_role(page.principal, *roles)
        return TownPage(page, t, body)

    return Depends(dep)


@dataclass
class SignedIn:
    """A page outside a town (home, purpose, sign-out): the signed-in :class:`Page` and its checked form."""

    page: Page
    form: dict[str, list[str]] = field(default_factory=dict)


def signed_in(*, form: bool = False) -> Any:
    """The dependency that opens a page outside a town: the session and, for a POST, the CSRF-checked form."""

    async def dep(request: Request) -> SignedIn:
        page = current_page(request)
        body: dict[str, list[str]] = {}
        if form:
            body = await form_body(request)
            page.check_csrf(body)
        return SignedIn(page, body)

    return Depends(dep)


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
    except (SignInRequired, PageError, TsunagariError):
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
            except PageError as err:
                resp = error_page(request, err.status, err.problems)
                if err.headers:
                    resp.headers.update(err.headers)
                return resp
            except (
                TsunagariError
            ) as err:  # AccessDenied, ConsentRequired, NotFound, ConflictError, validation…
                if isinstance(err, StoreUnavailableError):
                    log.warning("store unavailable on %s %s", request.method, request.url.path)
                return error_page(request, err.http_status, err.problems)

        return run
