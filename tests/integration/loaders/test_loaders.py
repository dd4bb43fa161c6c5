"""Loaders against the embedded store: the examples load, loads are atomic and idempotent, bad input is
reported with file, row and column and writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, EndpointMissingError, TsunagariError
from graphsvc.store.port import GraphStore, NodeRef
from loaders import load_file
from tests.integration.loaders.conftest import EXAMPLES, ORDER, snapshot

pytestmark = pytest.mark.usefixtures("store_backend")  # embedded and the real Neo4j (tests/conftest.py)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------- good paths


def test_examples_load_and_second_load_changes_nothing(town: GraphStore) -> None:
    counts = town.counts()
    assert counts.nodes["Person"] == 7 and counts.nodes["Household"] == 5 and counts.nodes["Opportunity"] == 6
    assert counts.rels["MEMBER_OF"] == 7 and counts.rels["HOSTED_BY"] == 6
    before = snapshot(town)
    for kind, name in ORDER:
        report = load_file(town, kind, EXAMPLES / name)
        r = report.result
        assert (r.nodes_created, r.nodes_updated, r.rels_created, r.rels_updated) == (0, 0, 0, 0), kind
    assert snapshot(town) == before


def test_persons_create_households_membership_and_areas(town: GraphStore) -> None:
    rels = town.relationships(NodeRef(NodeLabel.PERSON, "P-0003"), types=[RelType.MEMBER_OF])
    assert [(r.dst.id, r.props) for r in rels] == [("H-0002", {"role": "長男"})]
    hh = town.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-0002"))
    assert hh is not None
    assert hh.props["flags"] == ["eighty_fifty", "hikikomori_member"] and hh.props["area_id"] == "A-CHUO"
    in_area = town.relationships(
        NodeRef(NodeLabel.HOUSEHOLD, "H-0002"), types=[RelType.IN_AREA], direction="out"
    )
    assert [r.dst.id for r in in_area] == ["A-CHUO"]  # 「中央地区」 resolved by area name
    # H-0004 has no coordinates: district centre, flagged approximate
    h4 = town.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-0004"))
    assert (
        h4 is not None
        and h4.props["location_approximate"] is True
        and h4.props["location_source"] == "area_centre"
    )


def test_households_file_keeps_what_persons_file_does_not_say(town: GraphStore) -> None:
    h3 = town.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-0003"))
    assert h3 is not None and h3.props["flags"] == ["disability_member", "public_assistance"]
    load_file(town, "persons", EXAMPLES / "persons.csv")  # mentions H-0003 without flags
    h3 = town.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-0003"))
    assert h3 is not None and h3.props["flags"] == ["disability_member", "public_assistance"]


def test_xlsx_opportunities_with_schedule_host_and_title_row(town: GraphStore) -> None:
    o = town.get_node(NodeRef(NodeLabel.OPPORTUNITY, "O-001"))
    assert o is not None
    slots = json.loads(str(o.props["schedule_json"]))["slots"]
    assert [(s["weekday"], s["opens"], s["closes"]) for s in slots] == [
        ("mon", "07:00", "09:00"),
        ("wed", "07:00", "09:00"),
        ("fri", "07:00", "09:00"),
    ]
    assert o.props["hours_per_session"] == 2.0 and o.props["kind"] == "petit_work"
    assert o.props["capacity_max"] == 2 and o.props["capacity_available"] == 1
    hosted = town.relationships(o.ref, types=[RelType.HOSTED_BY], direction="out")
    assert [str(r.dst) for r in hosted] == ["Employer:E-RYOKAN"]
    # host kind left blank: found by id (V-CAFE is a Venue); location taken from the host
    o3 = town.get_node(NodeRef(NodeLabel.OPPORTUNITY, "O-003"))
    assert o3 is not None and o3.props["host_label"] == "Venue" and o3.props["location_source"] == "host"


def test_csv_and_xlsx_of_the_same_catalogue_give_the_same_records(town: GraphStore) -> None:
    report = load_file(town, "opportunities", EXAMPLES / "opportunities.csv")
    assert report.result.nodes_updated == 0 and report.result.nodes_created == 0


def test_kaigo_opendata_cp932(store: GraphStore) -> None:
    raw = (EXAMPLES / "kaigo_opendata.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the example really is CP932
    report = load_file(store, "kaigo-opendata", EXAMPLES / "kaigo_opendata.csv")
    assert report.rows_read == 4 and report.nodes == {"Agency": 4}
    assert report.approximate_locations == 2 and report.approximate_sources == {"municipality_office": 2}
    a = store.get_node(NodeRef(NodeLabel.AGENCY, "2479900001"))
    assert a is not None
    p = a.props
    assert p["kind"] == "care_provider" and p["sectors"] == ["elderly"] and p["capacity_max"] == 30
    assert (p["lat"], p["lon"], p["location_approximate"]) == (34.4829, 136.8447, False)
    assert p["corporation"] == "社会福祉法人みなと会 (架空)" and p["corporate_number"] == "9999999999991"
    assert p["name_kana"] and p["fax"]  # 名称_カナ and FAX番号 are kept
    sched = json.loads(str(p["schedule_json"]))
    assert len(sched["slots"]) == 6 and sched["slots"][0] == {
        "weekday": "mon",
        "opens": "08:30",
        "closes": "17:00",
    }
    assert sched["note"] == "年末年始休み"
    # no 事業所番号: id from code + NO; no coordinates: the municipality office, approximate
    b = store.get_node(NodeRef(NodeLabel.AGENCY, "242110-4"))
    assert b is not None and b.props["location_approximate"] is True
    assert b.props["location_source"] == "municipality_office"
    c = store.get_node(NodeRef(NodeLabel.AGENCY, "2479900002"))
    assert c is not None and c.props["phone"] == "0599-00-1003 内線12" and c.props["address"].endswith("2階")


def test_japanese_and_english_headers_give_the_same_nodes(tmp_path: Path, store: GraphStore) -> None:
    ja = write(
        tmp_path / "ja.csv",
        "居場所ID,名称,種別,分野,曜日,時間帯,定員,緯度,経度\nV1,カフェ,コミュニティカフェ,高齢,月・水,9:00〜11:00,10,34.48,136.84\n",
    )
    en = write(
        tmp_path / "en.csv",
        "id,name,kind,sectors,days,times,capacity,lat,lng\nV1,カフェ,community_cafe,elderly,Mon;Wed,09:00-11:00,10,34.48,136.84\n",
    )
    load_file(store, "venues", ja)
    before = snapshot(store)
    report = load_file(store, "venues", en)
    assert report.result.nodes_updated == 0 and report.result.nodes_created == 0
    assert snapshot(store) == before


def test_unknown_column_is_refused_naming_the_nearest(tmp_path: Path, store: GraphStore) -> None:
    f = write(tmp_path / "e.csv", "事業所ID,事業所名,業積\nE1,店,観光\n")
    problems = _fails(store, "employers", f)
    assert [(p.file, p.row, p.column) for p in problems] == [("e.csv", 1, "業積")]
    assert "業種" in problems[0].message_ja and "nearest" in problems[0].message_en
    assert store.counts().nodes == {}


# ---------------------------------------------------------------- bad input: located errors, nothing written


def _fails(
    store: GraphStore, kind: str, path: Path, exc: type[TsunagariError] = DomainValidationError, **kw: str
):
    before = snapshot(store)
    with pytest.raises(exc) as ei:
        load_file(store, kind, path, **kw)
    assert snapshot(store) == before, "a failed load must write nothing"
    return ei.value.problems


def test_wrong_encoding(tmp_path: Path, town: GraphStore) -> None:
    f = tmp_path / "bad.csv"
    f.write_bytes("機関ID,機関名\nX1,".encode() + b"\x82\xa0\x81")
    (p,) = _fails(town, "agencies", f)
    assert p.file == "bad.csv" and "バイト目" in p.message_ja and "byte offset" in p.message_en


def test_missing_required_column(tmp_path: Path, town: GraphStore) -> None:
    f = write(tmp_path / "v.csv", "種別,名称\n農園,畑\n")
    (p,) = _fails(town, "venues", f)
    assert (p.file, p.row, p.column) == ("v.csv", 1, "居場所ID")
    assert "venue_id" in p.message_ja and "venue_id" in p.message_en


def test_a_new_record_without_a_required_field_is_refused(tmp_path: Path, town: GraphStore) -> None:
    f = write(tmp_path / "v.csv", "居場所ID,種別\nV9,農園\n")
    (p,) = _fails(town, "venues", f)
    assert (p.file, p.row, p.column) == ("v.csv", 2, "名称")
    assert "必須" in p.message_ja


def test_coordinates_outside_japan(tmp_path: Path, town: GraphStore) -> None:
    f = write(tmp_path / "a.csv", "機関ID,機関名,緯度,経度\nX1,よい,34.48,136.84\nX2,わるい,136.84,34.48\n")
    (p,) = _fails(town, "agencies", f)
    assert (p.file, p.row, p.column) == ("a.csv", 3, "緯度")
    assert "日本の範囲外" in p.message_ja and "swapped" in p.message_en


def test_duplicate_id_in_file(tmp_path: Path, town: GraphStore) -> None:
    f = write(tmp_path / "e.csv", "事業所ID,事業所名\nE9,一\nE8,二\nE9,三\n")
    (p,) = _fails(town, "employers", f)
    assert (p.file, p.row, p.column, p.value) == ("e.csv", 4, "事業所ID", "E9")
    assert "2行目" in p.message_ja


def test_unknown_sector(tmp_path: Path, town: GraphStore) -> None:
    f = write(tmp_path / "ag.csv", "機関ID,機関名,分野\nX1,よい,高齢\nX2,わるい,宇宙開発\n")
    (p,) = _fails(town, "agencies", f)
    assert (p.file, p.row, p.column, p.value) == ("ag.csv", 3, "分野", "宇宙開発")
    assert "高齢(介護)" in p.message_ja and "elderly" in p.message_en


def test_negative_capacity(tmp_path: Path, town: GraphStore) -> None:
    f = write(tmp_path / "v.csv", "居場所ID,名称,定員\nV8,よい,3\nV9,わるい,-2\n")
    (p,) = _fails(town, "venues", f)
    assert (p.file, p.row, p.column) == ("v.csv", 3, "定員")
    assert "0以上" in p.message_ja


def test_all_problems_are_collected(tmp_path: Path, town: GraphStore) -> None:
    f = write(tmp_path / "v.csv", "居場所ID,名称,定員,分野,曜日,時間帯\nV8,よい,-1,宇宙,月,\nV9,,2,高齢,,\n")
    problems = _fails(town, "venues", f)
    assert {(p.row, p.column) for p in problems} >= {(2, "定員"), (2, "分野"), (2, "時間帯"), (3, "名称")}


def test_relationship_endpoint_missing(tmp_path: Path, town: GraphStore) -> None:
    f = write(
        tmp_path / "t.csv",
        "関係,始点ID,終点種別,終点ID\n連携,AG-HOKATSU,機関,AG-KIKAN\n支援を受ける,H-0001,機関,AG-NOWHERE\n",
    )
    problems = _fails(town, "ties", f, EndpointMissingError)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [("t.csv", 3, "終点ID", "AG-NOWHERE")]


def test_relationship_endpoint_may_be_in_the_same_file(tmp_path: Path, store: GraphStore) -> None:
    f = write(tmp_path / "p.csv", "個人ID,世帯ID\nP1,H1\nP2,H1\n")
    report = load_file(store, "persons", f)
    assert report.result.rels_created == 2 and store.counts().nodes == {"Household": 1, "Person": 2}


def test_excel_merged_header_cells(tmp_path: Path, town: GraphStore) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一覧"
    ws.append(["メニューID", "名称", "種類", "時間帯", ""])
    ws.append(["O-9", "清掃", "プチ勤務", "9:00〜10:00", ""])
    ws.merge_cells("D1:E1")
    f = tmp_path / "merged.xlsx"
    wb.save(f)
    (p,) = _fails(town, "opportunities", f)
    assert (
        p.file == "merged.xlsx [一覧]" and p.row == 1 and "D1:E1" in p.message_ja and "merged" in p.message_en
    )


def test_excel_named_sheet(tmp_path: Path, store: GraphStore) -> None:
    shutil.copy(EXAMPLES / "opportunities.xlsx", tmp_path / "o.xlsx")
    problems = _fails(store, "opportunities", tmp_path / "o.xlsx", sheet="ない")
    assert "プチ勤務カタログ" in problems[0].message_ja


def test_atomic_one_bad_row_writes_nothing(tmp_path: Path, store: GraphStore) -> None:
    rows = "\n".join(f"E{i},店{i}" for i in range(100))
    f = write(tmp_path / "e.csv", f"事業所ID,事業所名\n{rows}\nbad id!,店\n", encoding="cp932")
    problems = _fails(store, "employers", f)
    assert [(p.row, p.column) for p in problems] == [(102, "事業所ID")]
    assert store.counts().total_nodes == 0


def test_household_flags_of_the_path_analysis_load_in_japanese_and_english(
    tmp_path: Path, store: GraphStore
) -> None:
    """ダブルケア, ヤングケアラー, 8050 and 社会的孤立 (issue 12) load from a household list in Japanese or as codes;
    an unknown situation is refused naming the row, the column and the value, and nothing is written."""
    f = write(
        tmp_path / "hh.csv",
        "世帯ID,世帯人数,世帯の状況\n"
        "H1,4,ダブルケア、ヤングケアラー\n"
        "H2,2,8050世帯、社会的孤立\n"
        'H3,3,"double_care, social_isolation"\n',
    )
    load_file(store, "households", f)
    got = {h: store.get_node(NodeRef(NodeLabel.HOUSEHOLD, h)) for h in ("H1", "H2", "H3")}
    assert {h: (n.props["flags"] if n else None) for h, n in got.items()} == {
        "H1": ["double_care", "young_carer"],
        "H2": ["eighty_fifty", "social_isolation"],
        "H3": ["double_care", "social_isolation"],
    }
    before = snapshot(store)
    bad = write(tmp_path / "bad.csv", "世帯ID,世帯人数,世帯の状況\nH4,1,ダブルケア\nH5,1,トリプルケア\n")
    (p,) = _fails(store, "households", bad)
    assert (p.file, p.row, p.column, p.value) == ("bad.csv", 3, "世帯の状況", "トリプルケア")
    assert "ダブルケア" in p.message_ja
    assert snapshot(store) == before
