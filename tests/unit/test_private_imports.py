"""No private name crosses a module boundary (issue 14): ``from pkg.mod import _name`` is allowed only for a
module's own package-private helpers (``pkg/_common.py`` inside ``pkg``), never from another module's
internals. The import direction itself is import-linter's job (``make lint``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("graphsvc", "matching", "loaders", "linkage")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _package_of(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def _absolute(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = _package_of(importer, is_package).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def private_imports(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> Iterator[str]:
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            importer = _module_name(path, root)
            is_package = path.name == "__init__.py"
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom):
                    continue
                source = _absolute(importer, is_package, node)
                if source.split(".")[0] not in packages:
                    continue
                where = f"{path.relative_to(root)}:{node.lineno}"
                for alias in node.names:
                    if _is_private(alias.name):
                        yield f"{where}: from {source} import {alias.name}"
                # A private module (``_common``) may serve only its own package.
                private_parts = [i for i, part in enumerate(source.split(".")) if _is_private(part)]
                if private_parts:
                    owner = ".".join(source.split(".")[: private_parts[0]])
                    if not (importer == owner or importer.startswith(owner + ".")):
                        yield f"{where}: {source} is private to {owner}"


def test_no_private_name_is_imported_across_modules() -> None:
    found = list(private_imports())
    assert found == [], "private names imported across modules:\n" + "\n".join(found)


def test_the_check_sees_each_kind_of_private_import(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/_common.py": "X = 1\n",
        "pkg/a.py": "from pkg._common import X\nfrom ._common import X as Y\n_hidden = 2\n",  # own package: fine
        "pkg/b.py": "from .a import _hidden\n",  # relative, private name
        "pkg/sub/__init__.py": "from pkg.a import _hidden\n",  # absolute, private name
        "other/__init__.py": "from pkg._common import X\nfrom pkg import _common\n",  # another package's module
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = sorted(private_imports(tmp_path, ("pkg", "other")))
    assert found == [
        "other/__init__.py:1: pkg._common is private to pkg",
        "other/__init__.py:2: from pkg import _common",
        "pkg/b.py:1: from pkg.a import _hidden",
        "pkg/sub/__init__.py:1: from pkg.a import _hidden",
    ]
