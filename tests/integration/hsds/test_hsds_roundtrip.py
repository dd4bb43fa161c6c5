"""HSDS 3.0 export → import through the embedded store: the resource part of the graph comes back identical."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphsvc.bootstrap import build
from graphsvc.domain import (
    Agency,
    AgencyKind,
    Area,
    Capacity,
    CapacityUnit,
    DomainValidationError,
    Employer,
    GeoPoint,
    NodeLabel,
    Opportunity,
    OpportunityKind,
    RelType,
    Schedule,
    ScheduleSlot,
    Sector,
    Venue,
    VenueKind,
    Weekday,
    to_props,
)
from graphsvc.hsds import export_hsds, load_hsds
from graphsvc.hsds import schema as tab
from graphsvc.hsds.tabular import read_csv_table
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch

RESOURCE = (NodeLabel.AGENCY, NodeLabel.VENUE, NodeLabel.EMPLOYER, NodeLabel.OPPORTUNITY)


def sample_batch() -> WriteBatch:
    """A small synthetic town: two areas, two agencies, a venue, two employers, four opportunities."""
    areas = [
        Area(id="A-TOSHI", name="答志地区", kind="district"),
        Area(id="A-CENTER", name="中央圏域", kind="daily_living_area"),
    ]
    weekly = Schedule(
        slots=(
            ScheduleSlot(weekday=Weekday.MON, opens="08:30", closes="17:15"),
            ScheduleSlot(weekday=Weekday.FRI, opens="08:30", closes="17:15"),
        ),
        note="祝日・年末年始は休み",
    )
    agencies = [
        Agency(
            id="AG-001",
            name="中央地域包括支援センター",
            kind=AgencyKind.COMPREHENSIVE_CARE_CENTER,
            sectors=[Sector.ELDERLY, Sector.COMMUNITY],
            area_id="A-CENTER",
            location=GeoPoint(lat=34.4812, lon=136.8431, source="住所"),
            address="三重県鳥羽市鳥羽三丁目1番1号",
            phone="0599-00-0001",
            url="https://example.jp/houkatsu",
            corporation="社会福祉法人つながり会",
            corporate_number="1234567890123",
            office_number="2470000001",
            services=["総合相談", "権利擁護"],
            schedule=weekly,
            capacity=Capacity(maximum=120, available=8, unit=CapacityUnit.PERSONS),
            caseload_limit=40,
        ),
        Agency(
            id="AG-002",
            name="自立相談支援窓口",
            kind=AgencyKind.SELF_RELIANCE_SUPPORT,
            sectors=[Sector.POVERTY],
        ),
    ]
    venue = Venue(
        id="V-001",
        name="みなとカフェ",
        kind=VenueKind.COMMUNITY_CAFE,
        sectors=[Sector.COMMUNITY, Sector.CHILD],
        area_id="A-TOSHI",
        location=GeoPoint(lat=34.5201, lon=136.8702, approximate=True, source="地区中心"),
        address="答志町123",
        schedule=Schedule(slots=(ScheduleSlot(weekday=Weekday.WED, opens="10:00", closes="15:00"),)),
        capacity=Capacity(maximum=15, unit=CapacityUnit.PERSONS),
        activities=["喫茶", "おしゃべり会"],
    )
    employers = [
        Employer(
            id="E-001",
            name="株式会社しおさい旅館",
            industry="観光",
            sectors=[Sector.EMPLOYMENT],
            area_id="A-TOSHI",
            location=GeoPoint(lat=34.5188, lon=136.8677),
            address="三重県鳥羽市答志町456",
        ),
        Employer(id="E-002", name="ひだまり作業所", industry="福祉", welfare_workplace=True),
    ]
    opps = [
        Opportunity(
            id="OP-001",
            title="旅館の朝食配膳 (プチ勤務)",
            kind=OpportunityKind.PETIT_WORK,
            host_id="E-001",
            host_label=NodeLabel.EMPLOYER,
            description="朝7時から2時間、配膳と片付け。",
            sectors=[Sector.EMPLOYMENT, Sector.POVERTY],
            provides=["収入", "日中活動"],
            schedule=Schedule(
                slots=(
                    ScheduleSlot(weekday=Weekday.SAT, opens="07:00", closes="09:00"),
                    ScheduleSlot(weekday=Weekday.SUN, opens="07:00", closes="09:00"),
                )
            ),
            hours_per_session=2.0,
            difficulty=2,
            contact_load=3,
            physical_load=2,
            skills_wanted=["配膳", "あいさつ"],
            support=["声かけ", "見守り"],
            contact_person="女将",
            capacity=Capacity(maximum=2, available=1, unit=CapacityUnit.SLOTS),
            area_id="A-TOSHI",
        ),
        Opportunity(
            id="OP-002",
            title="カフェの食器洗い",
            kind=OpportunityKind.IBASHO,
            host_id="V-001",
            host_label=NodeLabel.VENUE,
            schedule=Schedule(slots=(ScheduleSlot(weekday=Weekday.WED, opens="13:00", closes="15:00"),)),
            location=GeoPoint(lat=34.5202, lon=136.8703),
            accessibility=["段差なし"],
        ),
        Opportunity(
            id="OP-003",
            title="在宅の封入作業",
            kind=OpportunityKind.REMOTE_TASK,
            host_id="AG-002",
            host_label=NodeLabel.AGENCY,
            remote=True,
            capacity=Capacity(maximum=5, unit=CapacityUnit.PERSONS),
        ),
        Opportunity(id="OP-004", title="B型の空き定員", kind=OpportunityKind.TYPE_B_PLACE, physical_load=4),
    ]
    batch = WriteBatch()
    for rec in [*areas, *agencies, venue, *employers, *opps]:
        batch.nodes.append(NodeRow(rec.label, rec.id, to_props(rec)))

    def rel(t: RelType, src: tuple[NodeLabel, str], dst: tuple[NodeLabel, str]) -> RelRow:
        return RelRow(t, NodeRef(*src), NodeRef(*dst))

    batch.rels += [
        rel(RelType.HOSTED_BY, (NodeLabel.OPPORTUNITY, "OP-001"), (NodeLabel.EMPLOYER, "E-001")),
        rel(RelType.HOSTED_BY, (NodeLabel.OPPORTUNITY, "OP-002"), (NodeLabel.VENUE, "V-001")),
        rel(RelType.HOSTED_BY, (NodeLabel.OPPORTUNITY, "OP-003"), (NodeLabel.AGENCY, "AG-002")),
        rel(RelType.IN_AREA, (NodeLabel.AGENCY, "AG-001"), (NodeLabel.AREA, "A-CENTER")),
        rel(RelType.IN_AREA, (NodeLabel.VENUE, "V-001"), (NodeLabel.AREA, "A-TOSHI")),
        rel(RelType.IN_AREA, (NodeLabel.EMPLOYER, "E-001"), (NodeLabel.AREA, "A-TOSHI")),
        rel(RelType.IN_AREA, (NodeLabel.OPPORTUNITY, "OP-001"), (NodeLabel.AREA, "A-TOSHI")),
    ]
    return batch


def resource_graph(store: GraphStore) -> tuple[dict[NodeRef, dict], set[tuple[str, NodeRef, NodeRef]]]:
    nodes = {n.ref: dict(n.props) for label in RESOURCE for n in store.iter_nodes(label)}
    rels = {
        (r.type.value, r.src, r.dst)
        for t in (RelType.HOSTED_BY, RelType.IN_AREA)
        for r in store.iter_rels(t)
        if r.src.label in RESOURCE
    }
    return nodes, rels


@pytest.fixture
def source(tmp_path: Path) -> GraphStore:
    c = build(data_dir=tmp_path / "src")
    store = c.store("testtown")
    store.write(sample_batch())
    yield store
    c.close()


@pytest.fixture
def fresh(tmp_path: Path) -> GraphStore:
    c = build(data_dir=tmp_path / "dst")
    store = c.store("testtown")
    yield store
    c.close()


def test_json_round_trip_restores_nodes_props_and_relationships(source, fresh, tmp_path):
    report = export_hsds(source, tmp_path / "out")
    assert report.nodes == {"Agency": 2, "Venue": 1, "Employer": 2, "Opportunity": 4}
    assert "HSDS" in str(report)

    loaded = load_hsds(fresh, tmp_path / "out")

    assert loaded.nodes == {"Agency": 2, "Venue": 1, "Employer": 2, "Opportunity": 4}
    assert loaded.rels == {"HOSTED_BY": 3, "IN_AREA": 4}
    assert loaded.areas_created == 2
    assert resource_graph(fresh) == resource_graph(source)
    # the areas were created with their names and kinds
    assert fresh.get_node(NodeRef(NodeLabel.AREA, "A-CENTER")).props["kind"] == "daily_living_area"
    assert fresh.get_node(NodeRef(NodeLabel.AREA, "A-TOSHI")).props["name"] == "答志地区"


def test_tabular_round_trip(source, fresh, tmp_path):
    export_hsds(source, tmp_path / "out")
    loaded = load_hsds(fresh, tmp_path / "out" / "tabular")
    assert loaded.nodes == {"Agency": 2, "Venue": 1, "Employer": 2, "Opportunity": 4}
    assert resource_graph(fresh) == resource_graph(source)


def test_export_is_deterministic_and_reimport_changes_nothing(source, tmp_path):
    export_hsds(source, tmp_path / "a")
    export_hsds(source, tmp_path / "b")
    for name in ("organizations.json", "services.json", "tabular/attributes.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    again = load_hsds(source, tmp_path / "a")
    assert again.result.nodes_created == 0
    assert again.result.nodes_updated == 0
    assert again.result.rels_created == 0


def test_every_exported_document_validates(source, tmp_path):
    export_hsds(source, tmp_path / "out")
    for table, fname in {
        "organization": "organizations.json",
        "service": "services.json",
        "service_at_location": "service_at_locations.json",
        "location": "locations.json",
        "taxonomy_term": "taxonomy_terms.json",
        "taxonomy": "taxonomies.json",
    }.items():
        docs = json.loads((tmp_path / "out" / fname).read_text(encoding="utf-8"))
        assert docs, fname
        v = tab.document_validator(table)
        for doc in docs:
            errors = [e.message for e in v.iter_errors(doc)]
            assert errors == [], (fname, doc["id"], errors)
    for table in tab.TABLES:
        path = tmp_path / "out" / "tabular" / tab.table_path(table)
        header, rows = read_csv_table(path, table)
        assert header == tab.table_columns(table)
        v = tab.row_validator(table)
        for _line, raw in rows:
            typed, bad = tab.typed_row(table, raw)
            assert bad == []
            assert [e.message for e in v.iter_errors(typed)] == [], (path.name, raw)


def test_exported_service_carries_hsds_fields(source, tmp_path):
    export_hsds(source, tmp_path / "out")
    services = json.loads((tmp_path / "out" / "services.json").read_text(encoding="utf-8"))
    svc = next(s for s in services if s["name"] == "旅館の朝食配膳 (プチ勤務)")
    assert svc["status"] == "active"
    assert svc["organization"]["name"] == "株式会社しおさい旅館"
    assert svc["organization_id"] == svc["organization"]["id"]
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in svc["schedules"]] == [
        ("WEEKLY", "SA", "07:00:00", "09:00:00"),
        ("WEEKLY", "SU", "07:00:00", "09:00:00"),
    ]
    values = {(a["taxonomy_term"]["code"], a.get("value")) for a in svc["attributes"]}
    assert ("capacity.maximum", "2") in values
    assert ("capacity.available", "1") in values
    assert ("capacity.unit", "slots") in values
    assert ("contact_load", "3") in values
    assert ("Opportunity.petit_work", "petit_work") in values
    sector_names = {a["taxonomy_term"]["name"] for a in svc["attributes"] if a["link_type"] == "sector"}
    assert sector_names == {"労働", "生活困窮"}
    # the opportunity has no point of its own: it is offered at the host's location
    [sal] = svc["service_at_locations"]
    assert sal["location"]["latitude"] == 34.5188
    assert sal["location"]["addresses"][0]["state_province"] == "三重県"
    assert sal["location"]["addresses"][0]["city"] == "鳥羽市"


def test_hostless_opportunity_belongs_to_town_placeholder(source, tmp_path):
    export_hsds(source, tmp_path / "out")
    with open(tmp_path / "out" / "tabular" / "services.csv", encoding="utf-8") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    orgs = {
        o["id"]: o for o in json.loads((tmp_path / "out" / "organizations.json").read_text(encoding="utf-8"))
    }
    assert orgs[rows["B型の空き定員"]["organization_id"]]["name"] == "testtown"


def test_invalid_input_writes_nothing_and_names_the_place(source, fresh, tmp_path):
    export_hsds(source, tmp_path / "out")
    tdir = tmp_path / "out" / "tabular"
    path = tdir / "schedules.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        cols = list(rows[0].keys())
    rows[1]["freq"] = "DAILY"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(DomainValidationError) as exc:
        load_hsds(fresh, tdir)
    [p] = exc.value.problems
    assert (p.file, p.row, p.column) == ("schedules.csv", 3, "freq")
    assert p.message_ja.startswith("次のいずれか")
    assert fresh.counts().total_nodes == 0


def test_record_problem_in_json_writes_nothing(source, fresh, tmp_path):
    export_hsds(source, tmp_path / "out")
    path = tmp_path / "out" / "services.json"
    services = json.loads(path.read_text(encoding="utf-8"))
    for a in services[-1]["attributes"]:
        if a["taxonomy_term"]["code"] == "difficulty":
            a["value"] = "9"
    path.write_text(json.dumps(services, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DomainValidationError) as exc:
        load_hsds(fresh, path)
    assert any(p.field == "difficulty" and "5以下" in p.message_ja for p in exc.value.problems)
    assert fresh.counts().total_nodes == 0


def test_services_carry_last_modified_from_the_store(source, fresh, tmp_path):
    export_hsds(source, tmp_path / "out")
    services = json.loads((tmp_path / "out" / "services.json").read_text(encoding="utf-8"))
    node_of = {
        a["value"]: s for s in services for a in s["attributes"] if a["taxonomy_term"]["code"] == "_node"
    }
    assert len(node_of) == 7  # two agencies, a venue, four opportunities (employers have no service)
    for key, svc in node_of.items():
        label, _, nid = key.partition(":")
        node = source.get_node(NodeRef(NodeLabel(label), nid))
        assert node is not None and node.modified is not None
        assert svc["last_modified"].endswith("Z")
        assert datetime.fromisoformat(svc["last_modified"]) == node.modified
    # the tabular form has the column too, and it validates (test_every_exported_document_validates)
    with (tmp_path / "out" / "tabular" / tab.table_path("service")).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["last_modified"] for r in rows} == {s["last_modified"] for s in services}

    # on import the store keeps its own time: last_modified is no record field
    t0 = datetime.now(UTC)
    load_hsds(fresh, tmp_path / "out")
    for label in RESOURCE:
        for n in fresh.iter_nodes(label):
            assert "last_modified" not in n.props
            assert n.modified is not None and n.modified >= t0


def test_unknown_time_means_no_last_modified(source, tmp_path):
    import sqlite3

    with sqlite3.connect(source.path) as raw:  # as rows written before schema 2 read
        raw.execute("UPDATE nodes SET modified = NULL WHERE label = 'Opportunity' AND id = 'OP-001'")
    raw.close()
    export_hsds(source, tmp_path / "out")  # validates every document and row
    services = json.loads((tmp_path / "out" / "services.json").read_text(encoding="utf-8"))
    undated = [s for s in services if "last_modified" not in s]
    assert len(undated) == 1
    assert {a["value"] for a in undated[0]["attributes"] if a["taxonomy_term"]["code"] == "_node"} == {
        "Opportunity:OP-001"
    }
