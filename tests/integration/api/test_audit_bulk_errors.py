"""Audit entries for personal reads (and an audit table that refuses changes), atomic idempotent bulk upserts,
and the error contract: bilingual problems, 401/403/404/409/413/422/429/500/503, CORS closed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter

from tests.integration.api.conftest import TOWN, Api, make_api

T = f"/v1/towns/{TOWN}"


@pytest.mark.parametrize(
    ("role", "purpose", "path", "kind", "ids"),
    [
        ("admin", "administration", "/persons/P-001", "persons", ["P-001"]),
        ("admin", "administration", "/persons?limit=2", "persons", ["P-001", "P-002"]),
        ("coordinator", "participation", "/persons/P-001", "persons", ["P-001"]),
        ("multiagency", "support_meeting", "/households/H-001", "households", ["H-001"]),
        ("multiagency", "support_meeting", "/cases", "cases", ["C-001"]),
        ("admin", "administration", "/placements", "placements", []),
    ],
)
def test_each_personal_read_is_audited(
    api: Api, role: str, purpose: str, path: str, kind: str, ids: list[str]
) -> None:
    res = api.client.get(T + path, headers=api.h(role, purpose))
    assert res.status_code == 200
    entries = api.container.system().audit.query(town=TOWN)
    last = entries[-1]
    assert (last.kind, last.record_ids, last.role) == (kind, ids, role)
    assert last.purpose and last.key_name


def test_match_is_audited_with_purpose_and_exportable(api: Api) -> None:
    api.client.post(
        f"{T}/match",
        json={"person_id": "P-001"},
        headers=api.h("coordinator", "%E5%8F%82%E5%8A%A0%E6%94%AF%E6%8F%B4"),
    )
    e = api.container.system().audit.query(action="match")[-1]
    assert e.record_ids == ["P-001"] and e.purpose == "参加支援" and e.key_name == "佐藤"
    admin = api.h("admin")
    csv = api.client.get("/v1/audit?format=csv&action=match", headers=admin)
    assert (
        csv.status_code == 200 and "P-001" in csv.text and csv.headers["content-type"].startswith("text/csv")
    )
    nd = api.client.get("/v1/audit?format=ndjson&record_id=P-001", headers=admin)
    assert all(json.loads(line)["record_ids"] for line in nd.text.splitlines())
    body = api.client.get("/v1/audit", headers=admin).json()
    assert body["chain_broken_at"] is None and body["entries"]
    assert api.client.get("/v1/audit", headers=api.h("multiagency")).status_code == 403


def test_audit_table_refuses_update_and_delete(api: Api) -> None:
    api.client.get(f"{T}/persons/P-001", headers=api.h("admin", "administration"))
    audit = api.container.system().audit
    conn = sqlite3.connect(audit.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET key_name = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit")
    conn.close()
    assert audit.verify() is None
    # an edit that bypasses the triggers breaks the hash chain
    conn = sqlite3.connect(audit.path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET record_ids = '[]' WHERE seq = 1")
    conn.commit()
    conn.close()
    assert audit.verify() == 1
    assert not hasattr(audit, "delete") and not hasattr(audit, "update")


def test_personal_read_needs_a_purpose(api: Api) -> None:
    res = api.client.get(f"{T}/persons", headers=api.h("admin"))
    assert res.status_code == 422 and res.json()["detail"][0]["field"] == "X-Purpose"
    bad = api.client.get(f"{T}/persons", headers=api.h("admin", "curiosity"))
    assert bad.status_code == 422
    assert api.client.get(f"{T}/persons?purpose=事務", headers=api.h("admin")).status_code == 200


def _state(api: Api) -> list[dict[str, object]]:
    return api.client.get(f"{T}/persons?limit=500", headers=api.h("admin", "administration")).json()["items"]


def test_bulk_with_a_bad_row_writes_nothing(api: Api) -> None:
    before = _state(api)
    rows = [
        {"id": "N-1", "name": "新"},
        {"id": "N-2", "birth_year": 1700},
        {"name": "id なし"},
        {"id": "N-4", "x": 1},
    ]
    res = api.client.post(f"{T}/persons:bulk", json=rows, headers=api.h("admin"))
    assert res.status_code == 422
    problems = res.json()["detail"]
    assert {p["row"] for p in problems} == {2, 3, 4}
    assert all(p["message_ja"] and p["message_en"] and p.get("field") for p in problems)
    assert _state(api) == before


def test_bulk_is_atomic_and_idempotent_json_and_ndjson(api: Api) -> None:
    rows = [{"id": f"N-{i}", "name": f"新 {i}", "birth_year": 1990} for i in range(5)]
    first = api.client.post(f"{T}/persons:bulk", json=rows, headers=api.h("admin"))
    assert first.status_code == 200 and first.json()["created"] == 5
    once = _state(api)
    nd = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    again = api.client.post(
        f"{T}/persons:bulk",
        content=nd.encode(),
        headers={**api.h("admin"), "Content-Type": "application/x-ndjson"},
    )
    assert again.status_code == 200 and again.json() == {
        "kind": "persons",
        "rows": 5,
        "created": 0,
        "updated": 5,
    }
    assert _state(api) == once


def test_put_is_idempotent_and_delete_says_what_it_removed(api: Api) -> None:
    h = api.h("admin", "administration")
    body = {"name": "新しい機関", "sectors": ["poverty"]}
    assert api.client.put(f"{T}/agencies/AG-09", json=body, headers=h).status_code == 201
    assert api.client.put(f"{T}/agencies/AG-09", json=body, headers=h).status_code == 200
    assert api.client.get(f"{T}/agencies/AG-09", headers=h).json()["name"] == "新しい機関"
    conflict = api.client.delete(f"{T}/households/H-001", headers=h)
    assert conflict.status_code == 409 and conflict.json()["detail"][0]["message_ja"]
    done = api.client.delete(f"{T}/households/H-001?detach=true", headers=h).json()
    assert done["nodes"] == 1 and done["relationships"] == 4
    assert {r["type"] for r in done["removed_relationships"]} == {"MEMBER_OF", "SUPPORTED_BY", "ABOUT"}
    assert api.client.get(f"{T}/households/H-001", headers=h).status_code == 404


def test_validation_errors_are_bilingual_with_fields(api: Api) -> None:
    res = api.client.put(
        f"{T}/opportunities/O-9", json={"title": "x", "kind": "nope"}, headers=api.h("admin")
    )
    assert res.status_code == 422
    d = res.json()["detail"][0]
    assert d["field"] == "body.kind" and d["message_ja"].startswith("次のいずれか") and d["message_en"]
    pair = api.client.put(
        f"{T}/opportunities/O-9",
        json={"title": "x", "kind": "petit_work", "host_id": "E-01"},
        headers=api.h("admin"),
    )
    assert pair.status_code == 422 and "host_label" in pair.json()["detail"][0]["message_ja"]


def test_request_too_large_is_413(tmp_path: Path) -> None:
    gen = make_api(tmp_path, api_max_body_bytes=2048)
    api = next(gen)
    big = [{"id": f"N-{i}", "name": "x" * 50} for i in range(100)]
    res = api.client.post(f"{T}/persons:bulk", json=big, headers=api.h("admin"))
    assert res.status_code == 413 and res.json()["detail"][0]["message_ja"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b" " * 1000

    res = api.client.post(f"{T}/persons:bulk", content=chunks(), headers=api.h("admin"))
    assert res.status_code == 413
    gen.close()


def test_rate_limit_is_429_with_retry_after(tmp_path: Path) -> None:
    gen = make_api(tmp_path, api_rate_per_second=0.5, api_rate_burst=3)
    api = next(gen)
    codes = [api.client.get(f"{T}/agencies", headers=api.h("community")).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429
    res = api.client.get(f"{T}/agencies", headers=api.h("community"))
    assert int(res.headers["Retry-After"]) >= 1 and res.json()["detail"][0]["message_en"].startswith("rate")
    assert api.client.get(f"{T}/agencies", headers=api.h("admin")).status_code == 200  # per key
    gen.close()


def test_crash_gives_a_generic_500_without_trace(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret 鳥羽 一郎 details")

    api.client.app.include_router(router)  # type: ignore[attr-defined]
    res = api.client.get("/boom")
    assert res.status_code == 500
    assert "鳥羽" not in res.text and "Traceback" not in res.text and res.json()["detail"][0]["message_ja"]
    assert "鳥羽" not in caplog.text


def test_cors_closed_by_default(api: Api) -> None:
    res = api.client.options(
        f"{T}/agencies", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in res.headers


def test_closed_store_gives_503_then_recovers(api: Api) -> None:
    h = api.h("admin", "administration")
    assert api.client.get(f"{T}/persons/P-001", headers=h).status_code == 200
    api.container.store(TOWN).close()  # the store goes away mid-session
    res = api.client.get(f"{T}/persons/P-001", headers=h)
    assert res.status_code == 503 and res.headers["Retry-After"] == "5" and "Traceback" not in res.text
    again = api.client.get(f"{T}/persons/P-001", headers=h)  # reopened
    assert again.status_code == 200 and again.json()["id"] == "P-001"


def test_openapi_has_bearer_examples_and_tags(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKey"] == {
        "type": "http",
        "description": spec["components"]["securitySchemes"]["APIKey"]["description"],
        "scheme": "bearer",
    }
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("tags"), (path, method)
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            schema = body.get("schema", {})
            ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
            has_example = "example" in body or "examples" in body
            if ref:
                comp = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
                has_example = has_example or "examples" in comp
            assert has_example, (path, method)


def test_every_request_body_in_the_openapi_has_an_example(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.app import create_app
    from graphsvc.bootstrap import build

    spec = create_app(build(data_dir=tmp_path)).openapi()
    schemas = spec["components"]["schemas"]
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for ctype, media in op.get("requestBody", {}).get("content", {}).items():
                ref = media.get("schema", {}).get("$ref")
                target = schemas[ref.split("/")[-1]] if ref else {}
                if not ({"example", "examples"} & (set(media) | set(target))):
                    missing.append(f"{method.upper()} {path} {ctype}")
    assert missing == []
