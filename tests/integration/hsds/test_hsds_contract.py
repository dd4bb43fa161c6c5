"""The ingestion contract on HSDS input: damaged JSON refused (cut, control characters, deep nesting), unknown
references refused, natural keys matched, fields the documents do not give kept (or cleared on request), the dry
run writes nothing, and formula text survives the spreadsheet-safe CSV form exactly."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.bootstrap import build
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import TsunagariError
from graphsvc.domain.spreadsheet import FORMULA_PREFIXES
from graphsvc.hsds import export_hsds, load_hsds
from graphsvc.store.port import GraphStore, NodeRef
from loaders import load_file

pytestmark = pytest.mark.usefixtures("store_backend")  # embedded and the real Neo4j (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
OTHER = EXAMPLES / "hsds" / "other-publisher" / "services.json"
SHAKYO = "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0100"


@pytest.fixture
def container(tmp_path: Path) -> Iterator[object]:
    c = build(data_dir=tmp_path / "data")
    yield c
    c.close()


@pytest.fixture
def store(container) -> GraphStore:  # type: ignore[no-untyped-def]
    return container.store("testtown")  # type: ignore[attr-defined]


@pytest.fixture
def town(store: GraphStore) -> GraphStore:
    for kind, name in [("areas", "areas.csv"), ("agencies", "agencies.csv"), ("venues", "venues.csv"),
                       ("employers", "employers.csv"), ("opportunities", "opportunities.csv")]:  # fmt: skip
        load_file(store, kind, EXAMPLES / name)
    return store


def dump(store: GraphStore) -> dict[str, object]:
    nodes = {str(n.ref): n.props for label in NodeLabel for n in store.iter_nodes(label)}
    rels = {f"{r.type}:{r.src}>{r.dst}": r.props for t in RelType for r in store.iter_rels(t)}
    return {"nodes": nodes, "rels": rels}


def refused(store: GraphStore, path: Path) -> list:
    before = dump(store)
    with pytest.raises(TsunagariError) as ei:
        load_hsds(store, path)
    assert dump(store) == before
    return ei.value.problems


def write_json(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_cut_json_is_refused_saying_so(store: GraphStore, tmp_path: Path) -> None:
    text = OTHER.read_text(encoding="utf-8")
    p = tmp_path / "services.json"
    p.write_text(text[: len(text) // 2], encoding="utf-8")
    (prob,) = refused(store, p)
    assert prob.file == "services.json" and "途中で切れて" in prob.message_ja and prob.row


def test_control_characters_in_json_are_refused_with_the_pointer(store: GraphStore, tmp_path: Path) -> None:
    doc = json.loads(OTHER.read_text(encoding="utf-8"))
    doc[0]["name"] = "ふれあい\u0000相談"
    doc[2]["description"] = "子ども\u001b食堂"
    problems = refused(store, write_json(tmp_path / "services.json", doc))
    assert {p.field for p in problems} == {"/0/name", "/2/description"}


def test_deep_nesting_is_refused(store: GraphStore, tmp_path: Path) -> None:
    p = tmp_path / "services.json"
    p.write_text("[" * 5000 + '"x"' + "]" * 5000, encoding="utf-8")
    (prob,) = refused(store, p)
    assert "入れ子" in prob.message_ja


def test_non_utf8_json_is_refused(store: GraphStore, tmp_path: Path) -> None:
    p = tmp_path / "services.json"
    p.write_bytes(OTHER.read_text(encoding="utf-8").encode("cp932"))
    (prob,) = refused(store, p)
    assert "UTF-8" in prob.message_ja


def test_service_of_an_unknown_organization_is_refused(store: GraphStore, tmp_path: Path) -> None:
    doc = json.loads(OTHER.read_text(encoding="utf-8"))
    svc = {k: v for k, v in doc[0].items() if k != "organization"}
    svc["organization_id"] = "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0999"
    problems = refused(store, write_json(tmp_path / "services.json", [svc]))
    assert any("0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0999" in p.message_ja for p in problems)


def test_service_of_an_organization_already_stored_is_accepted(store: GraphStore, tmp_path: Path) -> None:
    load_hsds(store, OTHER)
    doc = json.loads(OTHER.read_text(encoding="utf-8"))
    svc = {k: v for k, v in doc[0].items() if k not in ("organization",)}
    svc["id"] = "0b9e6f0a-1c1e-4c55-9d59-7a1d2a9c0009"
    svc["name"] = "こころの相談"
    svc.pop("service_at_locations")
    load_hsds(store, write_json(tmp_path / "services.json", [svc]))
    agency = store.get_node(NodeRef(NodeLabel.AGENCY, SHAKYO))
    assert agency is not None and agency.props["services"] == ["こころの相談"]
    assert agency.props["phone"] == "0599-99-0000", "fields the documents do not give are kept"
    assert store.counts().nodes == {"Agency": 1, "Employer": 1, "Venue": 1}


def test_unknown_taxonomy_term_in_the_tabular_form_is_refused(town: GraphStore, tmp_path: Path) -> None:
    export_hsds(town, tmp_path / "out")
    tab = tmp_path / "out" / "tabular"
    terms = (tab / "taxonomy_terms.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tab / "taxonomy_terms.csv").write_text("".join(terms[:-1]), encoding="utf-8")  # drop one term
    fresh = build(data_dir=tmp_path / "fresh").store("fresh")
    problems = refused(fresh, tab)
    assert any(p.file == "attributes.csv" and "taxonomy_term" in p.message_ja for p in problems)


def test_a_foreign_organization_matches_the_stored_record_under_its_label(
    store: GraphStore, tmp_path: Path
) -> None:
    load_hsds(store, OTHER)
    doc = json.loads(OTHER.read_text(encoding="utf-8"))
    doc[0]["organization"]["name"] = "株式会社ではない 社会福祉協議会"  # the guess would now say Employer
    report = load_hsds(store, write_json(tmp_path / "services.json", doc))
    assert store.get_node(NodeRef(NodeLabel.EMPLOYER, SHAKYO)) is None
    agency = store.get_node(NodeRef(NodeLabel.AGENCY, SHAKYO))
    assert agency is not None and agency.props["name"].startswith("株式会社ではない")
    assert [c.ref for c in report.changes.changed] == [NodeRef(NodeLabel.AGENCY, SHAKYO)]


def test_fields_not_given_are_kept_unless_blank_clear(town: GraphStore, tmp_path: Path) -> None:
    export_hsds(town, tmp_path / "out")
    orgs = json.loads((tmp_path / "out" / "organizations.json").read_text(encoding="utf-8"))
    for o in orgs:
        o.pop("phones", None)
        o.pop("website", None)
    only = tmp_path / "only"
    only.mkdir()
    for name in ("taxonomy_terms.json", "taxonomies.json", "locations.json"):
        shutil.copy(tmp_path / "out" / name, only / name)
    write_json(only / "organizations.json", orgs)
    before = dump(town)
    report = load_hsds(town, only)
    assert report.changes.empty and dump(town) == before
    cleared = load_hsds(town, only, blank="clear", dry_run=True)
    assert dump(town) == before, "a dry run writes nothing"
    assert any(ref.id == "AG-HOKATSU" and f == "phone" for ref, f in cleared.changes.cleared)
    load_hsds(town, only, blank="clear")
    ag = town.get_node(NodeRef(NodeLabel.AGENCY, "AG-HOKATSU"))
    assert ag is not None and "phone" not in ag.props


def test_formula_text_survives_the_csv_form_exactly(town: GraphStore, tmp_path: Path) -> None:
    evil = ["=cmd|' /C calc'!A0", "'=already quoted", "+1+2", "@SUM(A1)", "-x", "''@twice"]
    f = tmp_path / "e.csv"
    f.write_text(
        "事業所ID,事業所名\n" + "".join(f'E-X{i},"{name}"\n' for i, name in enumerate(evil)), encoding="utf-8"
    )
    load_file(town, "employers", f)
    export_hsds(town, tmp_path / "out")
    with (tmp_path / "out" / "tabular" / "organizations.csv").open(encoding="utf-8", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert all(not c.startswith(FORMULA_PREFIXES) or c.lstrip("+-").replace(".", "").isdigit() for c in cells)
    assert "'=cmd|' /C calc'!A0" in cells
    fresh = build(data_dir=tmp_path / "fresh").store("fresh")
    load_hsds(fresh, tmp_path / "out" / "tabular")
    names = {n.props["name"] for n in fresh.iter_nodes(NodeLabel.EMPLOYER)}
    assert set(evil) <= names
