"""資源開発 over the API: jobs → slicing → accept (draft, not offered) → publish (offered); the unmet-need views
by role (counts only for the community developer, a coordinator's own people only); bad input."""

from __future__ import annotations

from tests.integration.api.conftest import TOWN, Api

T = f"/v1/towns/{TOWN}"

JOB = {
    "id": "J-01",
    "title": "旅館の仕事",
    "host_id": "E-01",
    "host_label": "Employer",
    "tasks": [
        {
            "name": "リネンたたみ",
            "minutes": 120,
            "splittable": True,
            "min_piece_minutes": 60,
            "windows": [{"weekday": "tue", "opens": "09:00", "closes": "15:00"}],
        }
    ],
}


def test_jobs_slice_accept_publish_and_matching_uses_only_published(api: Api) -> None:
    h = api.h("coordinator", "participation")
    r = api.client.post(f"{T}/development/jobs", json={"jobs": [JOB]}, headers=h)
    assert r.status_code == 200, r.text
    assert (
        api.client.get(f"{T}/jobs/J-01", headers=api.h("admin", "administration")).json()["title"]
        == "旅館の仕事"
    )
    r = api.client.post(f"{T}/development/slicing", json={"job_ids": ["J-01"]}, headers=h)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["proposals"] and sum(p["minutes"] * p["copies"] for p in data["proposals"]) == 120
    assert set(data["metrics"]) == {"before", "naive", "optimised"}
    # the coordinator sees only the people assigned to them with consent (P-001)
    ids = {i for p in data["proposals"] for i in p["fits_ids"]}
    assert ids <= {"P-001"}
    r = api.client.post(f"{T}/development/jobs/J-01/accept", json={"proposals": data["proposals"]}, headers=h)
    assert r.status_code == 201, r.text
    created = r.json()["created"]
    opp = api.client.get(f"{T}/opportunities/{created[0]}", headers=h).json()
    assert opp["status"] == "draft" and opp["job_id"] == "J-01"
    match = api.client.post(f"{T}/match", json={"person_id": "P-001", "top": 50}, headers=h).json()
    offered = {x["opening_id"] for x in match["ranked"]}
    assert not offered & set(created)
    r = api.client.post(f"{T}/development/publish", json={"ids": created}, headers=h)
    assert r.status_code == 200 and r.json()["published"] == created
    match = api.client.post(f"{T}/match", json={"person_id": "P-001", "top": 50}, headers=h).json()
    assert set(created) <= {x["opening_id"] for x in match["ranked"]} | {
        x["opening_id"] for x in match.get("exclusions", [])
    }
    cat = api.client.get(f"{T}/catalogue", headers=api.h("community"))
    assert cat.status_code == 200 and "リネンたたみ" in cat.text and "プチ勤務カタログ" in cat.text


def test_unmet_views_by_role(api: Api) -> None:
    full = api.client.get(f"{T}/unmet", headers=api.h("admin", "administration")).json()
    assert full["view"] == "full" and full["report"]["n_waiting"] == 2  # P-001 and P-003 consent to 参加支援
    com = api.client.get(f"{T}/unmet", headers=api.h("community")).json()
    assert com["view"] == "counts_only" and "people" not in com["report"]
    assert "P-00" not in str(com)
    coord = api.client.get(f"{T}/unmet", headers=api.h("coordinator", "participation")).json()
    assert all(p["person_id"] == "P-001" for p in coord["report"]["people"])
    csv = api.client.get(f"{T}/unmet.csv", headers=api.h("community"))
    assert csv.status_code == 200 and csv.text.startswith("\ufeffsection,key,label,count")
    page = api.client.get(f"{T}/unmet/report", headers=api.h("community"))
    assert "足りない参加メニュー" in page.text and "少数のため非表示" in page.text
    m = api.client.get(f"{T}/maps/unmet", headers=api.h("community"))
    assert m.status_code == 200 and "メッシュ" in m.text
    assert api.client.get(f"{T}/unmet", headers=api.h("case_system", "administration")).status_code == 403


