"""Importers: municipal CSV / Excel files, 自治体標準オープンデータセット, and offline geography.

Every loader keeps the ingestion contract (:mod:`loaders.contract`): damaged files are refused, every problem is
reported with its file, row and column, nothing is written unless everything is right (all rows or none), an empty
cell keeps the stored value, and the report says what was created, changed and left alone. :func:`load_file` is
the one entry point for the tabular kinds; HSDS input is imported by :func:`graphsvc.hsds.load_hsds`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphsvc.store.port import GraphStore
    from loaders.common import Loader, LoadReport, ProgressFn
    from loaders.contract import Blank

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
"""The tabular kinds :func:`load_file` accepts (``hsds`` is loaded by :mod:`graphsvc.hsds`)."""


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
    blank: Blank | str = "keep",
) -> LoadReport:
    """Load one CSV / Excel file of ``kind`` into ``store`` in one atomic write and return the report.

    ``blank="clear"`` makes an empty cell clear its field (the default keeps the stored value). Raises
    ``DomainValidationError`` (or ``EndpointMissingError``) listing every problem; nothing is then written."""
    from loaders.contract import Blank

    loader = loader_class(kind)(store, progress=progress, blank=Blank(blank))
    return loader.load(str(path), sheet=sheet, dry_run=dry_run)
