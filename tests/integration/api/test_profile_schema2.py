"""Schema-2 participation profiles through the API: 在宅のみ, 今は時間がない, 連絡手段 and 制約 are stored and read
back as written, and a bad profile is refused when written (field named), not at match time."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import TOWN, Api

T = f"/v1/towns/{TOWN}"

SCHEMA2: dict[str, Any] = {
    "skills": ["調理"],
    "home_only": True,
    "contact_channels": {"preferred": ["email"], "refused": ["phone"]},
    "limits": [{"what": "外出", "strength": "hard", "unless": "近所の公民館なら"}],
    "free_text": "長時間は無理だけど、1時間くらいなら平気",
    "consent": {"all_hosts": True},
}


def test_schema2_profile_is_stored_read_back_and_matched(api: Api) -> None:
    h = api.h("admin", "administration")
    put = api.client.put(
        f"{T}/persons/N-201", json={"name": "新 太郎", "participation_profile": SCHEMA2}, headers=h
    )
    assert put.status_code == 201, put.text
    got = api.client.get(f"{T}/persons/N-201", headers=h).json()
    assert got["participation_profile"] == SCHEMA2
    bulk = [{"id": "N-202", "name": "新 花子", "participation_profile": {**SCHEMA2, "home_only": False}}]
    assert api.client.post(f"{T}/persons:bulk", json=bulk, headers=h).status_code == 200
    got2 = api.client.get(f"{T}/persons/N-202", headers=h).json()["participation_profile"]
    assert got2["limits"] == SCHEMA2["limits"] and got2["contact_channels"] == SCHEMA2["contact_channels"]


def test_bad_schema2_profile_is_refused_when_written_naming_the_field(api: Api) -> None:
    h = api.h("admin", "administration")
    bad = {"name": "新", "participation_profile": {"limits": [{"what": "外出", "strength": "medium"}]}}
    res = api.client.put(f"{T}/persons/N-203", json=bad, headers=h)
    assert res.status_code == 422, res.text
    problems = res.json()["detail"]
    assert any(
        p["field"].removeprefix("body.").startswith("participation_profile.limits") for p in problems
    ), problems
    assert api.client.get(f"{T}/persons/N-203", headers=h).status_code == 404  # nothing written
    rows = [
        {"id": "N-204", "name": "良"},
        {
            "id": "N-205",
            "participation_profile": {
                "no_time_now": True,
                "time_windows": [{"weekday": "mon", "opens": "09:00", "closes": "12:00"}],
            },
        },
        {
            "id": "N-206",
            "participation_profile": {"contact_channels": {"preferred": ["電話"], "refused": ["phone"]}},
        },
    ]
    res = api.client.post(f"{T}/persons:bulk", json=rows, headers=h)
    assert res.status_code == 422
    problems = res.json()["detail"]
    assert {p["row"] for p in problems} == {2, 3}
    assert all(p["message_ja"] and p["field"].startswith("participation_profile") for p in problems)
    assert api.client.get(f"{T}/persons/N-204", headers=h).status_code == 404  # atomic
