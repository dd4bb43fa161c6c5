"""Key management inside the town line, across two towns, and its audit trail (issue 17, item 4); and filters
only on fields the role may see (a multiagency key looking a person up by a withheld name)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.api.conftest import NAMES, TOWN, Api, make_api

OTHER = "othertown"


@dataclass
class Towns:
    api: Api
    admins: dict[str, str]  # "all", TOWN, OTHER, "both" → plain key
    keys: dict[str, str]  # label → key id

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admins[who]}"}

    def listed(self, who: str) -> set[str]:
        r = self.api.client.get("/v1/keys", headers=self.h(who))
        assert r.status_code == 200, r.text
        return {k["key_id"] for k in r.json()}


@pytest.fixture
def towns(tmp_path: Path) -> Iterator[Towns]:
    for api in make_api(tmp_path, api_rate_per_second=10_000.0, api_rate_burst=10_000):
        system = api.container.system()
        admins: dict[str, str] = {"all": api.keys["admin"]}
        keys: dict[str, str] = {"all": _kid(api.keys["admin"])}
        for label, towns_ in ((TOWN, [TOWN]), (OTHER, [OTHER]), ("both", [TOWN, OTHER])):
            key, info = system.keys.create(name=f"管理者 {label}", role="admin", towns=towns_)
            admins[label], keys[f"admin-{label}"] = key, info.key_id
        for label, towns_ in (
            ("coord-" + TOWN, [TOWN]),
            ("coord-" + OTHER, [OTHER]),
            ("coord-both", [TOWN, OTHER]),
        ):
            keys[label] = system.keys.create(name=label, role="coordinator", towns=towns_)[1].key_id
        keys["coord-all"] = system.keys.create(name="全町", role="coordinator")[1].key_id
        yield Towns(api, admins, keys)


def _kid(key: str) -> str:
    return key.split("_")[1]


def test_an_admin_sees_only_keys_within_its_towns(towns: Towns) -> None:
    k = towns.keys
    mine = towns.listed(TOWN)
    assert {k["admin-" + TOWN], k["coord-" + TOWN]} <= mine
    assert not mine & {k["all"], k["coord-all"], k["admin-" + OTHER], k["coord-" + OTHER], k["coord-both"]}
    theirs = towns.listed(OTHER)
    assert {k["admin-" + OTHER], k["coord-" + OTHER]} <= theirs and not theirs & mine
    both = towns.listed("both")
    assert mine | theirs | {k["coord-both"], k["admin-both"]} <= both
    assert k["all"] not in both and k["coord-all"] not in both
    assert towns.listed("all") >= set(k.values())  # the all-towns admin sees every key


@pytest.mark.parametrize("target", ["all", "coord-all", "admin-" + OTHER, "coord-" + OTHER, "coord-both"])
def test_an_admin_cannot_revoke_a_key_outside_its_towns(towns: Towns, target: str) -> None:
    key_id = towns.keys[target]
    r = towns.api.client.delete(f"/v1/keys/{key_id}", headers=towns.h(TOWN))
    assert r.status_code == 404 and r.json()["detail"][0]["field"] == "key_id"  # as if it did not exist
    info = towns.api.container.system().keys.get(key_id)
    assert info is not None and info.revoked_at is None
    assert not [e for e in towns.api.container.system().audit.query(action="key_revoke")]


def test_revoking_inside_the_line_works_and_is_audited(towns: Towns) -> None:
    client, system = towns.api.client, towns.api.container.system()
    kid = towns.keys["coord-" + TOWN]
    r = client.delete(f"/v1/keys/{kid}", headers=towns.h(TOWN))
    assert r.status_code == 200 and r.json()["revoked_at"]
    e = system.audit.query(action="key_revoke")[-1]
    assert (e.town, e.kind, e.record_ids, e.key_id) == (TOWN, "api_keys", [kid], towns.keys["admin-" + TOWN])
    # the all-towns admin revokes anything, the key of both towns included (one entry per town)
    both = towns.keys["coord-both"]
    assert client.delete(f"/v1/keys/{both}", headers=towns.h("all")).status_code == 200
    assert sorted(e.town or "" for e in system.audit.query(action="key_revoke", record_id=both)) == sorted(
        [TOWN, OTHER]
    )


@pytest.mark.parametrize(
    ("who", "key_towns", "status"),
    [
        (TOWN, [TOWN], 201),
        (TOWN, [OTHER], 403),
        (TOWN, [TOWN, OTHER], 403),
        (TOWN, ["*"], 403),  # only an all-towns admin manages all-towns keys
        ("both", [TOWN, OTHER], 201),
        ("both", ["*"], 403),
        ("all", ["*"], 201),
        ("all", ["Bad Town"], 422),
        ("all", ["*", TOWN], 422),
    ],
)
def test_creating_keys_stays_inside_the_line(
    towns: Towns, who: str, key_towns: list[str], status: int
) -> None:
    system = towns.api.container.system()
    before = {k.key_id for k in system.keys.list()}
    r = towns.api.client.post(
        "/v1/keys", json={"name": "新しい担当", "role": "admin", "towns": key_towns}, headers=towns.h(who)
    )
    assert r.status_code == status, r.text
    created = {k.key_id for k in system.keys.list()} - before
    if status != 201:
        assert created == set() and r.json()["detail"][0]["message_ja"]
        return
    (kid,) = created
    entries = system.audit.query(action="key_create", record_id=kid)
    assert sorted(e.town or "*" for e in entries) == sorted(key_towns)
    assert {e.key_id for e in entries} == {towns.keys["admin-" + who] if who != "all" else towns.keys["all"]}
    # the new key works where it was made for, and its creator sees it
    assert kid in towns.listed(who)


def test_audit_reads_are_audited_and_stay_in_town(towns: Towns) -> None:
    client, system = towns.api.client, towns.api.container.system()
    client.post("/v1/keys", json={"name": "x", "role": "community", "towns": [OTHER]}, headers=towns.h(OTHER))
    r = client.get(f"/v1/audit?town={TOWN}", headers=towns.h(TOWN))
    assert r.status_code == 200
    assert all(e["town"] == TOWN for e in r.json()["entries"])
    read = system.audit.query(action="audit_read")[-1]
    assert (read.town, read.key_id, read.kind) == (TOWN, towns.keys["admin-" + TOWN], "audit")
    # the read itself shows in the next one, key creations of the other town never do
    again = client.get(f"/v1/audit?town={TOWN}&action=audit_read", headers=towns.h(TOWN)).json()["entries"]
    assert [e["seq"] for e in again][-1] == read.seq
    assert not [
        e
        for e in client.get(f"/v1/audit?town={TOWN}", headers=towns.h(TOWN)).json()["entries"]
        if e["action"] == "key_create"
    ]
    assert client.get(f"/v1/audit?town={OTHER}", headers=towns.h(TOWN)).status_code == 403
    assert client.get("/v1/audit", headers=towns.h(TOWN)).status_code == 422  # must name its town
    csv = client.get(f"/v1/audit?town={TOWN}&format=csv", headers=towns.h(TOWN))
    assert csv.status_code == 200
    assert system.audit.query(action="audit_read")[-1].town == TOWN
    assert client.get("/v1/audit", headers=towns.h("all")).status_code == 200


def test_non_admin_keys_manage_nothing(towns: Towns) -> None:
    h = towns.api.h("coordinator")
    assert towns.api.client.get("/v1/keys", headers=h).status_code == 403
    assert towns.api.client.delete(f"/v1/keys/{towns.keys['coord-' + TOWN]}", headers=h).status_code == 403
    assert towns.api.client.get(f"/v1/audit?town={TOWN}", headers=h).status_code == 403


# ---------------------------------------------------------------- filters only on fields the role may see


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(tmp_path, api_rate_per_second=10_000.0, api_rate_burst=10_000)


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("persons", "name", NAMES["P-002"]),
        ("persons", "notes", "x"),
        ("households", "address", "鳥羽1-1"),
        ("supporters", "name", "民生委員"),
    ],
)
def test_multiagency_cannot_look_up_by_a_withheld_field(api: Api, kind: str, field: str, value: str) -> None:
    r = api.client.get(
        f"/v1/towns/{TOWN}/{kind}",
        params={"filter": f"{field}={value}"},
        headers=api.h("multiagency", "support_meeting"),
    )
    assert r.status_code == 422, r.text
    d = r.json()["detail"][0]
    assert d["field"] == f"filter.{field}" and field in d["message_ja"] and field in d["message_en"]
    assert "P-002" not in r.text and "H-001" not in r.text


def test_filters_on_visible_fields_still_work(api: Api) -> None:
    ma = api.client.get(
        f"/v1/towns/{TOWN}/persons",
        params={"filter": "household_id=H-001"},
        headers=api.h("multiagency", "support_meeting"),
    ).json()
    assert {p["id"] for p in ma["items"]} == {"P-001", "P-002"}
    admin = api.client.get(
        f"/v1/towns/{TOWN}/persons",
        params={"filter": f"name={NAMES['P-002']}"},
        headers=api.h("admin", "administration"),
    ).json()
    assert [p["id"] for p in admin["items"]] == ["P-002"]
