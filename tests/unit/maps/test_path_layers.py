"""The map layers of the path findings: isolated clusters aggregated to the mesh (small cells withheld) and the
agency network (agencies as points, collaborations as lines, articulation agencies marked)."""

from __future__ import annotations

import json
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
