"""Request bodies are read as their JSON types: what the lax domain models used to coerce (``"opened": 0`` →
1970-01-01, ``"birth_year": "1990"``, ``"needs_support": "yes"``, ``"高齢"`` for ``elderly`` ...) is refused with a
bilingual 422 naming the field, and nothing is written. The loaders keep reading text cells into the same records
(tests/unit/loaders); the contract (415, 405 with ``Allow``, OPTIONS, documented statuses) is checked here too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.api.conftest import TOWN, Api

T = f"/v1/towns/{TOWN}"
ADMIN = ("admin", "administration")

# (kind, a valid body, the field, a value the lax domain model would have coerced, the problem's field)
COERCED: list[tuple[str, dict[str, Any], str, Any, str]] = [
    ("cases", {"household_id": "H-001"}, "opened", 0, "opened"),  # was 1970-01-01
    ("cases", {"household_id": "H-001"}, "opened", 1_700_000_000, "opened"),
    ("cases", {"household_id": "H-001"}, "opened", "2024-04-01T00:00:00", "opened"),
    ("cases", {"household_id": "H-001"}, "hard", "true", "hard"),
    ("cases", {"household_id": "H-001"}, "stage", "受付", "stage"),  # a Japanese label: files only
    ("persons", {"name": "x"}, "birth_year", "1990", "birth_year"),
    ("persons", {"name": "x"}, "birth_year", True, "birth_year"),
    ("persons", {"name": "x"}, "birth_year", 1990.5, "birth_year"),
    ("persons", {"name": "x"}, "needs_support", "yes", "needs_support"),
    ("persons", {"name": "x"}, "needs_support", 1, "needs_support"),
    ("persons", {"name": "x"}, "hikikomori", "はい", "hikikomori"),
    ("persons", {"name": "x"}, "sex", "男性", "sex"),
    (
        "persons",
        {"name": "x"},
        "participation_profile",
        {"max_hours_per_session": "3"},
        "max_hours_per_session",
    ),
    ("persons", {"name": "x"}, "participation_profile", {"readiness": 3.5}, "readiness"),
    ("persons", {"name": "x"}, "participation_profile", {"needs": ["いばしょ"]}, "needs"),  # a near spelling
    ("persons", {"name": "x"}, "participation_profile", {"travel": {"modes": ["徒歩"]}}, "modes"),
    ("persons", {"name": "x"}, "participation_profile", {"surprise": 1}, "surprise"),
    ("households", {}, "size", "2", "size"),
    ("households", {}, "flags", "eighty_fifty", "flags"),  # a string is not a list
    ("agencies", {"name": "x"}, "sectors", ["高齢"], "sectors"),
    ("agencies", {"name": "x"}, "caseload_limit", False, "caseload_limit"),
    ("agencies", {"name": "x"}, "caseload_limit", 2**60, "caseload_limit"),
    ("agencies", {"name": "x"}, "location", {"lat": "34.48", "lon": 136.84}, "lat"),
    (
        "agencies",
        {"name": "x"},
        "location",
        {"lat": 34.48, "lon": 136.84, "approximate": "no"},
        "approximate",
    ),
    ("venues", {"name": "x"}, "capacity", {"maximum": "3"}, "maximum"),
    (
        "venues",
        {"name": "x"},
        "schedule",
        {"slots": [{"weekday": "月", "opens": "09:00", "closes": "10:00"}]},
        "weekday",
    ),
    (
        "venues",
        {"name": "x"},
        "schedule",
        {"slots": [{"weekday": "mon", "opens": "9時", "closes": "10:00"}]},
        "opens",
    ),
    ("employers", {"name": "x"}, "welfare_workplace", 0, "welfare_workplace"),
    ("opportunities", {"title": "x", "kind": "petit_work"}, "hours_per_session", "2", "hours_per_session"),
    ("opportunities", {"title": "x", "kind": "petit_work"}, "difficulty", 2.5, "difficulty"),
    ("opportunities", {"title": "x", "kind": "petit_work"}, "kind", "プチ勤務", "kind"),
    ("opportunities", {"title": "x", "kind": "petit_work"}, "remote", "false", "remote"),
    ("areas", {"name": "x"}, "remote", 0, "remote"),
    ("areas", {"name": "x"}, "parent_id", " A-01", "parent_id"),  # not an id as sent
    ("supporters", {"name": "x"}, "agency_id", 12, "agency_id"),
]


def _store_of(api: Api, kind: str) -> list[dict[str, Any]]:
    res = api.client.get(f"{T}/{kind}?limit=500", headers=api.h(*ADMIN))
    assert res.status_code == 200
    return list(res.json()["items"])


def _problem_names(res: Any, field: str) -> list[dict[str, Any]]:
    assert res.status_code == 422, res.text
    problems = res.json()["detail"]
    named = [p for p in problems if p.get("field") and field in p["field"].split(".")]
    assert named, problems
    assert all(p["message_ja"] and p["message_en"] for p in problems)
    return named


@pytest.mark.parametrize(("kind", "body", "field", "value", "named"), COERCED)
def test_a_coercible_value_is_refused_naming_the_field(
    api: Api, kind: str, body: dict[str, Any], field: str, value: Any, named: str
) -> None:
    before = _store_of(api, kind)
    res = api.client.put(f"{T}/{kind}/NEW-1", json={**body, field: value}, headers=api.h(*ADMIN))
    problem = _problem_names(res, named)[0]
    assert problem["field"].startswith("body.")
    # the same value in a bulk row: the problem names the row too, and nothing is written
    rows = [{"id": "NEW-2", **body}, {"id": "NEW-3", **body, field: value}]
    bulk = api.client.post(f"{T}/{kind}:bulk", json=rows, headers=api.h(*ADMIN))
    assert {p["row"] for p in _problem_names(bulk, named)} == {2}
    assert _store_of(api, kind) == before


def test_the_issue_examples_name_their_fields_in_both_languages(api: Api) -> None:
    h = api.h(*ADMIN)
    case = api.client.put(f"{T}/cases/C-9", json={"opened": 0}, headers=h)
    p = _problem_names(case, "opened")[0]
    assert p["field"] == "body.opened" and "YYYY-MM-DD" in p["message_ja"] and "YYYY-MM-DD" in p["message_en"]
    person = api.client.put(
        f"{T}/persons/P-9", json={"birth_year": "1990", "needs_support": "yes"}, headers=h
    )
    assert {p["field"] for p in person.json()["detail"]} == {"body.birth_year", "body.needs_support"}
    assert all(
        "整数" in p["message_ja"] or "true か false" in p["message_ja"] for p in person.json()["detail"]
    )
    assert api.client.get(f"{T}/cases/C-9", headers=h).status_code == 404


@pytest.mark.parametrize(
    ("kind", "body", "stored"),
    [
        (
            "persons",
            {"birth_year": 1990.0, "needs_support": True},
            {"birth_year": 1990, "needs_support": True},
        ),
        ("cases", {"opened": "2024-04-01", "closed": "2024-05-01"}, {"opened": "2024-04-01"}),
        (
            "opportunities",
            {"title": "t", "kind": "petit_work", "hours_per_session": 2},
            {"hours_per_session": 2.0},
        ),
        ("agencies", {"name": "  名前  ", "sectors": ["elderly"]}, {"name": "名前", "sectors": ["elderly"]}),
        (
            "persons",
            {"participation_profile": {"needs": ["居場所"], "max_hours_per_session": 3}},
            {"participation_profile": {"needs": ["belonging"], "max_hours_per_session": 3.0}},
        ),
    ],
)
def test_the_json_forms_are_accepted(
    api: Api, kind: str, body: dict[str, Any], stored: dict[str, Any]
) -> None:
    h = api.h(*ADMIN)
    assert api.client.put(f"{T}/{kind}/OK-1", json=body, headers=h).status_code == 201
    got = api.client.get(f"{T}/{kind}/OK-1", headers=h).json()
    assert {k: got[k] for k in stored} == stored


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("cases", {"opened": "2024-04-01", "closed": "2024-01-01"}, "closed"),
        ("venues", {"name": "x", "capacity": {"maximum": 2, "available": 3}}, "available"),
        (
            "venues",
            {"name": "x", "schedule": {"slots": [{"weekday": "mon", "opens": "11:00", "closes": "10:00"}]}},
            "opens",
        ),
        ("opportunities", {"title": "x", "kind": "petit_work", "host_id": "E-01"}, "host_label"),
        ("agencies", {"name": "x", "location": {"lat": 37.5, "lon": 127.0}}, "Japan"),  # Seoul
        (
            "persons",
            {"participation_profile": {"min_hours_per_session": 3, "max_hours_per_session": 2}},
            "min_hours",
        ),
    ],
)
def test_rules_between_fields_are_refused(api: Api, kind: str, body: dict[str, Any], field: str) -> None:
    res = api.client.put(f"{T}/{kind}/R-1", json=body, headers=api.h(*ADMIN))
    assert res.status_code == 422
    text = json.dumps(res.json(), ensure_ascii=False)
    assert field in text and all(p["message_ja"] and p["message_en"] for p in res.json()["detail"])
    assert api.client.get(f"{T}/{kind}/R-1", headers=api.h(*ADMIN)).status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/match", {"person_id": "P-001", "top": "5"}, "top"),
        ("/match", {"person_id": "P-001", "exclusions": "yes"}, "exclusions"),
        ("/match", {"person_id": "P 001"}, "person_id"),
        ("/assign", {"k": True}, "k"),
        ("/assign", {"person_ids": "P-001"}, "person_ids"),
        ("/placements", {"person_id": "P-001", "opportunity_id": 1}, "opportunity_id"),
        ("/placements/P-001/O-01/transition", {"status": "打診"}, "status"),
        ("/placements/P-001/O-01/transition", {"status": "started", "start": 0}, "start"),
        ("/persons/P-001/consents", {"purposes": ["participation"]}, "purposes"),
        ("/persons/P-001/consents", {"purposes": ["参加支援"], "valid_from": 20250401}, "valid_from"),
        ("/persons/P-001/consents", {"purposes": ["参加支援"], "recipients": "E-01"}, "recipients"),
        (
            "/ties",
            {
                "type": "SUPPORTED_BY",
                "src": {"label": "Household", "id": "H-001"},
                "dst": {"label": "Agency", "id": "AG-01"},
                "props": {"intensity": "2"},
            },
            "intensity",
        ),
        (
            "/ties",
            {
                "type": "SUPPORTED_BY",
                "src": {"label": "Household", "id": "H-001"},
                "dst": {"label": "Agency", "id": "AG-01"},
                "props": {"since": 0},
            },
            "since",
        ),
        (
            "/ties",
            {
                "type": "KNOWS",
                "src": {"label": "Household", "id": "H-001"},
                "dst": {"label": "Person", "id": "P-001"},
            },
            "label",
        ),
        (
            "/ties",
            {
                "type": "知り合い",
                "src": {"label": "Person", "id": "P-001"},
                "dst": {"label": "Person", "id": "P-002"},
            },
            "type",
        ),
    ],
)
def test_service_bodies_are_strict_too(api: Api, path: str, body: dict[str, Any], field: str) -> None:
    res = api.client.post(T + path, json=body, headers=api.h(*ADMIN))
    _problem_names(res, field)


def test_key_bodies_are_strict(api: Api) -> None:
    h = api.h("admin")
    for body, field in [
        ({"name": "x", "role": "管理者"}, "role"),
        ({"name": "x", "role": "admin", "towns": "apitown"}, "towns"),
        ({"name": "x", "role": "admin", "towns": ["Bad Town"]}, "towns"),
        ({"name": " ", "role": "admin"}, "name"),
    ]:
        _problem_names(api.client.post("/v1/keys", json=body, headers=h), field)


def test_a_body_that_is_not_json_is_422_and_an_unread_media_type_415(api: Api) -> None:
    h = api.h(*ADMIN)
    url = f"{T}/agencies/AG-7"
    text = api.client.put(url, content=b'{"name": "x"}', headers={**h, "Content-Type": "text/plain"})
    assert text.status_code == 415 and text.json()["detail"][0]["field"] == "content-type"
    form = api.client.put(url, data={"name": "x"}, headers=h)
    assert form.status_code == 415
    csv = api.client.post(
        f"{T}/agencies:bulk", content=b"id,name\nA,x\n", headers={**h, "Content-Type": "text/csv"}
    )
    assert csv.status_code == 415 and "application/x-ndjson" in csv.json()["detail"][0]["message_en"]
    for raw, what in [
        (b'{"name": "\xff\xfe"}', "UTF-8"),
        (b'{"name": NaN}', "JSON"),
        (b'{"name": "x", "caseload_limit": Infinity}', "JSON"),
        (b'{"name": "x"', "JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "64"),
    ]:
        res = api.client.put(url, content=raw, headers={**h, "Content-Type": "application/json"})
        assert res.status_code == 422, (raw[:30], res.status_code)
        assert what in json.dumps(res.json(), ensure_ascii=False)
    assert api.client.get(url, headers=h).status_code == 404


def test_405_lists_every_method_of_the_resource_and_options_answers_it(api: Api) -> None:
    h = api.h(*ADMIN)
    item = api.client.patch(f"{T}/persons/P-001", json={}, headers=h)
    assert item.status_code == 405
    assert item.headers["Allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"
    assert item.json()["detail"][0]["message_ja"]
    assert api.client.delete(f"{T}/placements", headers=h).headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert api.client.put("/v1/keys", headers=h).headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert api.client.request("TRACE", f"{T}/ties", headers=h).headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    options = api.client.options(f"{T}/persons/P-001/consents")
    assert options.status_code == 204 and options.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert api.client.options(f"{T}/ties:bulk").headers["Allow"] == "POST, OPTIONS"


def test_the_openapi_documents_every_status_and_media_type(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            where = f"{method.upper()} {path}"
            assert "200" in codes or "201" in codes, where
            for code, resp in op["responses"].items():
                if code >= "400":
                    assert list(resp["content"]) == ["application/json"], (where, code)
                    assert resp["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ProblemsOut"
                    }
            if path != "/healthz":
                assert {"401", "429"} <= codes, where
                assert "Retry-After" in op["responses"]["429"]["headers"], where
                assert "WWW-Authenticate" in op["responses"]["401"]["headers"], where
            if "/towns/{town}" in path:
                assert {"403", "404", "422", "503"} <= codes, where
            if "requestBody" in op:
                assert {"413", "415", "422"} <= codes, where
    maps = doc["paths"]["/v1/towns/{town}/maps/resources"]["get"]["responses"]
    assert list(maps["200"]["content"]) == ["text/html"]
    audit = doc["paths"]["/v1/audit"]["get"]["responses"]["200"]["content"]
    assert set(audit) == {"application/json", "text/csv", "application/x-ndjson"}
    hsds = doc["paths"]["/v1/towns/{town}/hsds/services"]["get"]["responses"]["200"]["content"]
    assert set(hsds) == {"application/json", "application/x-ndjson"}
    bulk = doc["paths"]["/v1/towns/{town}/persons:bulk"]["post"]["requestBody"]["content"]
    assert set(bulk) == {"application/json", "application/x-ndjson"}
    assert bulk["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/PersonRow"}
    assert doc["components"]["schemas"]["PersonRow"]["additionalProperties"] is False
