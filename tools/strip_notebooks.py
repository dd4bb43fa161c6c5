"""ノートブックの出力を消して、git に出力なしで保存する (strip notebook outputs before committing).

The notebooks in ``notebooks/`` are kept in git without outputs: every code cell has ``outputs: []`` and
``execution_count: null``, and the metadata a run adds (timings, the exact Python version) is dropped, so a
diff shows only what someone changed. Outputs of a run on real data could hold personal data; they must never
reach git.

Usage::

    python tools/strip_notebooks.py              # strip notebooks/*.ipynb in place
    python tools/strip_notebooks.py --check      # list notebooks that need stripping; exit 1 if any
    python tools/strip_notebooks.py a.ipynb ...  # only these files

Standard library only (the JSON layout is nbformat's: one-space indent, sorted keys, UTF-8 text), so it runs
in a pre-commit hook without the notebook dependencies.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["dumps", "main", "notebooks", "problems", "strip"]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"

CELL_METADATA_DROP = frozenset({"execution", "ExecuteTime", "collapsed", "scrolled"})
"""Cell metadata a run or a front end adds (timings, view state)."""
NOTEBOOK_METADATA_KEEP = frozenset({"kernelspec", "language_info"})
"""Notebook metadata kept; ``language_info`` is cut to its ``name``."""


def notebooks(paths: Sequence[str | Path] = ()) -> list[Path]:
    """The given notebooks, or every ``notebooks/*.ipynb``."""
    if paths:
        return [Path(p) for p in paths]
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def strip(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook without outputs, execution counts and run metadata (a new dict; ``nb`` is unchanged)."""
    out = json.loads(json.dumps(nb))
    meta = {k: v for k, v in out.get("metadata", {}).items() if k in NOTEBOOK_METADATA_KEEP}
    if isinstance(meta.get("language_info"), dict):
        meta["language_info"] = {"name": meta["language_info"].get("name", "python")}
    out["metadata"] = meta
    for cell in out.get("cells", []):
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k not in CELL_METADATA_DROP}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return out


def dumps(nb: dict[str, Any]) -> str:
    """The notebook as nbformat writes it."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": ")) + "\n"


def problems(path: Path) -> list[str]:
    """What keeps ``path`` from being stored as is: outputs, execution counts, or run metadata (empty: clean)."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    found: list[str] = []
    for n, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path.name}: セル {n} に出力があります (cell {n} has outputs)")
        if cell.get("execution_count") is not None:
            found.append(f"{path.name}: セル {n} に実行番号があります (cell {n} has an execution count)")
    if not found and dumps(strip(nb)) != text:
        found.append(f"{path.name}: 実行時のメタデータか書式が残っています (run metadata or layout to strip)")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    ap.add_argument(
        "--check", action="store_true", help="only report; exit 1 when a notebook needs stripping"
    )
    args = ap.parse_args(argv)
    dirty = 0
    for path in notebooks(args.paths):
        found = problems(path)
        if not found:
            continue
        dirty += 1
        if args.check:
            for line in found:
                print(line)
        else:
            nb = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(dumps(strip(nb)), encoding="utf-8")
            print(f"出力を消しました (stripped): {path}")
    if args.check and dirty:
        print(f"{dirty}件のノートブックに出力があります: python tools/strip_notebooks.py で消してください")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
