"""The ingestion contract (loaders/contract.py) on the municipal loaders: an empty cell or a missing column keeps the
stored value, clearing is explicit (#消去, --blank clear), the change set says what a load creates, changes and
leaves alone (and a dry run writes nothing), relationships follow their fields, natural keys match, and damaged or
implausible input is refused naming file, row and column with the store untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, EndpointMissingError, TsunagariError
from graphsvc.store.port import GraphStore, NodeRef
from loaders import load_file
from tests.integration.loaders.conftest import EXAMPLES, ORDER, snapshot

pytestmark = pytest.mark.usefixtures("store_backend")  # embedded and the real Neo4j (tests/conftest.py)


def csv_file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def refused(store: GraphStore, kind: str, path: Path, **kw: str) -> list:
    before = snapshot(store)
    with pytest.raises(TsunagariError) as ei:
        load_file(store, kind, path, **kw)
    assert snapshot(store) == before, "a refused load must change nothing"
    return ei.value.problems


def props(store: GraphStore, label: NodeLabel, id_: str) -> dict:
    row = store.get_node(NodeRef(label, id_))
    assert row is not None
    return dict(row.props)


# ---------------------------------------------------------------- updates never erase by accident


def test_empty_cell_and_missing_column_keep_the_stored_value(tmp_path: Path, town: GraphStore) -> None:
    before = props(town, NodeLabel.PERSON, "P-0001")
    assert before["birth_year"] == 1938 and before["notes"] == "日中独居"
    f = csv_file(tmp_path, "p.csv", "個人ID,氏名,生年,備考\nP-0001,海野 ハナコ (架空),,\n")
    report = load_file(town, "persons", f)
    after = props(town, NodeLabel.PERSON, "P-0001")
    assert after["name"] == "海野 ハナコ (架空)"
    assert {k: v for k, v in after.items() if k != "name"} == {k: v for k, v in before.items() if k != "name"}
    ch = report.changes
    assert [c.ref.id for c in ch.changed] == ["P-0001"]
    assert [(fc.field, fc.old, fc.new) for fc in ch.changed[0].fields] == [
        ("name", "海野 ハナ (架空)", "海野 ハナコ (架空)")
    ]
    assert ch.created == [] and ch.cleared == []
    # the household the row does not describe is untouched, its membership too
    assert town.relationships(NodeRef(NodeLabel.PERSON, "P-0001"), types=[RelType.MEMBER_OF])[0].props == {
        "role": "世帯主"
    }


def test_a_file_cut_short_in_a_row_is_refused(tmp_path: Path, town: GraphStore) -> None:
    text = (EXAMPLES / "persons.csv").read_text(encoding="utf-8")
    cut = text[: text.index("P-0003") + 12] + "\n"  # the row ends after 「汐見」
    problems = refused(town, "persons", csv_file(tmp_path, "cut.csv", cut))
    assert [(p.file, p.row) for p in problems] == [("cut.csv", 4)]
    assert "セルの数" in problems[0].message_ja and "cut short" in problems[0].message_en
    # cut without a final line break: refused even when the last row happens to have every cell
    whole_rows = text[: text.rindex("\n")]
    problems = refused(town, "persons", csv_file(tmp_path, "cut2.csv", whole_rows))
    assert "改行" in problems[0].message_ja and problems[0].row == text.count("\n")


def test_clear_marker_clears_one_field_and_is_shown(tmp_path: Path, town: GraphStore) -> None:
    f = csv_file(tmp_path, "p.csv", "個人ID,備考,要介護度\nP-0001,＃消去,\nP-0002,#clear,#消去\n")
    dry = load_file(town, "persons", f, dry_run=True)
    assert sorted((str(r), fld) for r, fld in dry.changes.cleared) == [
        ("Person:P-0001", "notes"),
        ("Person:P-0002", "care_level"),
    ]  # P-0002 has no notes to clear
    assert any("消去する項目" in line and "notes" in line for line in dry.change_lines())
    assert props(town, NodeLabel.PERSON, "P-0001")["notes"] == "日中独居", "a dry run writes nothing"
    load_file(town, "persons", f)
    assert "notes" not in props(town, NodeLabel.PERSON, "P-0001")
    assert "care_level" not in props(town, NodeLabel.PERSON, "P-0002")
    assert props(town, NodeLabel.PERSON, "P-0001")["care_level"] == "要支援2"


def test_blank_clear_clears_empty_cells_of_present_columns_only(tmp_path: Path, town: GraphStore) -> None:
    f = csv_file(tmp_path, "p.csv", "個人ID,備考\nP-0001,\n")
    report = load_file(town, "persons", f, blank="clear")
    assert [(str(r), fld) for r, fld in report.changes.cleared] == [("Person:P-0001", "notes")]
    after = props(town, NodeLabel.PERSON, "P-0001")
    assert "notes" not in after and after["birth_year"] == 1938  # 生年 is not a column of this file


def test_a_required_field_cannot_be_cleared(tmp_path: Path, town: GraphStore) -> None:
    f = csv_file(tmp_path, "a.csv", "機関ID,機関名\nAG-HOKATSU,#消去\n")
    problems = refused(town, "agencies", f)
    assert [(p.row, p.column) for p in problems] == [(2, "機関名")]
    problems = refused(
        town, "agencies", csv_file(tmp_path, "b.csv", "機関ID,機関名\nAG-HOKATSU,\n"), blank="clear"
    )
    assert [(p.row, p.column) for p in problems] == [(2, "機関名")]


def test_clear_marker_in_an_id_column_is_an_error(tmp_path: Path, town: GraphStore) -> None:
    problems = refused(town, "agencies", csv_file(tmp_path, "a.csv", "機関ID,機関名\n#消去,なにか\n"))
    assert {p.column for p in problems} == {"機関ID"}


def test_dry_run_lists_created_changed_and_unchanged_and_writes_nothing(
    tmp_path: Path, town: GraphStore
) -> None:
    before = snapshot(town)
    f = csv_file(
        tmp_path,
        "e.csv",
        "事業所ID,事業所名,業種\nE-RYOKAN,海辺の宿 なぎさ (架空),宿泊\nE-GYOKYO,,\nE-NEW,新しい店,小売\n",
    )
    report = load_file(town, "employers", f, dry_run=True)
    assert snapshot(town) == before
    ch = report.changes
    assert [str(r) for r in ch.created] == ["Employer:E-NEW"]
    assert [(c.ref.id, [(fc.field, fc.old, fc.new) for fc in c.fields]) for c in ch.changed] == [
        ("E-RYOKAN", [("industry", "観光", "宿泊")])
    ]
    assert ch.unchanged == 1
    lines = "\n".join(report.change_lines())
    assert "新規 1" in lines and "変更 1" in lines and "変更なし 1" in lines and "業種 (industry)" in lines
    real = load_file(town, "employers", f)
    assert real.changes.counts() == ch.counts()
    assert (real.result.nodes_created, real.result.nodes_updated) == (1, 1)


def test_capacity_available_alone_keeps_the_maximum(tmp_path: Path, town: GraphStore) -> None:
    assert props(town, NodeLabel.VENUE, "V-CAFE")["capacity_max"] == 20
    load_file(town, "venues", csv_file(tmp_path, "v.csv", "居場所ID,空き\nV-CAFE,3\n"))
    p = props(town, NodeLabel.VENUE, "V-CAFE")
    assert (p["capacity_max"], p["capacity_available"]) == (20, 3)
    problems = refused(town, "venues", csv_file(tmp_path, "w.csv", "居場所ID,空き\nV-CAFE,30\n"))
    assert [(p.row, p.column) for p in problems] == [(2, "定員")] or problems[0].row == 2


def test_schedule_note_alone_keeps_the_slots(tmp_path: Path, town: GraphStore) -> None:
    slots = json.loads(str(props(town, NodeLabel.VENUE, "V-CAFE")["schedule_json"]))["slots"]
    load_file(town, "venues", csv_file(tmp_path, "v.csv", "居場所ID,特記事項\nV-CAFE,お盆休み\n"))
    sched = json.loads(str(props(town, NodeLabel.VENUE, "V-CAFE")["schedule_json"]))
    assert sched["slots"] == slots and sched["note"] == "お盆休み"


def test_a_derived_point_never_replaces_a_stored_exact_one(tmp_path: Path, town: GraphStore) -> None:
    exact = props(town, NodeLabel.HOUSEHOLD, "H-0001")
    assert exact["location_approximate"] is False
    # a households file naming the same area without coordinates: the district centre is not taken
    load_file(town, "households", csv_file(tmp_path, "h.csv", "世帯ID,地区ID,世帯人数\nH-0001,A-TOSHI,1\n"))
    after = props(town, NodeLabel.HOUSEHOLD, "H-0001")
    assert (after["lat"], after["lon"], after["location_approximate"]) == (
        exact["lat"],
        exact["lon"],
        False,
    )
    # moved to another area: the old exact point is wrong, the new district centre is taken
    load_file(town, "households", csv_file(tmp_path, "m.csv", "世帯ID,地区ID\nH-0001,A-KAMO\n"))
    moved = props(town, NodeLabel.HOUSEHOLD, "H-0001")
    assert moved["location_approximate"] is True and moved["location_source"] == "area_centre"


# ---------------------------------------------------------------- relationships follow their fields


def test_changing_an_area_moves_the_in_area_relationship(tmp_path: Path, town: GraphStore) -> None:
    ref = NodeRef(NodeLabel.AGENCY, "AG-HOKATSU")
    assert [r.dst.id for r in town.relationships(ref, types=[RelType.IN_AREA], direction="out")] == ["A-CHUO"]
    report = load_file(
        town, "agencies", csv_file(tmp_path, "a.csv", "機関ID,機関名,地区ID\nAG-HOKATSU,包括,A-KAMO\n")
    )
    assert [r.dst.id for r in town.relationships(ref, types=[RelType.IN_AREA], direction="out")] == ["A-KAMO"]
    assert [(t.value, str(d)) for t, _s, d in report.changes.rels_deleted] == [("IN_AREA", "Area:A-CHUO")]
    load_file(town, "agencies", csv_file(tmp_path, "b.csv", "機関ID,地区ID\nAG-HOKATSU,#消去\n"))
    assert town.relationships(ref, types=[RelType.IN_AREA], direction="out") == []
    assert "area_id" not in props(town, NodeLabel.AGENCY, "AG-HOKATSU")


def test_moving_a_person_moves_the_membership_and_keeps_the_role(tmp_path: Path, town: GraphStore) -> None:
    p = NodeRef(NodeLabel.PERSON, "P-0003")
    load_file(town, "persons", csv_file(tmp_path, "p.csv", "個人ID,世帯ID\nP-0003,H-0005\n"))
    rels = town.relationships(p, types=[RelType.MEMBER_OF], direction="out")
    assert [(r.dst.id, r.props) for r in rels] == [("H-0005", {})]
    load_file(town, "persons", csv_file(tmp_path, "q.csv", "個人ID,世帯ID,続柄\nP-0003,H-0002,長男\n"))
    load_file(town, "persons", csv_file(tmp_path, "r.csv", "個人ID,世帯ID,続柄\nP-0003,H-0002,\n"))
    rels = town.relationships(p, types=[RelType.MEMBER_OF], direction="out")
    assert [(r.dst.id, r.props) for r in rels] == [("H-0002", {"role": "長男"})]


def test_place_columns_without_a_household_id_describe_the_stored_household(
    tmp_path: Path, town: GraphStore
) -> None:
    load_file(town, "persons", csv_file(tmp_path, "p.csv", "個人ID,世帯人数\nP-0002,3\n"))
    assert props(town, NodeLabel.HOUSEHOLD, "H-0002")["size"] == 3
    assert town.get_node(NodeRef(NodeLabel.HOUSEHOLD, "H-P-0002")) is None
    assert props(town, NodeLabel.PERSON, "P-0002")["household_id"] == "H-0002"


def test_case_agency_list_given_in_full_replaces_the_handlers(tmp_path: Path, town: GraphStore) -> None:
    ref = NodeRef(NodeLabel.CASE, "C-001")
    before = {r.dst.id: r.props["lead"] for r in town.relationships(ref, types=[RelType.HANDLED_BY])}
    assert before == {"AG-HOKATSU": True, "AG-JIRITSU": False}
    load_file(
        town, "cases", csv_file(tmp_path, "c.csv", "ケースID,担当機関ID\nC-001,AG-JIRITSU、AG-SHAKYO\n")
    )
    after = {r.dst.id: r.props["lead"] for r in town.relationships(ref, types=[RelType.HANDLED_BY])}
    assert after == {"AG-JIRITSU": True, "AG-SHAKYO": False}
    load_file(town, "cases", csv_file(tmp_path, "d.csv", "ケースID,主担当機関ID\nC-001,AG-SHAKYO\n"))
    after = {r.dst.id: r.props["lead"] for r in town.relationships(ref, types=[RelType.HANDLED_BY])}
    assert after == {"AG-JIRITSU": False, "AG-SHAKYO": True}


# ---------------------------------------------------------------- natural keys


def test_kaigo_without_office_numbers_matches_existing_agencies(tmp_path: Path, town: GraphStore) -> None:
    before = town.counts().nodes["Agency"]
    text = (EXAMPLES / "kaigo_opendata.csv").read_bytes().decode("cp932")
    lines = text.splitlines()
    header = lines[0].split(",")
    col = header.index("事業所番号")
    stripped = (
        "\r\n".join(",".join(c for j, c in enumerate(line.split(",")) if j != col) for line in lines) + "\r\n"
    )
    report = load_file(town, "kaigo-opendata", csv_file(tmp_path, "k.csv", stripped, "cp932"))
    assert town.counts().nodes["Agency"] == before, "no duplicates when 事業所番号 is missing"
    assert report.changes.created == []
    blanked = "\r\n".join(
        ",".join("" if j == col and i else c for j, c in enumerate(line.split(",")))
        for i, line in enumerate(lines)
    )
    load_file(town, "kaigo-opendata", csv_file(tmp_path, "b.csv", blanked + "\r\n", "cp932"))
    assert town.counts().nodes["Agency"] == before


def test_kaigo_office_number_matches_an_agency_with_another_id(tmp_path: Path, store: GraphStore) -> None:
    load_file(
        store,
        "agencies",
        csv_file(tmp_path, "a.csv", "機関ID,機関名,事業所番号\nAG-1,デイうみかぜ,2479900001\n"),
    )
    load_file(store, "kaigo-opendata", EXAMPLES / "kaigo_opendata.csv")
    assert store.get_node(NodeRef(NodeLabel.AGENCY, "2479900001")) is None
    a = props(store, NodeLabel.AGENCY, "AG-1")
    assert a["name"] == "デイサービスうみかぜ (架空)" and a["kind"] == "other"  # kind kept: not new


def test_kaigo_row_number_id_of_another_agency_is_refused(tmp_path: Path, store: GraphStore) -> None:
    header = "都道府県コード又は市区町村コード,NO,介護サービス事業所名称\n"
    load_file(store, "kaigo-opendata", csv_file(tmp_path, "a.csv", header + "242110,7,デイA\n"))
    problems = refused(store, "kaigo-opendata", csv_file(tmp_path, "b.csv", header + "242110,7,デイB\n"))
    assert [(p.row, p.column) for p in problems] == [(2, "NO")]


# ---------------------------------------------------------------- refused input


def test_duplicate_ids_same_content_warn_other_content_refused(tmp_path: Path, store: GraphStore) -> None:
    report = load_file(store, "employers", csv_file(tmp_path, "e.csv", "事業所ID,事業所名\nE1,店\nE1,店\n"))
    assert store.counts().nodes == {"Employer": 1} and any("重複" in w for w in report.warnings)
    problems = refused(
        store, "employers", csv_file(tmp_path, "f.csv", "事業所ID,事業所名,業種\nE2,店,a\nE2,店,b\n")
    )
    assert [(p.row, p.column) for p in problems] == [(3, "事業所ID")] and "業種" in problems[0].message_ja


@pytest.mark.parametrize(
    ("kind", "text", "column"),
    [
        ("persons", "個人ID,生年\nP-9,2999\n", "生年"),
        ("persons", "個人ID,生年\nP-9,1850-01-01\n", "生年"),
        ("cases", "ケースID,受付日\nC-9,2999-01-01\n", "受付日"),
        ("cases", "ケースID,受付日\nC-9,1899/12/31\n", "受付日"),
        ("cases", "ケースID,終結日\nC-9,2024-02-30\n", "終結日"),
        ("ties", "関係,始点ID,終点ID,開始日\n連携,AG-HOKATSU,AG-KIKAN,3024-01-01\n", "開始日"),
    ],
)
def test_implausible_dates_are_refused(
    tmp_path: Path, town: GraphStore, kind: str, text: str, column: str
) -> None:
    problems = refused(town, kind, csv_file(tmp_path, "d.csv", text))
    assert [(p.file, p.row, p.column) for p in problems] == [("d.csv", 2, column)]


def test_unknown_reference_is_refused(tmp_path: Path, town: GraphStore) -> None:
    f = csv_file(tmp_path, "s.csv", "支援者ID,所属機関ID\nS-9,AG-NOWHERE\n")
    problems = refused(town, "supporters", f)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "所属機関ID", "AG-NOWHERE")]


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("関係,始点ID,終点ID\n連携,,AG-KIKAN\n", 2, "始点ID"),  # a blank start id is no longer skipped
        ("関係,始点ID,終点ID\n,AG-HOKATSU,AG-KIKAN\n", 2, "関係"),
        (
            "関係,始点ID,終点ID,強さ\n連携,AG-HOKATSU,AG-KIKAN,強い\n",
            2,
            "強さ",
        ),  # a column the type does not use
    ],
)
def test_ties_rows_that_would_be_dropped_are_refused(
    tmp_path: Path, town: GraphStore, text: str, row: int, column: str
) -> None:
    problems = refused(town, "ties", csv_file(tmp_path, "t.csv", text))
    assert [(p.row, p.column) for p in problems] == [(row, column)]


def test_ties_shifted_by_one_column_are_refused(tmp_path: Path, town: GraphStore) -> None:
    lines = (EXAMPLES / "ties.csv").read_text(encoding="utf-8").splitlines()
    shifted = "\n".join([lines[0], *["," + line[: line.rindex(",")] for line in lines[1:]]]) + "\n"
    problems = refused(town, "ties", csv_file(tmp_path, "t.csv", shifted))
    assert {p.row for p in problems} == set(range(2, len(lines) + 1)), (
        "every row is refused, none silently skipped"
    )


def test_nul_and_control_characters_are_refused(tmp_path: Path, town: GraphStore) -> None:
    problems = refused(
        town, "employers", csv_file(tmp_path, "e.csv", "事業所ID,事業所名\nE1,店\x00\nE2,店\x07\n")
    )
    assert [(p.row, p.column) for p in problems] == [(2, "事業所名"), (3, "事業所名")]
    assert "NUL" in problems[0].message_ja and "U+0007" in problems[1].message_ja
    problems = refused(town, "employers", csv_file(tmp_path, "h.csv", "事業所ID,事業所\x00名\nE1,店\n"))
    assert problems[0].row == 1


def test_endpoint_missing_still_reports_row_and_column(tmp_path: Path, town: GraphStore) -> None:
    with pytest.raises(EndpointMissingError) as ei:
        load_file(town, "agencies", csv_file(tmp_path, "a.csv", "機関ID,機関名,地区ID\nX1,x,A-NOWHERE\n"))
    assert [(p.row, p.column, p.value) for p in ei.value.problems] == [(2, "地区ID", "A-NOWHERE")]


def test_formula_text_is_stored_verbatim(tmp_path: Path, store: GraphStore) -> None:
    load_file(
        store, "employers", csv_file(tmp_path, "e.csv", "事業所ID,事業所名\nE1,\"=cmd|' /C calc'!A0\"\n")
    )
    assert props(store, NodeLabel.EMPLOYER, "E1")["name"] == "=cmd|' /C calc'!A0"


def test_second_load_of_every_example_changes_nothing(town: GraphStore) -> None:
    before = snapshot(town)
    for kind, name in ORDER:
        report = load_file(town, kind, EXAMPLES / name)
        assert report.changes.empty, (kind, report.change_lines())
    assert snapshot(town) == before


def test_a_refused_load_is_a_domain_error(tmp_path: Path, store: GraphStore) -> None:
    with pytest.raises(DomainValidationError):
        load_file(store, "areas", csv_file(tmp_path, "a.csv", "地区ID,地区名\n"))
