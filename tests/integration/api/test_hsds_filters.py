"""HSDS 3.0 API query parameters on the list endpoints (``schema/openapi.json``): each filter narrows the result
to items that satisfy it, filters combine with AND, the Page envelope stays consistent, the list / full /
minimal forms validate against the HSDS schemas, and bad values are 422 naming the parameter."""

from __future__ import annotations

import json
import math
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from graphsvc.domain import NodeLabel
from graphsvc.hsds import schema as tab
from graphsvc.hsds.validation import jsonschema_problems
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import NodeRef
from tests.integration.api.conftest import TOWN, Api

H = f"/v1/towns/{TOWN}/hsds"
LISTS = ("services", "organizations", "service_at_locations", "taxonomy_terms")


# ---------------------------------------------------------------- helpers


def get(api: Api, table: str, role: str = "community", **params: Any) -> Any:
    res = api.client.get(f"{H}/{table}", params=params, headers=api.h(role))
    assert res.status_code == 200, res.text
    return res.json()


def items(api: Api, table: str, **params: Any) -> list[dict[str, Any]]:
    page = get(api, table, per_page=500, **params)
    assert page["total_items"] == len(page["contents"])
    return page["contents"]


def ids(found: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in found}


def names(found: list[dict[str, Any]]) -> set[str]:
    return {i["name"] for i in found}


def rejected(api: Api, table: str, param: str, **params: Any) -> dict[str, Any]:
    """The request is a 422 whose bilingual problem names ``param``."""
    res = api.client.get(f"{H}/{table}", params=params, headers=api.h("community"))
    assert res.status_code == 422, res.text
    detail = res.json()["detail"]
    named = [p for p in detail if p.get("field") and p["field"].split(".")[-1] == param]
    assert named, detail
    assert named[0]["message_ja"] and named[0]["message_en"]
    return named[0]


