"""Errors as the API returns them: ``{"detail": [{"message_ja", "message_en", "field", ...}]}``, bilingual,
Japanese first; never a stack trace. The domain errors the use cases and the access policy raise map to HTTP
here: ``AccessDenied``/``ConsentRequired`` 403, ``NotFound`` 404, ``ConflictError`` 409, validation 422, a store
that cannot be reached 503. Also the request-size guard."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.domain.codec import split_bilingual, validation_message_ja
from graphsvc.domain.enums import RelType
from graphsvc.domain.errors import (
    Problem,
    StoreUnavailableError,
    TsunagariError,
)

__all__ = [
    "ApiError",
    "BodySizeLimit",
    "ProblemOut",
    "ProblemsOut",
    "allowed_methods",
    "install_error_handlers",
    "problem",
    "status_of",
]

log = logging.getLogger("tsunagari.api")
# the tags of discriminated unions (a tie's type), which pydantic puts in an error's location
_UNION_TAGS = frozenset(t.value for t in RelType)


class ProblemOut(BaseModel):
    message_ja: str = Field(examples=["必須項目です"])
    message_en: str = Field(examples=["Field required"])
    field: str | None = Field(default=None, examples=["body.name"])
    row: int | None = Field(default=None, description="一括登録の行番号 (1から)")
    value: str | None = None


class ProblemsOut(BaseModel):
    detail: list[ProblemOut]


def problem(message_ja: str, message_en: str, field: str | None = None, **kw: Any) -> Problem:
    return Problem(message_ja, message_en, field=field, **kw)


class ApiError(Exception):
    """An HTTP error with bilingual problems."""

    def __init__(self, status: int, problems: Sequence[Problem], headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.problems = list(problems)
        self.headers = headers

    def with_headers(self, headers: dict[str, str]) -> ApiError:
        self.headers = headers
        return self

    @classmethod
    def of(
        cls, status: int, message_ja: str, message_en: str, field: str | None = None, **kw: Any
    ) -> ApiError:
        return cls(status, [problem(message_ja, message_en, field, **kw)])


def _body(problems: Sequence[Problem]) -> dict[str, Any]:
    return {"detail": [p.as_dict() for p in problems]}


def _json(status: int, problems: Sequence[Problem], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=_body(problems), headers=headers)


_STATUS_TEXT = {
    400: ("リクエストが正しくありません", "bad request"),
    401: ("認証が必要です", "authentication required"),
    403: ("権限がありません", "forbidden"),
    404: ("見つかりません", "not found"),
    405: ("このメソッドは使えません", "method not allowed"),
    406: ("この形式では返せません", "not acceptable"),
    409: ("競合しています", "conflict"),
    413: ("リクエストが大きすぎます", "request too large"),
    415: ("この Content-Type は扱えません", "unsupported media type"),
    422: ("入力が正しくありません", "invalid input"),
    429: ("リクエストが多すぎます。しばらく待ってください", "too many requests; retry later"),
}


def _validation_problems(exc: RequestValidationError) -> list[Problem]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if str(p) not in _UNION_TAGS]
        typ = str(e.get("type", ""))
        ctx = dict(e.get("ctx") or {})
        if typ in ("union_tag_invalid", "union_tag_not_found") and ctx.get("discriminator"):
            # the tag itself is what is wrong (a tie's unknown or missing type): name that field, not the union
            loc.append(str(ctx["discriminator"]).strip("'"))
        if typ == "value_error":
            ja, en = split_bilingual(str(ctx.get("error", e.get("msg", ""))))
        else:
            ja = validation_message_ja(typ, ctx) or "入力が正しくありません"
            en = str(e.get("msg", ""))
        value = e.get("input")
        out.append(
            Problem(
                ja,
                en,
                field=".".join(loc) or None,
                value=None
                if value is None or isinstance(value, (dict, list))
                else _printable(str(value)[:80]),
            )
        )
    return out


def _printable(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (JSON allows ``"\\ud800"``; no character, so pydantic refuses
    it) is shown as its escape instead of failing the error response itself."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def status_of(exc: TsunagariError) -> int:
    """The HTTP status of a domain error (``TsunagariError.http_status``: 403, 404, 409, 422, 503)."""
    return exc.http_status


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, exc.problems, exc.headers)

    @app.exception_handler(StoreUnavailableError)
    async def _unavailable(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        log.warning("store unavailable on %s %s", request.method, request.url.path)
        town = request.path_params.get("town")
        container = getattr(request.app.state, "container", None)
        if town and container is not None:
            try:
                container.forget_store(str(town))  # reopen on the next request
            except Exception:  # pragma: no cover - best effort
                log.exception("could not reset the store")
        return _json(503, exc.problems, {"Retry-After": "5"})

    @app.exception_handler(TsunagariError)
    async def _domain(_: Request, exc: TsunagariError) -> JSONResponse:
        return _json(status_of(exc), exc.problems)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(422, _validation_problems(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return _method_not_allowed(request)
        ja, en = _STATUS_TEXT.get(exc.status_code, ("エラーです", "error"))
        detail = exc.detail
        if isinstance(detail, dict) and "message_ja" in detail:
            problems = [
                Problem(str(detail["message_ja"]), str(detail.get("message_en", en)), detail.get("field"))
            ]
        elif isinstance(detail, list):
            problems = [
                Problem(str(d.get("message_ja", ja)), str(d.get("message_en", en)), d.get("field"))
                for d in detail
            ]
        else:
            problems = [Problem(ja, en if not isinstance(detail, str) or exc.status_code >= 500 else detail)]
        return _json(exc.status_code, problems, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        # the type only: messages may carry personal data
        log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return _json(
            500,
            [Problem("サーバー内部でエラーが起きました。管理者に連絡してください", "internal server error")],
        )


def allowed_methods(app: ASGIApp, scope: Scope) -> list[str]:
    """Every method some route of the app answers at the request's path (not only the first route whose path
    matches, as Starlette's own 405 says), with HEAD beside GET and OPTIONS. Asked of the routes themselves (does
    one match this path with that method?), so routers included in routers are searched as routing does."""
    routes = getattr(getattr(app, "router", None), "routes", [])
    methods = {
        m
        for m in _METHODS
        if any(
            isinstance(r, BaseRoute) and r.matches({**scope, "method": m})[0] is Match.FULL for r in routes
        )
    }
    if "GET" in methods:
        methods.add("HEAD")
    if methods:
        methods.add("OPTIONS")
    return sorted(methods, key=_METHODS.index)


_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _method_not_allowed(request: Request) -> Response:
    """405 with an ``Allow`` header listing every method of the resource; OPTIONS answered with that list."""
    allow = ", ".join(allowed_methods(request.app, request.scope))
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    ja, en = _STATUS_TEXT[405]
    return _json(
        405,
        [
            Problem(
                f"{ja}: {request.method} (使えるのは {allow})",
                f"{en}: {request.method}; allowed: {allow}",
                "method",
            )
        ],
        {"Allow": allow},
    )


class BodySizeLimit:
    """Reject a request body larger than ``max_bytes`` with 413: by Content-Length first, then by counting the
    streamed body (chunked uploads)."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    too_big = int(v) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._reject(send)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            _body(
                [
                    Problem(
                        f"リクエストが大きすぎます ({self.max_bytes:,} バイトまで)",
                        f"request body larger than {self.max_bytes} bytes",
                        field="body",
                    )
                ]
            ),
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised from the counting ``receive``; FastAPI passes HTTP exceptions through body parsing."""

    def __init__(self, max_bytes: int):
        super().__init__(
            413,
            detail={
                "message_ja": f"リクエストが大きすぎます ({max_bytes:,} バイトまで)",
                "message_en": f"request body larger than {max_bytes} bytes",
                "field": "body",
            },
        )
