"""The v1 API on an application: its routers and its error handlers (JSON problems). :mod:`graphsvc.app`
builds the application and mounts this beside the staff pages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from graphsvc.api.contract import add_components
from graphsvc.api.errors import install_error_handlers
from graphsvc.api.routes import (
    admin,
    consent,
    development,
    gaps,
    hsds,
    linkage,
    matching,
    meta,
    resources,
    ties,
)

__all__ = ["DESCRIPTION", "TAGS", "install"]

DESCRIPTION = """\
つながり: 重層的支援体制整備事業のためのグラフ API (graph API for multi-layered community support).

- 認証: `Authorization: Bearer <APIキー>` (OAuth2 bearer token semantics; keys from `tsunagari keys create`).
- 役割 (roles): `coordinator`, `multiagency`, `community`, `case_system`, `admin`.
- 個人情報を読むときは利用目的 `X-Purpose` (参加支援 / 支援会議 / アウトリーチ / 事務, or participation /
  support_meeting / outreach / administration) が必要で、すべて監査ログに残ります。
- エラーは `{"detail": [{"message_ja", "message_en", "field", "row", "value"}]}` (application/json)。各操作が返しうる
  状態コードはすべて記載しています (401 キー, 403 権限・同意, 404, 409 競合, 413 大きすぎる本文, 415 Content-Type,
  422 入力, 429 回数制限 (Retry-After), 503 ストア)。未定義のメソッドは 405 と `Allow`、OPTIONS は 204 と `Allow`。
- 本文は JSON の型どおりに読みます: 整数に `"1990"`、真偽値に `"yes"`、日付に数値は使えません (422、項目名付き)。
  列挙型はコード値のみ。一括登録は JSON 配列か NDJSON (`application/x-ndjson`、1行1件) で、全行を検証してから書きます。
  (bodies are read as their JSON types, with no coercion; enums by code; bulk: a JSON array or NDJSON, validated
  whole before anything is written)
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
    {
        "name": "名寄せ (linkage)",
        "description": "caselists, linkage runs with their legal basis, the review queue",
    },
    {"name": "監査ログ (audit)", "description": "append-only audit log (admin)"},
    {"name": "APIキー (keys)", "description": "key management (admin)"},
]


def install(app: FastAPI) -> None:
    """Add the API's error handlers and routers (``/healthz``, ``/v1/...``), and the schemas the routers refer to
    without FastAPI's knowledge (problems, bulk rows) to its OpenAPI document."""
    install_error_handlers(app)
    for r in (meta, resources, ties, consent, matching, gaps, development, hsds, linkage, admin):
        app.include_router(r.router)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_components(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
