"""The API's health and aggregate endpoints on the embedded store."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from graphsvc.app import create_app
from graphsvc.bootstrap import build
from graphsvc.domain import NodeLabel


def test_health_and_counts(tmp_path: Path) -> None:
    container = build(data_dir=tmp_path)
    container.store("demo").upsert_nodes(NodeLabel.HOUSEHOLD, [{"id": "H1"}, {"id": "H2"}])
    with TestClient(create_app(container)) as client:
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "store": "embedded", "towns": ["demo"]}
        assert client.get("/v1/towns/demo/counts").status_code == 401  # counts need a key now
        key, _ = container.system().keys.create(name="地域づくり", role="community")
        auth = {"Authorization": f"Bearer {key}"}
        counts = client.get("/v1/towns/demo/counts", headers=auth).json()
        assert counts["nodes"] == {"Household": 2}
        missing = client.get("/v1/towns/nowhere/counts", headers=auth)
        assert missing.status_code == 404 and "nowhere" in missing.text


def test_closed_store_gives_503_with_retry_after(tmp_path: Path) -> None:
    container = build(data_dir=tmp_path)
    store = container.store("demo")
    store.upsert_nodes(NodeLabel.HOUSEHOLD, [{"id": "H1"}])
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        store.close()
        res = client.get("/healthz")
        assert res.status_code == 503 and res.headers["Retry-After"] == "5"
        assert "閉じられています" in res.text and "Traceback" not in res.text
