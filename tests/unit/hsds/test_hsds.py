"""HSDS 3.0 import: documents from other publishers, located problems, address splitting, the examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.bootstrap import build
from graphsvc.domain import DomainValidationError, NodeLabel
from graphsvc.hsds import hsds_id, load_hsds
from graphsvc.hsds import schema as tab
from graphsvc.hsds.mapping import join_address as _join_address
from graphsvc.hsds.mapping import split_address as _split_address
from graphsvc.store.port import GraphStore, NodeRef

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "hsds"


@pytest.fixture
def store(tmp_path: Path) -> GraphStore:
    c = build(data_dir=tmp_path)
    yield c.store("testtown")
    c.close()


@pytest.mark.parametrize(
    ("address", "pref", "city"),
    [
        ("三重県鳥羽市鳥羽三丁目1番1号", "三重県", "鳥羽市"),
        ("東京都千代田区霞が関1-2-2", "東京都", "千代田区"),
        ("北海道虻田郡倶知安町北1条東2丁目", "北海道", "虻田郡倶知安町"),
        ("答志町123", "", ""),
        ("三重県", "", ""),
    ],
)
def test_address_split_joins_back_exactly(address, pref, city):
    parts = _split_address(address)
    assert (parts["state_province"], parts["city"]) == (pref, city)
    assert parts["country"] == "JP"
    assert _join_address(parts) == address


def test_ids_are_deterministic_uuids():
    a = hsds_id("toba", "organization", "Agency", "AG-1")
    assert a == hsds_id("toba", "organization", "Agency", "AG-1")
    assert a != hsds_id("shima", "organization", "Agency", "AG-1")
    assert len(a) == 36 and a[14] == "5"


def test_other_publishers_services_map_to_agency_employer_and_venue(store):
    report = load_hsds(store, EXAMPLES / "other-publisher" / "services.json")

    assert report.nodes == {"Agency": 1, "Employer": 1, "Venue": 1}
    agency = store.get_node(NodeRef(NodeLabel.AGENCY, "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0100"))
    assert agency is not None
    p = agency.props
    assert p["name"] == "みなと町社会福祉協議会"
    assert p["kind"] == "other"
    assert p["services"] == ["ふれあい健康相談"]
    assert p["sectors"] == ["elderly"]
    assert p["corporate_number"] == "9876543210987"
    assert p["phone"] == "0599-99-0000"
    assert (p["lat"], p["lon"]) == (34.4901, 136.8412)
    assert p["address"] == "〒517-0000 三重県鳥羽市港町1-2-3"
    schedule = json.loads(p["schedule_json"])
    assert [(s["weekday"], s["opens"], s["closes"]) for s in schedule["slots"]] == [
        ("tue", "13:30", "16:00"),
        ("thu", "13:30", "16:00"),
    ]
    employer = store.get_node(NodeRef(NodeLabel.EMPLOYER, "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0110"))
    assert employer is not None and employer.props["name"] == "株式会社みなと農園"
    venue = store.get_node(NodeRef(NodeLabel.VENUE, "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0003"))
    assert venue is not None and json.loads(venue.props["schedule_json"])["slots"][0]["weekday"] == "sat"
    assert store.counts().nodes.get("Opportunity", 0) == 0
    # the company's service cannot become an opportunity: a warning names it
    assert any("参加メニュー" in w.message_ja and w.row == 2 for w in report.warnings)
    assert "機関" in str(report) or "支援関係機関" in str(report)


def test_schema_problem_names_file_row_and_json_pointer(store, tmp_path):
    doc = json.loads((EXAMPLES / "other-publisher" / "services.json").read_text(encoding="utf-8"))
    doc[0]["schedules"][0]["freq"] = "DAILY"
    doc[2]["id"] = "not-a-uuid"
    path = tmp_path / "services.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(DomainValidationError) as exc:
        load_hsds(store, path)

    found = {(p.file, p.row, p.field) for p in exc.value.problems}
    assert ("services.json", 1, "/0/schedules/0/freq") in found
    assert ("services.json", 3, "/2/id") in found
    text = str(exc.value)
    assert "services.json 1行目" in text and "uuid" in text
    assert store.counts().total_nodes == 0


def test_required_missing_in_csv_names_the_column(store, tmp_path):
    (tmp_path / "organization.csv").write_text(
        "id,name,description\n0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0100,,説明\n", encoding="utf-8"
    )
    with pytest.raises(DomainValidationError) as exc:
        load_hsds(store, tmp_path)
    [p] = exc.value.problems
    assert (p.file, p.row, p.column) == ("organization.csv", 2, "name")
    assert p.message_ja.startswith("必須項目")


def test_csv_number_column_must_be_a_number(store, tmp_path):
    (tmp_path / "locations.csv").write_text(
        "id,location_type,latitude,longitude\n0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0600,physical,北緯34,136.8\n",
        encoding="utf-8",
    )
    with pytest.raises(DomainValidationError) as exc:
        load_hsds(store, tmp_path)
    assert [(p.row, p.column, p.value) for p in exc.value.problems] == [(2, "latitude", "北緯34")]


def test_conflicting_copies_of_one_object_are_a_problem(store, tmp_path):
    org = {"id": "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0100", "name": "甲", "description": "x"}
    (tmp_path / "organizations.json").write_text(json.dumps([org, {**org, "name": "乙"}]), encoding="utf-8")
    with pytest.raises(DomainValidationError) as exc:
        load_hsds(store, tmp_path)
    assert exc.value.problems[0].row == 2


def test_missing_path_is_reported(store, tmp_path):
    with pytest.raises(DomainValidationError) as exc:
        load_hsds(store, tmp_path / "nothing")
    assert "ありません" in exc.value.problems[0].message_ja


def test_tabular_file_names_follow_tabular_json():
    assert tab.table_path("service_at_location") == "service_at_location.csv"
    assert tab.table_path("organization") == "organizations.csv"
    for name in (
        "organization.csv",
        "organizations.csv",
        "service.csv",
        "taxonomy_terms.csv",
        "attribute.csv",
    ):
        assert tab.csv_file_table(name) is not None
    assert tab.csv_file_table("households.csv") is None


@pytest.mark.parametrize("sub", ["town", "town/tabular"])
def test_town_example_loads(store, sub):
    report = load_hsds(store, EXAMPLES / sub)
    assert report.nodes == {"Agency": 2, "Venue": 1, "Employer": 2, "Opportunity": 4}
    opp = store.get_node(NodeRef(NodeLabel.OPPORTUNITY, "OP-001"))
    assert opp is not None
    assert opp.props["capacity_max"] == 2 and opp.props["capacity_unit"] == "slots"
    assert opp.props["skills_wanted"] == ["配膳", "あいさつ"]
    hosts = store.relationships(opp.ref, direction="out")
    assert {(r.type.value, r.dst.id) for r in hosts} == {("HOSTED_BY", "E-001"), ("IN_AREA", "A-TOSHI")}
