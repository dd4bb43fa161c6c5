"""Role × endpoint × consent-state matrix: what each role sees, and that nothing personal leaks."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.api.conftest import CASE_IDS, HOUSEHOLD_IDS, NAMES, PERSON_IDS, TOWN, Api

T = f"/v1/towns/{TOWN}"
PERSONAL_IDS = (*PERSON_IDS, *HOUSEHOLD_IDS, *CASE_IDS)

# every GET endpoint with a concrete URL (the community leak test walks all of them)
GET_ENDPOINTS = [
    "/healthz",
    "/v1/towns",
    f"{T}/counts",
    f"{T}/persons",
    f"{T}/persons/P-001",
    f"{T}/households",
    f"{T}/households/H-001",
    f"{T}/cases",
    f"{T}/cases/C-001",
    f"{T}/supporters",
    f"{T}/agencies",
    f"{T}/agencies/AG-01",
    f"{T}/venues",
    f"{T}/employers",
    f"{T}/opportunities",
    f"{T}/opportunities/O-01",
    f"{T}/areas",
    f"{T}/ties",
    f"{T}/placements",
    f"{T}/persons/P-001/consents",
    f"{T}/gaps",
    f"{T}/maps/resources",
    f"{T}/unmet",
    f"{T}/unmet.csv",
    f"{T}/unmet/report",
    f"{T}/maps/unmet",
    f"{T}/catalogue",
    f"{T}/jobs",
    f"{T}/hsds/services",
    f"{T}/hsds/organizations",
    f"{T}/hsds/service_at_locations",
    f"{T}/hsds/taxonomy_terms",
    "/v1/audit",
    "/v1/keys",
]
POSTS = [
    (f"{T}/match", {"person_id": "P-001"}),
    (f"{T}/assign", {"person_ids": ["P-001"]}),
    (f"{T}/assign", {}),
    (f"{T}/placements", {"person_id": "P-001", "opportunity_id": "O-01"}),
]
PURPOSES = [None, "participation", "support_meeting", "outreach", "administration"]
ROLES = ["admin", "coordinator", "multiagency", "community", "case_system"]


def _leaks(text: str, ids: tuple[str, ...] = PERSONAL_IDS) -> list[str]:
    return [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)] + [
        n for n in NAMES.values() if n in text
    ]


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("path", GET_ENDPOINTS)
def test_community_never_sees_a_person_or_household(api: Api, path: str, purpose: str | None) -> None:
    res = api.client.get(path, headers=api.h("community", purpose))
    assert res.status_code < 500
    assert _leaks(res.text) == [], (path, res.status_code, res.text[:300])


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize(("path", "body"), POSTS)
def test_community_cannot_use_personal_services(
    api: Api, path: str, body: dict[str, object], purpose: str | None
) -> None:
    res = api.client.post(path, json=body, headers=api.h("community", purpose))
    assert res.status_code == 403
    assert _leaks(res.text, (*HOUSEHOLD_IDS, *CASE_IDS)) == []


def test_community_gets_resources_and_aggregates(api: Api) -> None:
    h = api.h("community")
    assert api.client.get(f"{T}/agencies", headers=h).json()["total"] == 1
    gaps = api.client.get(f"{T}/gaps", headers=h).json()
    assert gaps["view"] == "aggregate" and "isolation" in gaps["report"]
    assert api.client.get(f"{T}/hsds/services", headers=h).json()["total_items"] > 0
    assert api.client.put(f"{T}/agencies/AG-02", json={"name": "x"}, headers=h).status_code == 403


# -- persons: role × consent state × purpose
CASES = [
    # role, person, purpose, expected status, name visible
    ("admin", "P-001", "administration", 200, True),
    ("admin", "P-002", "administration", 200, True),
    ("admin", "P-001", None, 422, False),  # purpose required
    ("coordinator", "P-001", "participation", 200, True),  # assigned + consent
    ("coordinator", "P-002", "participation", 403, False),  # assigned, no consent
    ("coordinator", "P-003", "participation", 404, False),  # consent, not assigned
    ("coordinator", "P-001", "support_meeting", 403, False),  # purpose not a coordinator's
    ("multiagency", "P-001", "support_meeting", 200, True),  # consent covers 支援会議
    ("multiagency", "P-002", "support_meeting", 200, False),  # 支援会議 scope without consent: no name
    ("multiagency", "P-003", "support_meeting", 200, False),  # consent only for 参加支援
    ("multiagency", "P-002", "participation", 403, False),
    ("community", "P-001", "participation", 403, False),
    ("community", "P-001", None, 403, False),
    ("case_system", "P-001", "administration", 404, False),  # not its own
]


@pytest.mark.parametrize(("role", "pid", "purpose", "status", "named"), CASES)
def test_person_read_matrix(
    api: Api, role: str, pid: str, purpose: str | None, status: int, named: bool
) -> None:
    res = api.client.get(f"{T}/persons/{pid}", headers=api.h(role, purpose))
    assert res.status_code == status, res.text
    assert (NAMES[pid] in res.text) is named
    if status == 200 and not named:
        assert res.json()["name"] is None and res.json()["participation_profile"] is None


@pytest.mark.parametrize(
    ("role", "purpose", "visible"),
    [
        ("admin", "administration", set(PERSON_IDS)),
        ("coordinator", "participation", {"P-001"}),
        ("multiagency", "support_meeting", set(PERSON_IDS)),
        ("case_system", "administration", set()),
    ],
)
def test_person_lists(api: Api, role: str, purpose: str, visible: set[str]) -> None:
    body = api.client.get(f"{T}/persons", headers=api.h(role, purpose)).json()
    assert {p["id"] for p in body["items"]} == visible and body["total"] == len(visible)
    named = {p["id"] for p in body["items"] if p["name"]}
    if role == "multiagency":
        assert named == {"P-001"}


def test_multiagency_sees_cases_and_households_without_addresses(api: Api) -> None:
    h = api.h("multiagency", "support_meeting")
    assert api.client.get(f"{T}/cases/C-001", headers=h).json()["household_id"] == "H-001"
    hh = api.client.get(f"{T}/households/H-001", headers=h).json()
    assert hh["id"] == "H-001" and hh["address"] is None and hh["location"] is None
    gaps = api.client.get(f"{T}/gaps", headers=h).json()
    assert gaps["view"] == "full" and not _leaks(json.dumps(gaps, ensure_ascii=False), ())
    assert api.client.post(f"{T}/match", json={"person_id": "P-001"}, headers=h).status_code == 403


@pytest.mark.parametrize(
    ("role", "pid", "status"),
    [
        ("coordinator", "P-001", 200),
        ("coordinator", "P-002", 403),
        ("coordinator", "P-003", 404),
        ("admin", "P-002", 200),
        ("multiagency", "P-001", 403),
        ("case_system", "P-001", 404),  # not its own
        ("community", "P-001", 403),
    ],
)
def test_match_matrix(api: Api, role: str, pid: str, status: int) -> None:
    res = api.client.post(
        f"{T}/match", json={"person_id": pid, "top": 5}, headers=api.h(role, "participation")
    )
    assert res.status_code == status, res.text
    if status == 200:
        body = res.json()
        assert body["profile_id"] == pid
        for item in body["ranked"]:
            assert all(f["reason"] for f in item["factors"])


def test_coordinator_assign_only_sees_permitted_people(api: Api) -> None:
    body = api.client.post(f"{T}/assign", json={}, headers=api.h("coordinator", "participation")).json()
    people = {r["person_id"] for r in body["rows"]} | set(body["unassigned"])
    assert people <= {"P-001"}
    denied = api.client.post(
        f"{T}/assign", json={"person_ids": ["P-002"]}, headers=api.h("coordinator", "participation")
    )
    assert denied.status_code == 403


def test_propose_needs_consent_covering_the_host(api: Api) -> None:
    admin = api.h("admin", "participation")
    # P-003 consented to share with E-01 (host of O-01) only
    assert (
        api.client.post(
            f"{T}/placements", json={"person_id": "P-003", "opportunity_id": "O-02"}, headers=admin
        ).status_code
        == 403
    )
    ok = api.client.post(
        f"{T}/placements", json={"person_id": "P-003", "opportunity_id": "O-01"}, headers=admin
    )
    assert ok.status_code == 201 and ok.json()["status"] == "proposed"
    coord = api.h("coordinator", "participation")
    res = api.client.post(
        f"{T}/placements",
        json={"person_id": "P-001", "opportunity_id": "O-02", "note": "面談済み"},
        headers=coord,
    )
    assert res.status_code == 201
    res = api.client.post(
        f"{T}/placements/P-001/O-02/transition",
        json={"status": "contacted", "host_notes": "初日は見学"},
        headers=coord,
    )
    body = res.json()
    assert res.status_code == 200 and body["host_notes"] == "初日は見学"
    assert [e["status"] for e in body["history"]] == ["proposed", "contacted"] and "佐藤" in body["history"][
        -1
    ]["by"]
    bad = api.client.post(f"{T}/placements/P-001/O-02/transition", json={"status": "ended"}, headers=coord)
    assert bad.status_code == 409 and bad.json()["detail"][0]["message_ja"]
    listed = api.client.get(f"{T}/placements", headers=coord).json()
    assert {p["person_id"] for p in listed} == {"P-001"}
    assert (
        api.client.post(
            f"{T}/placements", json={"person_id": "P-002", "opportunity_id": "O-01"}, headers=coord
        ).status_code
        == 403
    )


def test_case_system_reads_back_only_its_own(api: Api) -> None:
    a, b = api.h("case_system", "administration"), api.h("case_system_b", "administration")
    assert api.client.put(f"{T}/persons/S-A1", json={"name": "A の本人"}, headers=a).status_code == 201
    assert api.client.put(f"{T}/persons/S-B1", json={"name": "B の本人"}, headers=b).status_code == 201
    assert {p["id"] for p in api.client.get(f"{T}/persons", headers=a).json()["items"]} == {"S-A1"}
    assert api.client.get(f"{T}/persons/S-B1", headers=a).status_code == 404
    assert api.client.put(f"{T}/persons/S-B1", json={"name": "上書き"}, headers=a).status_code == 409
    assert api.client.put(f"{T}/persons/P-001", json={"name": "上書き"}, headers=a).status_code == 409
    assert api.client.delete(f"{T}/persons/S-B1", headers=a).status_code == 409
    tie = {
        "type": "MEMBER_OF",
        "src": {"label": "Person", "id": "S-A1"},
        "dst": {"label": "Household", "id": "H-001"},
    }
    assert api.client.post(f"{T}/ties", json=tie, headers=a).status_code == 201
    ties = api.client.get(f"{T}/ties", headers=a).json()
    assert ties["total"] == 1 and ties["items"][0]["src"]["id"] == "S-A1"
    assert api.client.get(f"{T}/agencies", headers=a).json()["total"] == 1  # public resources
    # admin sees everything
    ids = {
        p["id"]
        for p in api.client.get(f"{T}/persons", headers=api.h("admin", "administration")).json()["items"]
    }
    assert ids == {*PERSON_IDS, "S-A1", "S-B1"}


def test_key_scoped_to_another_town(api: Api) -> None:
    assert api.client.get(f"{T}/agencies", headers=api.h("other_town")).status_code == 403
    assert api.client.get(f"{T}/agencies").status_code == 401
    assert (
        api.client.get(f"{T}/agencies", headers={"Authorization": "Bearer tsk_nope_nope"}).status_code == 401
    )
