"""Every CSV the project writes is safe to open in a spreadsheet (OWASP CSV injection): one test over every writer.

1. No code in the packages writes CSV around the shared writer: a ``csv.writer`` / ``csv.DictWriter`` (or
   ``from csv import writer``) anywhere but ``graphsvc/domain/spreadsheet.py`` fails the test, as does a pandas
   ``to_csv``.
2. Every place that uses the shared writer (found by reading the source, keyed by the function it sits in, so a
   moved module is still found) must be exercised below; a new writer fails the test until it is added here.
3. Each writer is run on a town whose names and titles begin with ``=``, ``+``, ``-``, ``@``: no cell of any CSV
   it writes may begin with a formula character (plain numbers aside), and the dangerous text must appear
   neutralised (so the check is not vacuous).
"""

from __future__ import annotations

import ast
import csv
import importlib
import io
import json
from pathlib import Path

import pytest

from graphsvc.domain.spreadsheet import FORMULA_PREFIXES

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("graphsvc", "matching", "loaders")
SAFE_MODULE = ROOT / "graphsvc" / "domain" / "spreadsheet.py"
SAFE_NAMES = {"csv_writer", "write_rows", "safe_row"}
EVIL = "=cmd|' /C calc'!A0"
EVIL_TITLE = "@SUM(1+1)*cmd|' /C calc'!A0"

# The functions that write CSV through the shared writer, and how this test runs each of them.
EXERCISED = {
    "write_csv_table": "HSDS tabular export (graphsvc.hsds.tabular)",
    "_write": "gap report CSVs (graphsvc.reports.exports)",
    "write_matches": "demo matches.csv (graphsvc.services.demo)",
    "assign_cmd": "assignment CSV (tsunagari assign)",
    "AuditLog.to_csv": "audit log CSV (GET /v1/audit?format=csv)",
    "unmet_csv": "足りない参加メニュー CSV (GET /v1/towns/{town}/unmet.csv and the staff page's CSV)",
    "write_development": "demo unmet-need.csv (graphsvc.services.demo, step shigen)",
}


def _sources() -> list[Path]:
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]


def _our_to_csv(target: ast.expr) -> bool:
    """``AuditLog.to_csv`` (``self``/``cls``/``….audit``/``AuditLog``) is the project's own, exercised below."""
    if isinstance(target, ast.Name):
        return target.id in ("self", "cls", "AuditLog")
    return isinstance(target, ast.Attribute) and target.attr in ("audit", "AuditLog")


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.stack: list[str] = []
        self.raw: list[tuple[int, str]] = []
        self.safe: list[tuple[int, str]] = []

    def _scoped(self, node: ast.AST, name: str) -> None:
        self.stack.append(name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scoped(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node, node.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "csv" and {a.name for a in node.names} & {"writer", "DictWriter"}:
            self.raw.append((node.lineno, "from csv import writer"))

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == "csv"
            and f.attr in ("writer", "DictWriter")
        ):
            self.raw.append((node.lineno, f"csv.{f.attr}"))
        if isinstance(f, ast.Attribute) and f.attr == "to_csv" and not _our_to_csv(f.value):
            self.raw.append((node.lineno, "DataFrame.to_csv"))
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if name in SAFE_NAMES:
            self.safe.append((node.lineno, ".".join(self.stack) or "<module>"))
        self.generic_visit(node)


def _scan() -> tuple[list[str], dict[str, list[str]]]:
    raw: list[str] = []
    safe: dict[str, list[str]] = {}
    for path in _sources():
        if path == SAFE_MODULE:
            continue
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        rel = path.relative_to(ROOT)
        raw += [f"{rel}:{line}: {what}" for line, what in finder.raw]
        for line, qual in finder.safe:
            top = qual.split(".")
            key = ".".join(top[-2:]) if len(top) > 1 and top[-2][:1].isupper() else top[-1]
            safe.setdefault(key, []).append(f"{rel}:{line}")
    return raw, safe


def test_no_csv_is_written_around_the_shared_writer() -> None:
    raw, _ = _scan()
    assert raw == [], "write CSV with graphsvc.domain.spreadsheet.csv_writer / write_rows: " + "; ".join(raw)


def test_every_writer_of_the_shared_writer_is_exercised_here() -> None:
    _, safe = _scan()
    assert set(safe) == set(EXERCISED), (
        f"CSV writers found: {safe}; exercised by this test: {sorted(EXERCISED)} — add the new writer below"
    )


def _module_defining(name: str) -> str:
    """The module (dotted) of the packages that defines a top-level class or function ``name``."""
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name == name for n in tree.body):
            return ".".join(path.relative_to(ROOT).with_suffix("").parts)
    raise AssertionError(f"{name} is defined nowhere")


