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


INTEGRAL = [  # (method, path, body with 3.0 where an integer goes, the field)
    ("put", "/agencies/AG-F1", {"name": "x", "caseload_limit": 3.0}, "caseload_limit"),
    ("put", "/agencies/AG-F1", {"name": "x", "capacity": {"maximum": 3.0, "available": 2}}, "maximum"),
    ("put", "/agencies/AG-F1", {"name": "x", "capacity": {"maximum": 3, "available": 2.0}}, "available"),
    ("post", "/agencies:bulk", [{"id": "AG-F2", "name": "x", "caseload_limit": 3.0}], "caseload_limit"),
    ("post", "/agencies:bulk", [{"id": "AG-F2", "name": "x", "capacity": {"maximum": 3.0}}], "maximum"),
    ("put", "/households/H-F1", {"size": 3.0}, "size"),
    ("post", "/match", {"person_id": "P-F1", "top": 3.0}, "top"),
    ("post", "/match", {"person_id": "P-F1", "explain": 3.0}, "explain"),
]


def _with(body: Any, field: str, value: Any) -> Any:
    """``body`` with every ``field`` (at any depth) set to ``value``."""
    if isinstance(body, list):
        return [_with(v, field, value) for v in body]
    if isinstance(body, dict):
        return {k: value if k == field else _with(v, field, value) for k, v in body.items()}
    return body


@pytest.mark.parametrize(("method", "path", "body", "field"), INTEGRAL)
def test_an_integral_float_is_an_integer_wherever_an_integer_goes(
    api: Api, method: str, path: str, body: Any, field: str
) -> None:
    """JSON Schema counts ``3.0`` as an integer, so the API reads it as ``3``: in a bounded field of a record
    (``caseload_limit`` ≥ 0), in a nested value (a capacity in a bulk row), in a hand-written body (``/match``);
    ``3.5``, ``"3"`` and ``true`` stay refused, naming the field."""
    h = api.h(*ADMIN)
    person = {"name": "x", "participation_profile": {"needs": ["belonging"]}}
    assert api.client.put(f"{T}/persons/P-F1", json=person, headers=h).status_code in (200, 201)
    ok = api.client.request(method, T + path, json=body, headers=h)
    assert ok.status_code in (200, 201), ok.text
    if path.startswith("/agencies/"):
        got = api.client.get(T + path, headers=h).json()
        stored = got["caseload_limit"] if field == "caseload_limit" else got["capacity"][field]
        assert stored == (3 if field != "available" else 2) and type(stored) is int
    for bad in (3.5, "3", True):
        res = api.client.request(method, T + path, json=_with(body, field, bad), headers=h)
        _problem_names(res, field)


def test_the_linkage_routes_keep_the_contract(api: Api) -> None:
    """The 名寄せ routes are on the strict contract too: 405 with ``Allow``, 415 for an unread media type, a
    repeated one-value parameter refused, and every status and media type documented (the test above)."""
    h = api.h(*ADMIN)
    assert api.client.delete(f"{T}/caselists", headers=h).headers["Allow"] == "POST, OPTIONS"
    assert api.client.put(f"{T}/linkage/runs", headers=h).headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert api.client.delete(f"{T}/linkage/queue", headers=h).headers["Allow"] == "GET, HEAD, OPTIONS"
    text = api.client.post(
        f"{T}/linkage/runs", content=b"basis=consent", headers={**h, "Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    twice = api.client.post(
        f"{T}/caselists?agency=AG-1&agency=AG-2&filename=a.csv",
        content=b"x",
        headers={**h, "Content-Type": "text/csv"},
    )
    assert twice.status_code == 422 and twice.json()["detail"][0]["field"] == "agency"
    doc = api.client.get("/openapi.json").json()["paths"]
    assert "409" in doc["/v1/towns/{town}/linkage/runs"]["post"]["responses"]
    assert "409" in doc["/v1/towns/{town}/caselists"]["post"]["responses"]
    run = doc["/v1/towns/{town}/linkage/runs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert run == {"$ref": "#/components/schemas/RunIn"}


def test_the_profile_text_rule_is_in_the_schema(api: Api) -> None:
    """The matcher refuses control, replacement and unpaired-surrogate characters in a profile's text
    (``matching.analyser.check_text``): the schema says so with a pattern, so a client following it is not refused;
    tab and newline stay readable text."""
    h = api.h(*ADMIN)
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    profile = schemas["ProfileIn"]["properties"]
    for name in ("experience", "skills", "interests", "cannot_do", "avoid", "preferred_fields"):
        assert "\\x0b" in profile[name]["items"]["pattern"], name
    assert "\\x00" in schemas["LimitIn"]["properties"]["what"]["pattern"]
    ok = {"participation_profile": {"cannot_do": ["電話対応\t(長時間)"], "free_text": "一行目\n二行目"}}
    assert api.client.put(f"{T}/persons/TX-1", json=ok, headers=h).status_code == 201
    for bad, field in (
        ({"cannot_do": ["a\x0bb"]}, "cannot_do"),
        ({"free_text": "x\x00"}, "free_text"),
        ({"limits": [{"what": "外出", "unless": "\ufffd"}]}, "unless"),
    ):
        res = api.client.put(f"{T}/persons/TX-2", json={"participation_profile": bad}, headers=h)
        _problem_names(res, field)


def test_a_derived_model_keeps_the_domain_helpers_its_rules_read(api: Api) -> None:
    """A job task's rule reads its windows' ``minutes`` (a property of the domain ``ScheduleSlot``): through the
    API the windows are the strict ``ScheduleSlotIn``, which carries it, so overlapping windows are a 422 naming
    the task, not a 500; two windows of one day that do not overlap are accepted."""
    h = api.h(*ADMIN)
    assert api.client.put(f"{T}/employers/E-J1", json={"name": "x"}, headers=h).status_code == 201

    def job(windows: list[dict[str, str]]) -> dict[str, Any]:
        task = {"name": "清掃", "minutes": 60, "windows": windows}
        return {"id": "J-S1", "title": "t", "host_id": "E-J1", "host_label": "Employer", "tasks": [task]}

    apart = [
        {"weekday": "tue", "opens": "09:00", "closes": "10:00"},
        {"weekday": "tue", "opens": "13:00", "closes": "15:00"},
    ]
    ok = api.client.post(f"{T}/jobs:bulk", json=[job(apart)], headers=h)
    assert ok.status_code == 200, ok.text
    overlap = [apart[0], {"weekday": "tue", "opens": "09:30", "closes": "11:00"}]
    bad = api.client.post(f"{T}/jobs:bulk", json=[job(overlap)], headers=h)
    assert bad.status_code == 422, bad.text
    assert "重なっています" in bad.json()["detail"][0]["message_ja"]
