"""The FastAPI application: ``create_app(container)`` wires the routers, the error handlers, the body-size and
CORS middleware and the per-key rate limit. Handlers are thin: they check the caller (deps, policy), call a
service or the store, and write the audit log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from graphsvc import __version__
from graphsvc.api.errors import BodySizeLimit, TokenBuckets, install_error_handlers
from graphsvc.api.routes import admin, consent, gaps, hsds, matching, meta, resources, ties
from graphsvc.bootstrap import Container, build
from graphsvc.settings import Settings
from graphsvc.web import install as install_web

__all__ = ["app", "create_app"]

DESCRIPTION = """\
つながり: 重層的支援体制整備事業のためのグラフ API (graph API for multi-layered community support).

- 認証: `Authorization: Bearer <APIキー>` (OAuth2 bearer token semantics; keys from `tsunagari keys create`).
- 役割 (roles): `coordinator`, `multiagency`, `community`, `case_system`, `admin`.
- 個人情報を読むときは利用目的 `X-Purpose` (参加支援 / 支援会議 / アウトリーチ / 事務, or participation /
  support_meeting / outreach / administration) が必要で、すべて監査ログに残ります。
- エラーは `{"detail": [{"message_ja", "message_en", "field", ...}]}`。
"""

TAGS = [
    {"name": "稼働・集計 (meta)", "description": "health and aggregate counts"},
    {"name": "本人 (persons)", "description": "personal data: purpose required, audited"},
    {"name": "マッチング (matching)", "description": "ranked placements with reasons; assignment"},
    {"name": "参加支援の経過 (placements)", "description": "propose → contacted → accepted → started → …"},
    {"name": "本人同意 (consent)", "description": "consent grants by purpose, recipient and dates"},
    {"name": "分析 (gaps)", "description": "the gap report"},
    {"name": "HSDS 3.0", "description": "Open Referral HSDS read endpoints"},
    {"name": "監査ログ (audit)", "description": "append-only audit log (admin)"},
    {"name": "APIキー (keys)", "description": "key management (admin)"},
]


def create_app(container: Container | None = None, settings: Settings | None = None) -> FastAPI:
    s = settings or (container.settings if container is not None else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.container = container or build(s)
        try:
            yield
        finally:
            app.state.container.close()

    app = FastAPI(
        title="tsunagari",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.buckets = TokenBuckets(s.api_rate_per_second, s.api_rate_burst)
    if container is not None:
        app.state.container = container
    install_error_handlers(app)
    for r in (meta, resources, ties, consent, matching, gaps, hsds, admin):
        app.include_router(r.router)
    install_web(app)  # staff pages under /app/ (graphsvc.web)
    if s.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=s.api_cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Purpose"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=s.api_max_body_bytes)
    logging.getLogger("tsunagari.api").setLevel(logging.INFO)
    return app


app = create_app()
