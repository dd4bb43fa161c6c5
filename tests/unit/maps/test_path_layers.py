"""The map layers of the path findings: isolated clusters aggregated to the mesh (small cells withheld) and the
agency network (agencies as points, collaborations as lines, articulation agencies marked)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.analysis import analyse_all
from graphsvc.maps import LAYER_NAMES, build_map_from_data, collect_map_data, mesh_code, render_map
from graphsvc.maps.data import MapData
from graphsvc.store.embedded import EmbeddedStore
from tests.unit.maps.path_town import CLUSTER_CELL, build_path_town


@pytest.fixture
def path_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = build_path_town(tmp_path)
    yield store
    store.close()


@pytest.fixture
def data_and_html(path_store: EmbeddedStore) -> tuple[MapData, str]:
    G = path_store.projection()
    rep = analyse_all(G, reference_year=2024)
    data = collect_map_data(G, rep, town="pathtown")
    return data, render_map(build_map_from_data(data, rep, offline=True))


def _has(html: str, text: str) -> bool:
    return text in html or json.dumps(text)[1:-1] in html


def _legend(html: str) -> str:
    """The page with the \\uXXXX escapes of the legend's JSON string decoded."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html).replace('\\"', '"')


def test_isolated_clusters_are_counted_per_mesh_cell_and_small_cells_withheld(
    data_and_html: tuple[MapData, str],
) -> None:
    data, html = data_and_html
    agg = data.cluster_cells
    # six cluster households in one cell are drawn; the two of the second cluster elsewhere are withheld
    assert [(c.code, c.count) for c in agg.cells] == [(mesh_code(*CLUSTER_CELL), 6)]
    assert (agg.suppressed_cells, agg.suppressed_households, agg.total) == (1, 2, 8)
    assert _has(html, LAYER_NAMES["clusters"])
    assert _has(html, "機関のいない孤立したまとまりの世帯 6世帯")
    assert _has(html, "孤立したまとまり (2組) の世帯: 表示 6世帯 / 非表示 2世帯")
    for hid in ("C0", "D0", "D1"):  # households only in aggregate
        assert f'"{hid}"' not in html and f"世帯{hid}" not in html


def test_agency_network_layer_marks_cut_off_and_articulation_agencies(
    data_and_html: tuple[MapData, str],
) -> None:
    data, html = data_and_html
    assert _has(html, LAYER_NAMES["network"])
    by_name = {a.resource.name: a for a in data.network_agencies}
    assert by_name["テスト町社会福祉協議会"].articulation and by_name["テスト町社会福祉協議会"].main
    assert not by_name["テスト町保健センター"].main and not by_name["テスト町子育て世代包括支援センター"].main
    assert sum(a.articulation for a in data.network_agencies) == 1
    assert html.count('"tg-net-cut"') == 1
    assert html.count('"tg-net-agency tg-net-cutoff"') == 2
    assert html.count('"tg-net-agency"') == 4
    # every collaboration between located agencies is a line; in this town every one is a bridge
    assert len(data.network_lines) == 4 and all(line.bridge for line in data.network_lines)
    assert html.count('"tg-net-bridge"') == 4
    assert _has(html, "テスト町社会福祉協議会 が欠けると連携網が3つに分かれ")


def test_legend_names_the_cut_off_agencies_and_says_when_the_map_cannot_show_them(tmp_path: Path) -> None:
    """The agencies cut off from the network are the report's first finding: the legend names them, and says
    when one lies outside the town (a prefectural centre does not widen the view) or has no location."""
    from graphsvc.domain.codec import to_props
    from graphsvc.domain.records import Agency
    from graphsvc.store.port import NodeRow, WriteBatch

    store = build_path_town(tmp_path)
    try:
        G = store.projection()
        rep = analyse_all(G, reference_year=2024)
        html = render_map(build_map_from_data(collect_map_data(G, rep, town="pathtown"), rep, offline=True))
        assert _has(
            _legend(html),
            "切り離されている機関</b>: テスト町保健センター、テスト町子育て世代包括支援センター</p>",
        )
        # the 子育て centre moves to the prefectural capital (far outside the town), the 保健センター loses its place
        far = Agency(
            id="AG-kosodate",
            name="県子育て支援センター",
            sectors=["child"],
            location={"lat": 34.73, "lon": 136.51},
        )
        nowhere = Agency(id="AG-hoken", name="テスト町保健センター", sectors=["health"])
        store.write(WriteBatch(nodes=[NodeRow(r.label, r.id, to_props(r)) for r in (far, nowhere)]))
        G = store.projection()
        rep = analyse_all(G, reference_year=2024)
        data = collect_map_data(G, rep, town="pathtown")
        html = render_map(build_map_from_data(data, rep, offline=True))
        assert _has(
            _legend(html),
            "切り離されている機関</b>: テスト町保健センター (位置不明のため地図になし)、"
            "県子育て支援センター (町外: 地図の表示範囲外)</p>",
        )
    finally:
        store.close()


def test_no_cut_off_names_when_the_network_is_whole(tmp_path: Path) -> None:
    from graphsvc.domain.codec import rel_props_to_store
    from graphsvc.domain.enums import NodeLabel, RelType
    from graphsvc.store.port import NodeRef, RelRow, WriteBatch

    store = build_path_town(tmp_path)
    try:
        a, b = NodeRef(NodeLabel.AGENCY, "AG-houkatsu"), NodeRef(NodeLabel.AGENCY, "AG-hoken")
        store.write(
            WriteBatch(
                rels=[
                    RelRow(RelType.COLLABORATES_WITH, a, b, rel_props_to_store(RelType.COLLABORATES_WITH, {}))
                ]
            )
        )
        G = store.projection()
        rep = analyse_all(G, reference_year=2024)
        assert not rep.agency_network.cut_off
        html = render_map(build_map_from_data(collect_map_data(G, rep, town="pathtown"), rep, offline=True))
        assert "tg-net-cutoff-names" not in html
    finally:
        store.close()