def compiled(name: str) -> Draft202012Validator:
    schema = json.loads((tab.schema_dir() / "compiled" / f"{name}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(validator: Draft202012Validator, found: list[dict[str, Any]]) -> None:
    assert found
    for i, item in enumerate(found):
        assert jsonschema_problems(validator, item, file=None, row=i + 1) == [], item


def has_arrays(item: dict[str, Any]) -> bool:
    return any(isinstance(v, list) for v in item.values())


@pytest.fixture
def terms(api: Api) -> dict[tuple[str, str], dict[str, Any]]:
    """The town's taxonomy terms by (taxonomy, code)."""
    return {(t["taxonomy"], t["code"]): t for t in items(api, "taxonomy_terms")}


@pytest.fixture
def orgs(api: Api) -> dict[str, str]:
    """Organization id by name."""
    return {o["name"]: o["id"] for o in items(api, "organizations")}


AGENCY_SERVICE = "鳥羽市地域包括支援センター 相談窓口"  # the service of Agency AG-01
SERVICES = {AGENCY_SERVICE, "みなとカフェ", "旅館の朝食配膳", "カフェの調理補助"}
JST = "+09:00"


def when(api: Api, table: str = "services", **params: Any) -> dict[str, str | None]:
    """Service name → its last_modified (None when absent)."""
    key = "name" if table == "services" else None
    found = items(api, table, **params)
    return {(i[key] if key else i["service"]["name"]): i.get("last_modified") for i in found}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def iso(moment: datetime, tz: str = "Z") -> str:
    """``moment`` as an ISO 8601 query value: UTC with ``Z``, or Japan time with ``+09:00`` or no offset."""
    if tz == "Z":
        return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    local = moment.astimezone(UTC) + timedelta(hours=9)
    text = local.replace(tzinfo=None).isoformat(timespec="microseconds")
    return text + JST if tz == JST else text


def change_opportunity(api: Api, oid: str = "O-01") -> None:
    """A real change of the opportunity's record (its hours), written through the store."""
    store = api.container.store(TOWN)
    node = store.get_node(NodeRef(NodeLabel.OPPORTUNITY, oid))
    assert node is not None
    props = {**node.props, "hours_per_session": int(node.props["hours_per_session"]) + 1}
    res = store.upsert_nodes(NodeLabel.OPPORTUNITY, [props])
    assert res.nodes_updated == 1


@pytest.fixture
def changed(api: Api) -> datetime:
    """The town as seeded (one batch, one time), then 旅館の朝食配膳 (O-01) changed: returns a moment strictly
    between the two writes."""
    time.sleep(0.002)
    between = datetime.now(UTC)
    time.sleep(0.002)
    change_opportunity(api)
    return between


# ---------------------------------------------------------------- search


def test_search_matches_name_or_description(api: Api) -> None:
    every = items(api, "services")
    hits = items(api, "services", search="カフェ")
    assert names(hits) == {"みなとカフェ", "カフェの調理補助"}
    assert len(hits) < len(every)
    assert all("カフェ" in s["name"] + s.get("description", "") for s in hits)


def test_search_is_nfkc_normalised_and_case_insensitive(api: Api) -> None:
    hits = ids(items(api, "services", search="カフェ"))
    assert ids(items(api, "services", search="ｶﾌｪ")) == hits  # half-width katakana
    agency = items(api, "organizations", search="agency")
    assert names(agency) == {"鳥羽市地域包括支援センター"}  # its description reads "その他 (agency)"
    assert ids(items(api, "organizations", search="ＡＧＥＮＣＹ")) == ids(agency)  # full-width, upper case
    assert len(agency) < len(items(api, "organizations"))


def test_search_needs_every_word(api: Api) -> None:
    assert names(items(api, "services", search="カフェ　調理")) == {"カフェの調理補助"}  # ideographic space
    assert names(items(api, "services", search="カフェ 配膳")) == set()


def test_search_on_service_at_locations_and_taxonomy_terms(api: Api) -> None:
    sals = items(api, "service_at_locations", search="旅館")
    assert [s["service"]["name"] for s in sals] == ["旅館の朝食配膳"]
    assert len(items(api, "service_at_locations")) > 1
    found = items(api, "taxonomy_terms", search="ﾌﾟﾁ勤務")
    assert [(t["code"], t["name"]) for t in found] == [("Opportunity.petit_work", "プチ勤務")]
    assert [t["name"] for t in items(api, "taxonomy_terms", search="PETIT_WORK")] == ["プチ勤務"]  # the code


# ---------------------------------------------------------------- taxonomy_term_id / taxonomy_id


def test_taxonomy_term_id_keeps_services_classified_with_the_term(api: Api, terms) -> None:
    petit = terms[("tsunagari:kind", "Opportunity.petit_work")]["id"]
    every = items(api, "services")
    hits = items(api, "services", taxonomy_term_id=petit, full="true")
    assert names(hits) == {"旅館の朝食配膳", "カフェの調理補助"}
    assert len(hits) < len(every)
    for s in hits:
        assert petit in {a["taxonomy_term_id"] for a in s["attributes"]}
    assert items(api, "services", taxonomy_term_id="00000000-0000-0000-0000-000000000000") == []


def test_taxonomy_term_id_includes_descendant_terms(api: Api, terms) -> None:
    parent = terms[("tsunagari:kind", "Opportunity")]
    child = terms[("tsunagari:kind", "Opportunity.petit_work")]
    assert child["parent_id"] == parent["id"]
    assert ids(items(api, "services", taxonomy_term_id=parent["id"])) == ids(
        items(api, "services", taxonomy_term_id=child["id"])
    )


def test_taxonomy_term_id_on_service_at_locations_uses_the_service(api: Api, terms) -> None:
    petit = terms[("tsunagari:kind", "Opportunity.petit_work")]["id"]
    sals = items(api, "service_at_locations", taxonomy_term_id=petit)
    assert {s["service"]["name"] for s in sals} == {"旅館の朝食配膳", "カフェの調理補助"}
    assert len(sals) < len(items(api, "service_at_locations"))


def test_taxonomy_term_id_on_organizations(api: Api, terms) -> None:
    elderly = terms[("tsunagari:sector", "elderly")]["id"]
    hits = items(api, "organizations", taxonomy_term_id=elderly, full="true")
    assert names(hits) == {"鳥羽市地域包括支援センター"}
    assert all(elderly in {a["taxonomy_term_id"] for a in o["attributes"]} for o in hits)
    assert len(hits) < len(items(api, "organizations"))


def test_taxonomy_id_keeps_items_with_any_term_of_the_taxonomy(api: Api, terms) -> None:
    kind = terms[("tsunagari:kind", "Opportunity")]["taxonomy_id"]
    kind_terms = {t["id"] for t in terms.values() if t["taxonomy_id"] == kind}
    hits = items(api, "services", taxonomy_id=kind, full="true")
    assert names(hits) == {"旅館の朝食配膳", "カフェの調理補助"}  # agency and venue services carry no kind
    assert len(hits) < len(items(api, "services"))
    for s in hits:
        assert kind_terms & {a["taxonomy_term_id"] for a in s["attributes"]}

    sector = terms[("tsunagari:sector", "elderly")]["taxonomy_id"]
    assert names(items(api, "organizations", taxonomy_id=sector)) == {"鳥羽市地域包括支援センター"}
    sals = items(api, "service_at_locations", taxonomy_id=kind)
    assert {s["service"]["name"] for s in sals} == {"旅館の朝食配膳", "カフェの調理補助"}


def test_taxonomy_id_on_taxonomy_terms(api: Api, terms) -> None:
    sector = terms[("tsunagari:sector", "elderly")]["taxonomy_id"]
    found = items(api, "taxonomy_terms", taxonomy_id=sector)
    assert found and all(t["taxonomy_id"] == sector for t in found)
    assert len(found) < len(terms)


# ---------------------------------------------------------------- organization_id


def test_organization_id_keeps_the_organizations_services(api: Api, orgs) -> None:
    venue = orgs["みなとカフェ"]
    hits = items(api, "services", organization_id=venue)
    assert names(hits) == {"みなとカフェ", "カフェの調理補助"}
    assert all(s["organization_id"] == venue for s in hits)
    assert len(hits) < len(items(api, "services"))
    sals = items(api, "service_at_locations", organization_id=venue)
    assert sals and all(s["service"]["organization_id"] == venue for s in sals)
    assert len(sals) < len(items(api, "service_at_locations"))
    assert items(api, "services", organization_id=orgs["鳥羽湾旅館"]) == [
        s for s in items(api, "services") if s["organization_id"] == orgs["鳥羽湾旅館"]
    ]


def test_filters_are_cumulative(api: Api, orgs, terms) -> None:
    petit = terms[("tsunagari:kind", "Opportunity.petit_work")]["id"]
    venue = orgs["みなとカフェ"]
    both = items(api, "services", organization_id=venue, taxonomy_term_id=petit)
    assert names(both) == {"カフェの調理補助"}
    assert names(items(api, "services", organization_id=venue, search="旅館")) == set()


def test_blank_parameters_count_as_not_given(api: Api) -> None:
    every = ids(items(api, "services"))
    assert (
        ids(items(api, "services", organization_id="", taxonomy_id=" ", modified_after="", search=""))
        == every
    )


# ---------------------------------------------------------------- modified_after


def test_every_service_carries_the_store_time_of_its_node(api: Api) -> None:
    store = api.container.store(TOWN)
    full = items(api, "services", full="true")
    assert names(full) == SERVICES
    assert_valid(tab.document_validator("service"), full)
    node_of = {
        AGENCY_SERVICE: NodeRef(NodeLabel.AGENCY, "AG-01"),
        "みなとカフェ": NodeRef(NodeLabel.VENUE, "V-01"),
        "旅館の朝食配膳": NodeRef(NodeLabel.OPPORTUNITY, "O-01"),
        "カフェの調理補助": NodeRef(NodeLabel.OPPORTUNITY, "O-02"),
    }
    for s in full:
        node = store.get_node(node_of[s["name"]])
        assert node is not None and node.modified is not None
        assert s["last_modified"].endswith("Z")
        assert at(s["last_modified"]) == node.modified
    assert len({s["last_modified"] for s in full}) == 1  # seeded in one batch: one time


def test_modified_after_keeps_only_services_changed_since(api: Api, changed: datetime) -> None:
    stamps = when(api)
    assert set(stamps) == SERVICES
    newer = stamps["旅館の朝食配膳"]
    assert newer is not None and at(newer) > changed
    assert all(v is not None and at(v) < changed for k, v in stamps.items() if k != "旅館の朝食配膳")

    assert names(items(api, "services", modified_after=iso(changed))) == {"旅館の朝食配膳"}
    assert names(items(api, "services", modified_after=iso(changed, JST))) == {"旅館の朝食配膳"}
    before_all = min(at(v) for v in stamps.values() if v)
    assert names(items(api, "services", modified_after=iso(before_all))) == SERVICES  # on or after
    assert names(items(api, "services", modified_after=iso(before_all + timedelta(microseconds=1)))) == {
        "旅館の朝食配膳"
    }
    assert items(api, "services", modified_after="2999-01-01T00:00:00Z") == []


def test_modified_after_is_on_or_after_the_exact_time(api: Api, changed: datetime) -> None:
    newer = when(api)["旅館の朝食配膳"]
    assert newer is not None
    assert names(items(api, "services", modified_after=newer)) == {"旅館の朝食配膳"}  # equal counts
    later = iso(at(newer) + timedelta(microseconds=1))
    assert items(api, "services", modified_after=later) == []


def test_modified_after_without_offset_is_japan_time(api: Api, changed: datetime) -> None:
    naive = iso(changed, "")  # Japan time, no offset
    assert "+" not in naive and not naive.endswith("Z")
    assert names(items(api, "services", modified_after=naive)) == {"旅館の朝食配膳"}
    # read as UTC instead, the same digits are nine hours later: nothing is that new
    assert items(api, "services", modified_after=naive + "Z") == []
    today_jst = (changed.astimezone(UTC) + timedelta(hours=9)).date().isoformat()
    assert names(items(api, "services", modified_after=today_jst)) == SERVICES  # a date: its start, in Japan


def test_rewrite_moves_only_the_changed_services_time(api: Api, changed: datetime) -> None:
    from tests.integration.api.conftest import town_batch

    first = when(api)
    res = api.container.store(TOWN).write(town_batch())  # O-01 goes back to its seeded hours: a change
    assert res.nodes_created == 0 and res.nodes_updated == 1
    again = when(api)
    assert {k: v for k, v in again.items() if k != "旅館の朝食配膳"} == {
        k: v for k, v in first.items() if k != "旅館の朝食配膳"
    }
    assert at(str(again["旅館の朝食配膳"])) > at(str(first["旅館の朝食配膳"]))
    assert names(items(api, "services", modified_after=iso(changed))) == {"旅館の朝食配膳"}


def test_modified_after_on_service_at_locations_uses_the_service(api: Api, changed: datetime) -> None:
    every = items(api, "service_at_locations")
    sals = items(api, "service_at_locations", modified_after=iso(changed))
    assert {s["service"]["name"] for s in sals} == {"旅館の朝食配膳"}
    assert len(sals) < len(every)
    assert items(api, "service_at_locations", modified_after="2999-01-01T00:00:00Z") == []


def test_services_of_unknown_time_are_kept(api: Api, changed: datetime) -> None:
    """A node last written before the store kept times (NULL after the schema-2 migration) has no
    last_modified, and modified_after keeps it: it cannot be shown to be older."""
    store = api.container.store(TOWN)
    assert isinstance(store, EmbeddedStore)
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE nodes SET modified = NULL WHERE label = 'Agency' AND id = 'AG-01'")
    raw.close()
    assert store.get_node(NodeRef(NodeLabel.AGENCY, "AG-01")).modified is None  # type: ignore[union-attr]
    stamps = when(api)
    assert stamps[AGENCY_SERVICE] is None
    assert_valid(tab.document_validator("service"), items(api, "services", full="true"))
    assert names(items(api, "services", modified_after=iso(changed))) == {"旅館の朝食配膳", AGENCY_SERVICE}
    assert names(items(api, "services", modified_after="2999-01-01T00:00:00Z")) == {AGENCY_SERVICE}
    (agency,) = items(api, "services", search="相談窓口")
    minimal = {s["id"]: s for s in get(api, "services", minimal="true")["contents"]}
    assert minimal[agency["id"]] == {"id": agency["id"]}  # minimal: last_modified only when known


# ---------------------------------------------------------------- minimal


def _minimal_validator() -> Draft202012Validator:
    props = json.loads((tab.schema_dir() / "compiled" / "service_list.json").read_text(encoding="utf-8"))[
        "properties"
    ]
    schema = {
        "type": "object",
        "properties": {k: props[k] for k in ("id", "last_modified")},
        "required": ["id"],
        "additionalProperties": False,
    }
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_minimal_is_id_and_last_modified_all_in_one_page(api: Api, changed: datetime) -> None:
    every = items(api, "services")
    page = get(api, "services", minimal="true")
    assert page["total_items"] == page["size"] == len(every) and page["total_pages"] == 1
    assert ids(page["contents"]) == ids(every)
    assert_valid(_minimal_validator(), page["contents"])
    by_id = {s["id"]: s for s in every}
    for s in page["contents"]:
        assert set(s) == {"id", "last_modified"}
        assert s["last_modified"] == by_id[s["id"]]["last_modified"]
    assert len({s["last_modified"] for s in page["contents"]}) == 2  # the seed, and the change of O-01
    assert all("name" in s for s in every)  # the ordinary list form is not minimal


def test_minimal_honours_an_explicit_per_page_and_the_filters(api: Api, orgs) -> None:
    page = get(api, "services", minimal="true", per_page=1)
    assert page["size"] == 1 and page["total_pages"] == page["total_items"] > 1
    venue = get(api, "services", minimal="true", organization_id=orgs["みなとカフェ"])
    assert venue["total_items"] == 2 and all(set(s) == {"id", "last_modified"} for s in venue["contents"])


# ---------------------------------------------------------------- full / list forms


def test_services_list_form_and_full_form_validate(api: Api) -> None:
    listed = items(api, "services")
    assert_valid(compiled("service_list"), listed)
    assert not any(has_arrays(s) or has_arrays(s["organization"]) for s in listed)
    full = items(api, "services", full="true")
    assert_valid(tab.document_validator("service"), full)
    assert all(s["attributes"] for s in full) and any(has_arrays(s["organization"]) for s in full)


def test_organizations_list_full_and_full_service(api: Api) -> None:
    listed = items(api, "organizations")
    assert_valid(compiled("organization_list"), listed)
    assert not any(has_arrays(o) for o in listed)
    full = items(api, "organizations", full="true")
    assert_valid(tab.document_validator("organization"), full)
    with_services = [o for o in full if "services" in o]
    assert len(with_services) == len(full)  # the employer provides 旅館の朝食配膳
    assert {s["name"] for o in with_services for s in o["services"]} == names(items(api, "services"))
    assert all(not has_arrays(s) for o in with_services for s in o["services"])  # one-to-one fields
    nested = items(api, "organizations", full_service="true")
    assert_valid(tab.document_validator("organization"), nested)
    assert all(s["attributes"] for o in nested if "services" in o for s in o["services"])


def test_service_at_locations_list_and_full(api: Api) -> None:
    listed = items(api, "service_at_locations")
    assert_valid(compiled("service_at_location_list"), listed)
    assert all(isinstance(x["location"], dict) and x["service"]["name"] for x in listed)
    assert not any(has_arrays(x) or has_arrays(x["location"]) for x in listed)
    full = items(api, "service_at_locations", full="true")
    assert_valid(tab.document_validator("service_at_location"), full)
    assert any(has_arrays(x["location"]) for x in full)


def test_one_organization_carries_its_services(api: Api, orgs) -> None:
    url = f"{H}/organizations/{orgs['みなとカフェ']}"
    simple = api.client.get(url, headers=api.h("community")).json()
    assert names(simple["services"]) == {"みなとカフェ", "カフェの調理補助"}
    assert not any("attributes" in s for s in simple["services"])
    full = api.client.get(url, params={"full_service": "true"}, headers=api.h("community")).json()
    assert all(s["attributes"] for s in full["services"])
    assert_valid(tab.document_validator("organization"), [simple, full])


# ---------------------------------------------------------------- format


def test_ndjson_streams_every_match_without_paging(api: Api, orgs) -> None:
    res = api.client.get(
        f"{H}/services", params={"format": "ndjson", "per_page": 1}, headers=api.h("community")
    )
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in res.text.splitlines()]
    assert ids(lines) == ids(items(api, "services")) and len(lines) > 1
    venue = api.client.get(
        f"{H}/services",
        params={"format": "ndjson", "organization_id": orgs["みなとカフェ"]},
        headers=api.h("community"),
    )
    assert names([json.loads(line) for line in venue.text.splitlines()]) == {
        "みなとカフェ",
        "カフェの調理補助",
    }


@pytest.mark.parametrize("table", LISTS)
def test_json_format_is_the_page(api: Api, table: str) -> None:
    assert get(api, table, format="json")["contents"] == get(api, table)["contents"]


@pytest.mark.parametrize("table", LISTS)
@pytest.mark.parametrize("value", ["csv", "xml", ""])
def test_unknown_format_is_rejected(api: Api, table: str, value: str) -> None:
    rejected(api, table, "format", format=value)


# ---------------------------------------------------------------- page / per_page


@pytest.mark.parametrize("table", LISTS)
def test_paging_envelope_is_consistent(api: Api, table: str) -> None:
    every = items(api, table)
    per_page = 3
    pages = math.ceil(len(every) / per_page)
    seen: list[str] = []
    for n in range(1, pages + 1):
        page = get(api, table, page=n, per_page=per_page)
        assert page["total_items"] == len(every)
        assert page["total_pages"] == pages
        assert page["page_number"] == n
        assert page["size"] == len(page["contents"]) == min(per_page, len(every) - (n - 1) * per_page)
        assert page["first_page"] is (n == 1)
        assert page["last_page"] is (n == pages)
        assert page["empty"] is False
        seen += [i["id"] for i in page["contents"]]
    assert seen == [i["id"] for i in every]
    beyond = get(api, table, page=pages + 1, per_page=per_page)
    assert beyond["contents"] == [] and beyond["size"] == 0
    assert beyond["last_page"] is True and beyond["first_page"] is False
    assert beyond["total_items"] == len(every)


def test_empty_result_envelope(api: Api) -> None:
    page = get(api, "services", search="存在しない名前")
    assert page == {
        "total_items": 0,
        "total_pages": 1,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


def test_default_page_size_is_50(api: Api) -> None:
    page = get(api, "taxonomy_terms")
    assert page["total_items"] == len(page["contents"]) <= 50
    assert get(api, "taxonomy_terms", per_page=5)["size"] == 5


# ---------------------------------------------------------------- taxonomy_terms: top_only, parent_id


def test_top_only_keeps_terms_without_a_parent(api: Api, terms) -> None:
    top = items(api, "taxonomy_terms", top_only="true")
    assert top and all(not t.get("parent_id") for t in top)
    assert len(top) < len(terms)
    assert ids(top) == {t["id"] for t in terms.values() if not t.get("parent_id")}


def test_parent_id_keeps_the_children_of_a_term(api: Api, terms) -> None:
    parent = terms[("tsunagari:kind", "Opportunity")]["id"]
    found = items(api, "taxonomy_terms", parent_id=parent)
    assert [t["code"] for t in found] == ["Opportunity.petit_work"]
    assert all(t["parent_id"] == parent for t in found)


# ---------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("table", "param", "value"),
    [
        ("services", "page", "0"),
        ("services", "page", "abc"),
        ("organizations", "page", "-1"),
        ("services", "per_page", "0"),
        ("service_at_locations", "per_page", "501"),
        ("taxonomy_terms", "per_page", "x"),
        ("services", "full", "maybe"),
        ("organizations", "full_service", "maybe"),
        ("services", "minimal", "sometimes"),
        ("taxonomy_terms", "top_only", "2"),
        ("services", "search", "あ" * 201),
        ("services", "taxonomy_term_id", "x" * 201),
        ("services", "modified_after", "yesterday"),
        ("services", "modified_after", "2025-13-01"),
        ("service_at_locations", "modified_after", "2025-04-01T25:00:00"),
    ],
)
def test_bad_values_are_422_naming_the_parameter(api: Api, table: str, param: str, value: str) -> None:
    rejected(api, table, param, **{param: value})


def test_bad_modified_after_is_bilingual(api: Api) -> None:
    problem = rejected(api, "services", "modified_after", modified_after="昨日")
    assert "ISO 8601" in problem["message_ja"] and "ISO 8601" in problem["message_en"]
    assert problem["value"] == "昨日"


# ---------------------------------------------------------------- roles unchanged


@pytest.mark.parametrize("role", ["admin", "coordinator", "multiagency", "community", "case_system"])
def test_every_role_of_the_town_may_filter(api: Api, role: str, orgs) -> None:
    page = get(api, "services", role=role, organization_id=orgs["みなとカフェ"], search="カフェ")
    assert page["total_items"] == 2


def test_keys_of_other_towns_and_anonymous_callers_are_refused(api: Api) -> None:
    url = f"{H}/services"
    assert api.client.get(url, params={"search": "カフェ"}, headers=api.h("other_town")).status_code == 403
    assert api.client.get(url, params={"search": "カフェ"}).status_code == 401
