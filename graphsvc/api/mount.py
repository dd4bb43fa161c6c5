"""The v1 API on an application: its routers and its error handlers (JSON problems). :mod:`graphsvc.app`
builds the application and mounts this beside the staff pages."""

from __future__ import annotations

from fastapi import FastAPI

from graphsvc.api.errors import install_error_handlers
from graphsvc.api.routes import admin, consent, development, gaps, hsds, matching, meta, resources, ties

__all__ = ["DESCRIPTION", "TAGS", "install"]

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
    {"name": "資源開発 (development)", "description": "unmet need, work slicing (プチ勤務化), catalogue"},
    {"name": "HSDS 3.0", "description": "Open Referral HSDS read endpoints"},
    {"name": "監査ログ (audit)", "description": "append-only audit log (admin)"},
    {"name": "APIキー (keys)", "description": "key management (admin)"},
]


def install(app: FastAPI) -> None:
    """Add the API's error handlers and routers (``/healthz``, ``/v1/...``)."""
    install_error_handlers(app)
    for r in (meta, resources, ties, consent, matching, gaps, development, hsds, admin):
        app.include_router(r.router)