def _unsafe_cells(text: str) -> list[str]:
    bad = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            if cell.startswith(FORMULA_PREFIXES):
                try:
                    float(cell)
                except ValueError:
                    bad.append(cell)
    return bad


@pytest.fixture
def evil_town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from graphsvc.bootstrap import build
    from graphsvc.domain.enums import NodeLabel
    from loaders.demo import build_town, get_spec

    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TSUNAGARI_OUT_DIR", str(tmp_path / "out"))
    c = build(data_dir=tmp_path / "data", out_dir=tmp_path / "out")
    store = c.store("synthetic")
    build_town(store, get_spec("synthetic", 120), seed=0, households=120)
    for label, key, text in (
        (NodeLabel.AGENCY, "name", EVIL),
        (NodeLabel.EMPLOYER, "name", "+" + EVIL),
        (NodeLabel.VENUE, "name", "-" + EVIL),
        (NodeLabel.OPPORTUNITY, "title", EVIL_TITLE),
        (NodeLabel.PERSON, "name", EVIL),
    ):
        rows = list(store.iter_nodes(label))
        store.upsert_nodes(label, [{**r.props, key: text} for r in rows])
    # skills no opening uses reach the unmet-need CSVs by name
    people = [p for p in store.iter_nodes(NodeLabel.PERSON) if p.props.get("participation_profile_json")]
    for p in people:
        profile = json.loads(p.props["participation_profile_json"])
        profile["skills"] = [*profile.get("skills", []), EVIL]
        store.upsert_nodes(NodeLabel.PERSON, [{**p.props, "participation_profile_json": json.dumps(profile)}])
    yield c, store
    c.close()


def test_every_csv_writer_neutralises_formula_cells(evil_town, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _container, store = evil_town
    written: dict[str, list[str]] = {}

    # HSDS tabular export
    from graphsvc.hsds import export_hsds

    export_hsds(store, tmp_path / "hsds")
    written["write_csv_table"] = [
        p.read_text(encoding="utf-8") for p in (tmp_path / "hsds" / "tabular").glob("*.csv")
    ]

    # gap report CSVs
    from graphsvc.analysis import analyse_all
    from graphsvc.reports.exports import write_csvs

    paths = write_csvs(analyse_all(store.projection()), tmp_path / "gaps")
    written["_write"] = [p.read_text(encoding="utf-8-sig") for p in paths]

    # demo matches.csv: the demo's step, run on this town
    from graphsvc.services import demo

    step = next(s for s in demo.STEPS if s.name == "matches")
    step.run(demo.DemoTown("synthetic", store, tmp_path / "demo", 0, 120))
    written["write_matches"] = [(tmp_path / "demo" / "matches.csv").read_text(encoding="utf-8")]

    # tsunagari assign
    from typer.testing import CliRunner

    from graphsvc.cli import app

    out = tmp_path / "assignment.csv"
    res = CliRunner().invoke(app, ["assign", "--town", "synthetic", "--out", str(out)])
    assert res.exit_code == 0, res.output
    written["assign_cmd"] = [out.read_text(encoding="utf-8")]

    # the audit log's CSV
    audit = importlib.import_module(_module_defining("AuditLog"))
    entry = audit.AuditEntry(
        seq=1, at="2025-04-01T00:00:00Z", key_id=EVIL, key_name="+" + EVIL, role="admin", town="synthetic",
        action="-" + EVIL, kind="@" + EVIL, record_ids=[EVIL, "P-1"], purpose="\t" + EVIL, status=200,
        prev_hash="", hash="h",
    )  # fmt: skip
    written["AuditLog.to_csv"] = ["".join(audit.AuditLog.to_csv([entry]))]

    # the unmet-need CSV: the demo's step and the API (the staff page's CSV is the same function on the page)
    shigen = next(s for s in demo.STEPS if s.name == "shigen")
    shigen.run(demo.DemoTown("synthetic", store, tmp_path / "demo", 0, 120))
    written["write_development"] = [(tmp_path / "demo" / "unmet-need.csv").read_text(encoding="utf-8")]

    from fastapi.testclient import TestClient

    from graphsvc.app import create_app

    key = _container.system().keys.create(name="管理者", role="admin")[0]
    with TestClient(create_app(_container)) as client:
        r = client.get("/v1/towns/synthetic/unmet.csv", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    written["unmet_csv"] = [r.text]

    assert set(written) == set(EXERCISED)
    for writer, texts in written.items():
        assert texts and all(texts), writer
        bad = [c for t in texts for c in _unsafe_cells(t)]
        assert bad == [], f"{EXERCISED[writer]}: cells a spreadsheet would evaluate: {bad[:5]}"
        assert any("'" + EVIL in t or "'" + EVIL_TITLE in t or "'+" + EVIL in t for t in texts), (
            f"{EXERCISED[writer]}: the formula text never reached this writer (the check would be vacuous)"
        )
