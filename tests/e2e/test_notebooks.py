"""The notebooks: kept in git without outputs, and each runs top to bottom on its own fresh demo town.

Each notebook is executed with nbclient in a temporary folder, on the ``python3`` kernel of the interpreter
running the tests (ipykernel's own kernelspec, launched with ``sys.executable``); a cell error fails the test.
The notebooks write into ``TSUNAGARI_NOTEBOOK_DIR`` when it is set, which is how the checks find their files.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import time
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {
    "01_地域づくり_資源マップ.ipynb",
    "02_多機関協働_ギャップレポート.ipynb",
    "03_参加支援_マッチング.ipynb",
}
CELL_TIMEOUT_S = 180
PRIVATE_ID = re.compile(r"takasu-(?:H|P)\d{7}")
"""Household and person ids of the 鷹栖 demo."""

pytestmark = pytest.mark.e2e


def _strip_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("strip_notebooks", ROOT / "tools" / "strip_notebooks.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _name(path: Path) -> str:
    """The file name in NFC (a macOS checkout may hand back ギャップ decomposed)."""
    return unicodedata.normalize("NFC", path.name)


def test_the_notebooks_are_there() -> None:
    assert {_name(p) for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    assert _strip_tool().problems(path) == [], "run: python tools/strip_notebooks.py"


# ---------------------------------------------------------------- execution


def _execute(path: Path, work: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, float]:
    import nbformat
    from nbclient import NotebookClient

    # the kernel inherits this environment: no developer settings, the working tree's packages first
    for key in list(os.environ):
        if key.startswith(("TSUNAGARI_", "NEO4J_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TSUNAGARI_NOTEBOOK_DIR", str(work))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    )
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint('KERNEL-PREFIX', sys.prefix)"))
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_S,
        allow_errors=False,
        resources={"metadata": {"path": str(work)}},
    )
    t0 = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb, time.perf_counter() - t0


def _text(nb: Any) -> str:
    """Everything the notebook showed: streams, and the plain and HTML forms of results."""
    parts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type in ("execute_result", "display_data"):
                parts += [str(out.data.get("text/plain", "")), str(out.data.get("text/html", ""))]
    return "\n".join(parts)


def _check_community_map(work: Path, text: str) -> None:
    from graphsvc.maps import external_refs

    page = work / "out" / "resource-map.html"
    assert page.is_file()
    assert external_refs(page.read_text(encoding="utf-8")) == []
    assert "居場所・通いの場" in text and "徒歩圏外 (beyond 800 m)" in text
    assert "地図に含まれるもの (ids found in the map): 0件" in text
    # community developers see households only in aggregate: no household or person id anywhere
    assert not PRIVATE_ID.search(text)


def _check_gap_report(work: Path, text: str) -> None:
    from graphsvc.reports import CSV_FILES

    out = work / "out"
    for name in ("gap-report.html", "gaps.json", "resource-map.html", *CSV_FILES):
        assert (out / name).is_file(), name
    assert "社会福祉法第106条の6" in text
    assert "ジニ係数" in text and "理由 (reasons)" in text


def _check_matching(work: Path, text: str) -> None:
    assert "条件に合います" in text  # RankResult.message
    assert "理由 (reason)" in text and "除外の理由" in text
    assert re.search(r"<td>[^<]*(以内|合致|提供|に合う)[^<]*</td>", text), "a factor's Japanese reason"
    assert "変更後 (what-if)" in text
    assert "拒否 (refused)" in text and "定着支援中" in text
    assert "厳密解 (exact)" in text and "貪欲法 (greedy)" in text
    assert "AUC" in text and "nDCG@5" in text


CHECKS = {
    "01_地域づくり_資源マップ.ipynb": _check_community_map,
    "02_多機関協働_ギャップレポート.ipynb": _check_gap_report,
    "03_参加支援_マッチング.ipynb": _check_matching,
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb, seconds = _execute(path, tmp_path, monkeypatch)
    text = _text(nb)
    assert f"KERNEL-PREFIX {sys.prefix}" in text, "the kernel must run the interpreter of the tests"
    check = CHECKS.get(_name(path))
    if check is not None:
        check(tmp_path, text)
    print(f"{path.name}: {seconds:.1f} s")
