"""The path findings in the report, gaps.json and the CSVs: the split network is the first finding, agencies by
name, households behind each finding for the roles that may see them, unknown strength as 不明, safe CSV cells."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.analysis import GapReport, analyse_all
from graphsvc.maps import collect_map_data
from graphsvc.reports import CSV_FILES, render_report, write_gap_outputs
from graphsvc.store.embedded import EmbeddedStore
from tests.unit.maps.path_town import FORMULA_NAME, build_path_town


@pytest.fixture
def path_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    (tmp_path / "data").mkdir()
    store = build_path_town(tmp_path / "data")
    yield store
    store.close()


@pytest.fixture
def path_report(path_store: EmbeddedStore) -> GapReport:
    return analyse_all(path_store.projection(), reference_year=2024)


@pytest.fixture
def html(path_store: EmbeddedStore, path_report: GapReport) -> str:
    return render_report(path_report, collect_map_data(path_store.projection(), path_report, town="pathtown"))


def _rows(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_split_network_is_the_first_finding_naming_the_agencies(html: str, path_report: GapReport) -> None:
    first = re.search(
        r'<div class="findings" id="findings">.*?<li class="split" id="finding-split">([^<]*)</li>',
        html,
        re.S,
    )
    assert first is not None
    text = first.group(1)
    assert text == path_report.agency_network.finding_ja == path_report.findings_ja[0]
    assert "連携網が2つに分かれています" in text
    assert "テスト町保健センター、テスト町子育て世代包括支援センター" in text
    # the finding comes before every section of the report
    assert html.index('id="finding-split"') < html.index('id="agency-network"') < html.index('id="outreach"')


def test_agency_network_section_names_agencies_and_draws_the_network(html: str) -> None:
    section = html[html.index('id="agency-network"') : html.index('id="reachability"')]
    assert "テスト町社会福祉協議会" in section and "切り離し" in section
    assert re.search(r'<td class="nw">機関</td><td>テスト町社会福祉協議会', section)
    assert 'class="netsketch"' in section and "<title>テスト町保健センター</title>" in section
    assert "AG-hoken" not in section  # names, not ids
    assert "縦割りの度合い" in section


def test_reachability_section_lists_clusters_entry_points_and_chains(
    html: str, path_report: GapReport
) -> None:
    section = html[html.index('id="reachability"') : html.index('id="outreach"')]
    assert "G1" in section and "世帯C2" in section and "6 / 6" in section  # the cluster and its entry point
    # H3 is four neighbours from the 包括: its chain is printed, with the unknown strength as 不明
    chain = path_report.reachability.chain_of("H3")
    assert chain is not None and chain.hops == 4
    assert chain.text_ja in section
    assert "近所・不明" in section and "近所・弱い" not in section


def test_csvs_have_every_household_and_names_not_formulas(path_store: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = write_gap_outputs(path_store, out)
    assert sorted(p.name for p in res.csvs) == sorted(CSV_FILES)
    rep = analyse_all(path_store.projection())
    reach = _rows(out / "reachability.csv")
    assert len(reach) == 1 + rep.reachability.households
    by_id = {r[0]: r for r in reach[1:]}
    h3 = by_id["H3"]
    assert h3[2] == "機関まで遠い" and h3[3] == "4" and h3[6] == rep.reachability.chain_of("H3").text_ja  # type: ignore[union-attr]
    assert h3[7] == "不明"  # the weakest tie of the chain is of unknown strength, not weak
    assert by_id["HX"][2] == "つながりがない" and by_id["C0"][10] == "G1"
    assert by_id["C2"][11] == "社会的孤立" and by_id["C4"][11] == "ダブルケア"
    clusters = _rows(out / "isolated_clusters.csv")
    assert [r[0] for r in clusters[1:]] == ["G1", "G2"]
    assert clusters[1][3] == "世帯C2" and clusters[1][11] == "C0、C1、C2、C3、C4、C5"
    comps = _rows(out / "agency_components.csv")
    names = [r[4] for r in comps[1:]]
    assert "'" + FORMULA_NAME in names  # the formula reaches the file as text (OWASP rule)
    assert FORMULA_NAME not in names
    cut_off = {r[4] for r in comps[1:] if r[1] == "切り離されている"}
    assert cut_off == {"テスト町保健センター", "テスト町子育て世代包括支援センター"}
    cuts = _rows(out / "agency_cuts.csv")
    assert any(r[0] == "機関" and r[1] == "テスト町社会福祉協議会" for r in cuts[1:])
    outreach = _rows(out / "outreach.csv")
    assert outreach[0][-3:] == ["機関までの歩数", "機関までの経路 (誰が伝えるか)", "孤立したまとまり"]
    data = json.loads(res.json.read_text(encoding="utf-8"))
    assert data["findings_ja"][0].startswith("支援関係機関の連携網が2つに分かれています")
    assert data["agency_network"]["split"] is True
    assert [c["cluster_id"] for c in data["reachability"]["clusters"]] == ["G1", "G2"]


def test_invites_and_missing_links_show_names_and_households(tmp_path: Path) -> None:
    from graphsvc.domain.codec import rel_props_to_store, to_props
    from graphsvc.domain.enums import RelType
    from graphsvc.domain.records import Agency, Household
    from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

    nodes = [
        NodeRow(a.label, a.id, to_props(a))
        for a in (Agency(id="A1", name="包括A"), Agency(id="A2", name="自立B"))
    ]
    rels = []
    for i in range(3):
        h = Household(id=f"H{i}")
        nodes.append(NodeRow(h.label, h.id, to_props(h)))
        for a in ("A1", "A2"):
            rels.append(
                RelRow(
                    RelType.SUPPORTED_BY,
                    NodeRef(h.label, h.id),
                    NodeRef(nodes[0].label, a),
                    rel_props_to_store(RelType.SUPPORTED_BY, {"intensity": 2}),
                )
            )
    with EmbeddedStore(tmp_path / "t.sqlite3", "t") as store:
        store.write(WriteBatch(nodes=nodes, rels=rels))
        rep = analyse_all(store.projection())
        page = render_report(rep, collect_map_data(store.projection(), rep, town="t"))
        write_gap_outputs(store, tmp_path / "out", analysis=rep, graph=store.projection())
    invites = page[page.index('id="invites"') :]
    assert "<small>自立B</small>" in invites and "<small>A2</small>" not in invites
    links = page[page.index('id="missing-links"') : page.index('id="invites"')]
    assert "H0、H1、H2" in links
    row = _rows(tmp_path / "out" / "missing_links.csv")[1]
    assert row[-1] == "H0、H1、H2"


def test_aggregate_view_of_the_path_findings_has_counts_and_no_household(path_report: GapReport) -> None:
    """What community developers get through the role rules (graphsvc.access.policy.aggregate_report): counts,
    the hops table, cluster sizes, the agency network by name, the findings; no household, person or supporter."""
    from graphsvc.access.policy import aggregate_report

    agg = aggregate_report(path_report.to_dict())
    text = json.dumps(agg, ensure_ascii=False)
    for hid in ("H0", "H3", "HX", "C0", "C2", "D0", "P0", "PD0", "S1"):
        assert f'"{hid}"' not in text and f"世帯{hid}" not in text and f" {hid}" not in text
    reach = agg["reachability"]
    assert reach["no_tie_count"] == 1 and reach["hops"]["agency"] == path_report.reachability.hops["agency"]
    assert [(c["cluster_id"], c["households"]) for c in reach["clusters"]] == [("G1", 6), ("G2", 2)]
    assert all(
        set(c) <= {"cluster_id", "households", "nodes", "risk_households", "entry_reaches"}
        for c in reach["clusters"]
    )
    net = agg["agency_network"]
    assert net["split"] is True and net["collaborations"] == 4
    assert [a["name"] for a in net["components"][1]["agencies"]] == [
        "テスト町保健センター",
        "テスト町子育て世代包括支援センター",
    ]
    assert agg["findings_ja"] == list(path_report.findings_ja)
