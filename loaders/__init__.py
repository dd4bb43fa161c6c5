"""Importers: municipal CSV / Excel files, 自治体標準オープンデータセット, HSDS, and offline geography.

Every loader is atomic (all rows or none), idempotent (a second load changes nothing) and reports every
problem with its file, row and column. :func:`load_file` is the one entry point for the tabular kinds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphsvc.store.port import GraphStore
    from loaders.common import Loader, LoadReport, ProgressFn

__all__ = ["KINDS", "load_file", "loader_class"]

KINDS: tuple[str, ...] = (
    "persons",
    "households",
    "areas",
    "agencies",
    "venues",
    "employers",
    "supporters",
    "opportunities",
    "cases",
    "ties",
    "kaigo-opendata",
)
"""The tabular kinds :func:`load_file` accepts (``hsds`` is loaded by :mod:`loaders.hsds`)."""


def loader_class(kind: str) -> type[Loader]:
    """The loader class of a kind; ``ValueError`` for an unknown kind."""
    from loaders.kaigo import KaigoOpenDataLoader
    from loaders.municipal import LOADERS

    classes: dict[str, type[Loader]] = {**LOADERS, KaigoOpenDataLoader.kind: KaigoOpenDataLoader}
    if kind not in classes:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return classes[kind]


def load_file(
    store: GraphStore,
    kind: str,
    path: str | Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> LoadReport:
    """Load one CSV / Excel file of ``kind`` into ``store`` in one atomic write and return the report.

    Raises ``DomainValidationError`` (or ``EndpointMissingError``) listing every problem; nothing is then
    written."""
    return loader_class(kind)(store, progress=progress).load(str(path), sheet=sheet, dry_run=dry_run)