def test_bad_jobs_and_proposals_are_refused_with_japanese_messages(api: Api) -> None:
    h = api.h("admin", "administration")
    bad = {**JOB, "tasks": [{**JOB["tasks"][0], "minutes": 480, "splittable": False}]}  # type: ignore[dict-item]
    r = api.client.post(f"{T}/development/jobs", json={"jobs": [bad]}, headers=h)
    assert r.status_code == 422 and "収まりません" in r.text
    r = api.client.post(f"{T}/development/jobs", json={"jobs": [{**JOB, "host_id": "E-99"}]}, headers=h)
    assert r.status_code == 409 and "登録されていません" in r.text  # a host not stored: a conflict
    assert api.client.post(f"{T}/development/jobs", json={"jobs": [JOB]}, headers=h).status_code == 200
    outside = {"tasks": ["リネンたたみ"], "weekday": "tue", "opens": "16:00", "closes": "17:00"}
    r = api.client.post(f"{T}/development/jobs/J-01/accept", json={"proposals": [outside]}, headers=h)
    assert r.status_code == 409 and "時間帯の外" in r.text  # read against the stored job
    over = {"tasks": ["リネンたたみ"], "weekday": "tue", "opens": "09:00", "closes": "12:00"}
    r = api.client.post(f"{T}/development/jobs/J-01/accept", json={"proposals": [over]}, headers=h)
    assert r.status_code == 409 and "超え" in r.text
    assert api.client.get(f"{T}/opportunities", headers=h).json()["total"] == 2  # nothing half-written
    r = api.client.post(
        f"{T}/development/jobs", json={"jobs": [JOB]}, headers=api.h("multiagency", "support_meeting")
    )
    assert r.status_code == 403


def test_proposals_are_typed_in_the_openapi_and_read_strictly(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    prop_in, prop_out = schemas["ProposalIn"], schemas["ProposalOut"]
    assert prop_in["additionalProperties"] is False and set(prop_in["required"]) == {
        "tasks",
        "weekday",
        "opens",
        "closes",
    }
    assert "作業" in prop_in["properties"]["tasks"]["description"] and prop_in["examples"]
    assert set(prop_out["properties"]) >= {"tasks", "weekday", "opens", "closes", "copies", "why", "fits"}
    slicing = spec["paths"]["/v1/towns/{town}/development/slicing"]["post"]
    ref = slicing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    out = schemas[ref.rsplit("/", 1)[1]]
    assert out["properties"]["proposals"]["items"]["$ref"].endswith("/ProposalOut")
    assert {"solver", "bounds"} <= set(out["properties"])

    h = api.h("admin", "administration")
    assert api.client.post(f"{T}/development/jobs", json={"jobs": [JOB]}, headers=h).status_code == 200
    url = f"{T}/development/jobs/J-01/accept"
    ok = {"tasks": ["リネンたたみ"], "weekday": "tue", "opens": "10:00", "closes": "11:00"}
    before = api.client.get(f"{T}/opportunities", headers=h).json()["total"]
    for bad, where in (
        ({**ok, "colour": "red"}, "colour"),  # an unknown field
        ({**ok, "weekday": "火"}, "weekday"),  # a Japanese label: the API takes codes
        ({**ok, "copies": "2"}, "copies"),  # a number as text
        ({**ok, "opens": "11:00", "closes": "10:00"}, "closes"),  # reversed
        ({**ok, "opens": "9時"}, "opens"),
        ({**ok, "tasks": []}, "tasks"),
    ):
        r = api.client.post(url, json={"proposals": [ok, bad]}, headers=h)
        assert r.status_code == 422, (bad, r.text)
        assert where in r.text and "proposals" in r.text, r.text
    # a proposal of another job: a conflict with what is stored, named
    r = api.client.post(url, json={"proposals": [{**ok, "job_id": "J-02"}]}, headers=h)
    assert r.status_code == 409 and "別の仕事" in r.text and "J-02" in r.text
    assert api.client.get(f"{T}/opportunities", headers=h).json()["total"] == before  # nothing written
    r = api.client.post(url, json={"proposals": [{**ok, "job_id": "J-01", "copies": 2}]}, headers=h)
    assert r.status_code == 201, r.text


def test_a_lone_surrogate_is_a_422_naming_the_field_not_a_crash(api: Api) -> None:
    h = {**api.h("admin", "administration"), "Content-Type": "application/json"}
    assert api.client.post(f"{T}/development/jobs", json={"jobs": [JOB]}, headers=h).status_code == 200
    body = '{"proposals": [{"tasks": ["\\ud800x"], "weekday": "tue", "opens": "10:00", "closes": "11:00"}]}'
    r = api.client.post(f"{T}/development/jobs/J-01/accept", content=body, headers=h)
    assert r.status_code == 422 and "proposals.0.tasks.0" in r.text, r.text
    body = '{"jobs": [{"id": "J-9", "title": "\\ud800", "host_id": "E-01", "host_label": "Employer"}]}'
    r = api.client.post(f"{T}/development/jobs", content=body, headers=h)
    assert r.status_code == 422 and "title" in r.text, r.text
