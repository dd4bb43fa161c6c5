"""The gap report page, gaps.json and the CSVs; and the bad inputs (empty town, missing coordinates, agency
without a sector)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from graphsvc.analysis import GapReport, analyse_all
from graphsvc.maps import collect_map_data
from graphsvc.reports import CSV_FILES, figures_of, gaps_json, render_report, write_gap_outputs
from graphsvc.store.embedded import EmbeddedStore
from tests.unit.maps.small_town import person_names

SECTIONS = (
    "summary",
    "outreach",
    "overlap",
    "matrix",
    "missing-links",
    "invites",
    "concentration",
    "single-points",
    "coverage",
    "map",
)


@pytest.fixture
def report_html(small_store: EmbeddedStore, small_analysis: GapReport) -> str:
    data = collect_map_data(small_store.projection(), small_analysis, town="small")
    return render_report(small_analysis, data)


def _fig(html: str, key: str) -> str:
    m = re.search(rf'data-fig="{key}" data-value="([^"]*)"', html)
    assert m, key
    return m.group(1)


def test_sections_present(report_html: str) -> None:
    for s in SECTIONS:
        assert f'id="{s}"' in report_html, s
    assert '<html lang="ja">' in report_html
    assert "重層的支援会議" in report_html and "守秘義務" in report_html


def test_figures_equal_the_analysis(report_html: str, small_analysis: GapReport) -> None:
    r = small_analysis
    assert int(_fig(report_html, "households")) == r.isolation.households == 15
    assert int(_fig(report_html, "isolated")) == len(r.isolation.isolated)
    assert int(_fig(report_html, "outreach")) == len(r.isolation.outreach)
    assert int(_fig(report_html, "overlap_candidates")) == len(r.overlap.candidates)
    assert float(_fig(report_html, "gini")) == r.concentration.gini
    assert float(_fig(report_html, "top_share")) == r.concentration.top_share
    mod = _fig(report_html, "modularity")
    assert (mod == "" and r.silo.modularity is None) or float(mod) == r.silo.modularity
    located = r.coverage.at_risk - len(r.coverage.no_location)
    assert float(_fig(report_html, "far_share")) == pytest.approx(len(r.coverage.far) / located)
    for line in r.summary_ja.values():
        assert line in report_html


def test_print_css(report_html: str) -> None:
    assert "@page { size: A4;" in report_html
    assert "margin: 14mm" in report_html
    assert "break-before: page" in report_html
    assert re.search(r"tr, td, th \{ break-inside: avoid", report_html)
    assert "thead { display: table-header-group; }" in report_html


def test_heatmap_cells_are_the_sector_matrix(report_html: str, small_analysis: GapReport) -> None:
    cells = [int(x) for x in re.findall(r'<td class="hm[^"]*" data-count="(\d+)"', report_html)]
    flat = [c for row in small_analysis.overlap.matrix.counts for c in row]
    assert cells == flat and len(cells) == 81
    assert max(flat) > 0
    assert 'style="background:rgba(' in report_html  # coloured by count
    assert "<img" not in report_html


def test_map_sketch_is_inline_svg(report_html: str) -> None:
    assert "<svg" in report_html and 'class="sketch"' in report_html
    assert "<iframe" not in report_html  # no resource-map.html beside it here
    assert "tsunagari map --town small" in report_html


def test_household_ids_but_no_names(
    report_html: str, small_store: EmbeddedStore, small_analysis: GapReport
) -> None:
    assert small_analysis.isolation.outreach[0].household_id in report_html
    for name in person_names(small_store):
        assert name not in report_html


def test_bad_input_is_reported_and_the_rest_produced(report_html: str) -> None:
    # a household without coordinates, an agency without a sector, a resource without a location
    assert re.search(r'data-quality="households_without_location">[^<]*<b>1</b>', report_html)
    assert re.search(r'data-quality="agencies_without_sector">[^<]*<b>1</b>件 ― 分野なし相談所', report_html)
    assert "位置なし機関" in report_html
    assert 'id="outreach"' in report_html and '<table class="list">' in report_html


def test_writes_report_json_and_csvs(small_store: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = write_gap_outputs(small_store, out)
    assert res.report.name == "gap-report.html" and res.report.exists()
    assert sorted(p.name for p in res.csvs) == sorted(CSV_FILES)
    rep = analyse_all(small_store.projection())
    expected_rows = {
        "outreach.csv": len(rep.isolation.outreach),
        "overlap.csv": len(rep.overlap.candidates),
        "missing_links.csv": len(rep.missing_links.links),
        "concentration.csv": len(rep.concentration.agencies),
        "single_points.csv": len(rep.fragility.single_points),
        "coverage_areas.csv": len(rep.coverage.areas),
        "sector_matrix.csv": 9,
    }
    for name, n in expected_rows.items():
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # BOM for Excel
        rows = list(csv.reader((out / name).read_text(encoding="utf-8-sig").splitlines()))
        assert len(rows) == n + 1, name
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", "".join(rows[0])), name  # Japanese header
    data = json.loads(res.json.read_text(encoding="utf-8"))
    assert data["town"] == "small" and data["limits"]["max_items_per_list"] == 200
    assert data["data_quality"]["households_without_location"] == 1
    assert data["data_quality"]["agencies_without_sector"] == ["分野なし相談所"]
    assert data["isolation"]["households"] == 15


def test_json_lists_are_capped_and_say_so(small_analysis: GapReport) -> None:
    d = gaps_json(small_analysis, town="small", limit=2)
    assert len(d["isolation"]["isolated"]) == 2
    assert d["limits"]["truncated"]["isolation.isolated"] == len(small_analysis.isolation.isolated)


def test_empty_town_report_says_there_is_no_data(empty_store: EmbeddedStore, tmp_path: Path) -> None:
    res = write_gap_outputs(empty_store, tmp_path / "out")
    html = res.report.read_text(encoding="utf-8")
    assert 'id="no-data"' in html and "データがありません" in html
    for s in SECTIONS:
        assert f'id="{s}"' in html
    assert all((tmp_path / "out" / n).exists() for n in CSV_FILES)
    assert json.loads(res.json.read_text(encoding="utf-8"))["isolation"]["households"] == 0


def test_figures_of_counts_missing_coordinates(small_store: EmbeddedStore, small_analysis: GapReport) -> None:
    data = collect_map_data(small_store.projection(), small_analysis, town="small")
    fig = figures_of(small_analysis, data)
    assert fig.households_without_location == 1
    assert fig.agencies_without_sector == ("分野なし相談所",)
