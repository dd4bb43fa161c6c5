"""Open Referral HSDS 3.0 for tsunagari: ids, export, reading, import, queries and validation, in one package that
the loader (``tsunagari load hsds``), the export command and the HSDS API all use.

=====================  ==============================================================================
module                 what it holds
=====================  ==============================================================================
``ids``                deterministic HSDS ids (uuid5) and the schemes/taxonomies tsunagari uses
``mapping``            the tsunagari ⇄ HSDS mapping (which field goes where) and shared helpers
``schema``             the HSDS 3.0 schemas (shipped in ``data/hsds-3.0``) and the tabular model
``validation``         jsonschema errors as located, Japanese-first problems
``tables``             HSDS objects as flat tables
``tabular``            the CSV form on disk: spreadsheet-safe writing, exact reading back
``export``             :func:`build_documents` (what the API serves), :func:`export_hsds` (files)
``read``               reading and checking JSON/CSV input
``importer``           :func:`load_hsds`: input → records, laid over the store (the ingestion contract)
``query``              the HSDS API's filters, representations and paging, without HTTP
=====================  ==============================================================================

The names below are imported lazily, so ``import graphsvc.hsds`` costs nothing until one is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.hsds.export import Documents, ExportReport, build_documents, build_tables, export_hsds
    from graphsvc.hsds.ids import HSDS_NAMESPACE, hsds_id
    from graphsvc.hsds.importer import HsdsLoadReport, load_hsds

__all__ = [
    "HSDS_NAMESPACE",
    "Documents",
    "ExportReport",
    "HsdsLoadReport",
    "build_documents",
    "build_tables",
    "export_hsds",
    "hsds_id",
    "load_hsds",
]

_WHERE = {
    "HSDS_NAMESPACE": "ids",
    "hsds_id": "ids",
    "Documents": "export",
    "ExportReport": "export",
    "build_documents": "export",
    "build_tables": "export",
    "export_hsds": "export",
    "HsdsLoadReport": "importer",
    "load_hsds": "importer",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"graphsvc.hsds.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'graphsvc.hsds' has no attribute {name!r}")
