"""The offline resource map and the gap report in a real headless Chromium (Debian's ``chromium``, driven by
Playwright for Python with ``executable_path``: no browser download).

Skipped with a reason when Chromium or Playwright is missing, except under CI (``CI`` set), where that fails.
Set ``TSUNAGARI_SCREENSHOTS=<dir>`` to keep the screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("TSUNAGARI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright; no `playwright install`)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small 鳥羽 demo town with its offline map and report written."""
    from graphsvc.analysis import analyse_all
    from graphsvc.maps import build_map_from_data, collect_map_data, render_map
    from graphsvc.reports import write_gap_outputs
    from graphsvc.store.embedded import EmbeddedStore
    from loaders.demo import build_town, get_spec

    root = tmp_path_factory.mktemp("e2e")
    store = EmbeddedStore(root / "toba.sqlite3", "toba")
    try:
        build_town(store, get_spec("toba", 800), seed=0, households=800)
        G = store.projection()
        rep = analyse_all(G)
        data = collect_map_data(G, rep, town="toba")
        out = root / "out"
        out.mkdir()
        (out / "resource-map.html").write_text(
            render_map(build_map_from_data(data, rep, offline=True)), "utf-8"
        )
        write_gap_outputs(store, out, analysis=rep, graph=G, data=data)
        (out / "expected_markers.txt").write_text(str(len(data.resources)))
    finally:
        store.close()
    return out


def _shot(page: Any, name: str, tmp: Path) -> None:
    keep = os.environ.get("TSUNAGARI_SCREENSHOTS")
    target = Path(keep) if keep else tmp
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / name))


def test_offline_map_shows_layers_and_markers(browser: Any, demo_out: Path, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((demo_out / "resource-map.html").as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    assert errors == []
    assert [u for u in requests if u.startswith("http")] == []  # nothing fetched from the network
    expected = int((demo_out / "expected_markers.txt").read_text())
    assert page.locator(".leaflet-marker-icon.tg-mk").count() == expected > 0
    labels = page.locator(".leaflet-control-layers label").all_inner_texts()
    text = " ".join(labels)
    for name in (
        "町域の概形 (推定)",
        "支援関係機関",
        "居場所・通いの場",
        "企業・事業所",
        "参加メニュー (空きあり)",
        "孤立世帯の数 (約500mメッシュ)",
        "機関の連携 (連携段階別)",
    ):
        assert name in text, name
    legend = page.locator(".tg-legend").inner_text()
    assert "資源マップ" in legend and "5世帯未満のメッシュは表示しません" in legend
    assert page.locator("path.leaflet-interactive").count() > 0  # outline, areas, cells, lines drawn
    # the sector filter hides markers of an unticked sector
    page.locator('input[data-sector="elderly"]').uncheck()
    hidden = page.evaluate(
        "() => [...document.querySelectorAll('.tg-mk')].filter(e => e.style.display === 'none').length"
    )
    assert hidden > 0
    page.locator('input[data-sector="elderly"]').check()
    _shot(page, "toba-map-offline.png", tmp_path)
    page.close()


def test_report_renders_sections_and_heatmap(browser: Any, demo_out: Path, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 794, "height": 1123})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.emulate_media(media="print")
    page.goto((demo_out / "gap-report.html").as_uri())
    assert errors == []
    assert "支援の網の目の点検" in page.locator("h1").inner_text()
    assert page.locator("section.section").count() == 11
    assert page.locator("#findings li").count() >= 1  # the findings open the report
    assert page.locator("svg.netsketch circle").count() > 0  # the agency network drawn
    assert page.locator("#sector-matrix td.hm").count() == 81
    assert page.locator("svg.sketch path").count() > 0
    assert not page.locator("iframe").is_visible()  # screen only; the sketch prints instead
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and pdf.count(b"/Type /Page") >= 5  # one section per page
    _shot(page, "toba-report-page1.png", tmp_path)
    page.close()
