"""Filtering a list only on what the role may see, for every list endpoint, role and purpose: derived from what
each role is actually shown (not from the table of withheld fields), a field the role sees withheld on any record
may not be filtered on (422 naming it, no id in the answer), and a filter on a field it sees returns exactly the
records it may list that hold the value."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.access.kinds import KINDS
from graphsvc.services.records import filter_fields
from tests.integration.api.conftest import TOWN, Api

T = f"/v1/towns/{TOWN}"
ROLE_PURPOSES = [
    ("admin", "administration"),
    ("coordinator", "participation"),
    ("coordinator", "outreach"),
    ("multiagency", "support_meeting"),
    ("multiagency", "outreach"),
    ("case_system", "administration"),
    ("community", None),
]


def _seed(api: Api) -> None:
    """Values in every withheld field, on records with and without consent (P-001 consents to 支援会議)."""
    h = api.h("admin", "administration")
    for pid, notes in (("P-001", "見守りが必要"), ("P-002", "夜間は不在")):
        cur = api.client.get(f"{T}/persons/{pid}", headers=h).json()
        body = {k: v for k, v in cur.items() if k != "id" and v is not None}
        assert (
            api.client.put(f"{T}/persons/{pid}", json={**body, "notes": notes}, headers=h).status_code == 200
        )
    sup = {"name": "民生委員 鳥羽", "kind": "minsei_iin", "area_id": "A-01"}
    assert api.client.put(f"{T}/supporters/S-01", json=sup, headers=h).status_code == 201
    case_system = api.h("case_system", "administration")
    own = {"name": "ケースシステムの本人", "household_id": "H-002", "notes": "自分の記録"}
    assert api.client.put(f"{T}/persons/P-100", json=own, headers=case_system).status_code == 201


def _items(
    api: Api, kind: str, headers: dict[str, str], **params: Any
) -> tuple[int, list[dict[str, Any]], str]:
    res = api.client.get(f"{T}/{kind}", params={"limit": 500, **params}, headers=headers)
    return res.status_code, (res.json().get("items", []) if res.status_code == 200 else []), res.text


def _value(v: Any) -> str | None:
    if v is None or (isinstance(v, (dict, list)) and not v):
        return None
    if isinstance(v, list):
        v = v[0]
    return str(v).lower() if isinstance(v, bool) else str(v)


@pytest.mark.parametrize(("role", "purpose"), ROLE_PURPOSES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_filters_only_on_fields_the_role_sees(api: Api, kind: str, role: str, purpose: str | None) -> None:
    _seed(api)
    _, truth, _ = _items(api, kind, api.h("admin", "administration"))
    true_by_id = {i["id"]: i for i in truth}
    h = api.h(role, purpose)
    status, shown, _ = _items(api, kind, h)
    fields = filter_fields(KINDS[kind])
    if status != 200:  # the role may not list this kind at all: no filter helps
        assert status in (403, 422)
        for field in fields:
            value = next((_value(i.get(field)) for i in truth if _value(i.get(field))), "x")
            res = api.client.get(f"{T}/{kind}", params={"filter": f"{field}={value}"}, headers=h)
            assert res.status_code == status and "items" not in res.json()
        return
    shown_ids = {i["id"] for i in shown}
    assert shown_ids <= set(true_by_id)
    for field in fields:
        withheld = any(i.get(field) != true_by_id[i["id"]].get(field) for i in shown)
        values = {_value(true_by_id[i].get(field)) for i in true_by_id} - {None}
        for value in sorted(values)[:3]:
            res = api.client.get(
                f"{T}/{kind}", params={"filter": f"{field}={value}", "limit": 500}, headers=h
            )
            if withheld:
                assert res.status_code == 422, (field, value, res.text)
                problem = res.json()["detail"][0]
                assert (
                    problem["field"] == f"filter.{field}" and problem["message_ja"] and problem["message_en"]
                )
                assert not any(i in res.text for i in true_by_id), res.text
                continue
            assert res.status_code == 200, (field, value, res.text)
            got = {i["id"] for i in res.json()["items"]}
            want = {
                i["id"]
                for i in shown
                if value == _value(i.get(field))
                or (isinstance(i.get(field), list) and value in map(str, i[field]))
            }
            assert got == want, (field, value)
            assert res.json()["total"] == len(want)


def test_the_seeded_town_has_withheld_values_to_filter_on(api: Api) -> None:
    """The matrix above would pass vacuously if no field were ever withheld: multiagency is shown P-002 (no
    consent to 支援会議) without its name and notes, and the households without their addresses."""
    _seed(api)
    ma = api.h("multiagency", "support_meeting")
    persons = {p["id"]: p for p in _items(api, "persons", ma)[1]}
    assert persons["P-002"]["name"] is None and persons["P-002"]["notes"] is None
    assert persons["P-001"]["name"] is not None  # consent covers 支援会議
    assert all(h["address"] is None for h in _items(api, "households", ma)[1])
    assert all(s["name"] is None for s in _items(api, "supporters", ma)[1])
