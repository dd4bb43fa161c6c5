"""The gap report for the 重層的支援会議: one printable Japanese HTML page, ``gaps.json`` and CSVs.

- :func:`write_gap_outputs`: everything for one town into a folder;
- :func:`render_report`: the page as text; :func:`figures_of`: its summary figures;
- :mod:`graphsvc.reports.exports`: ``gaps.json`` (lists capped, said under ``limits``) and the CSVs (UTF-8 with
  BOM, Japanese headers).
"""

from __future__ import annotations

from graphsvc.reports.exports import (
    CSV_FILES,
    JSON_LIST_LIMIT,
    cap_lists,
    gaps_json,
    write_csvs,
    write_gaps_json,
)
from graphsvc.reports.gap_report import (
    GapOutputs,
    ReportFigures,
    figures_of,
    render_report,
    write_gap_outputs,
)

__all__ = [
    "CSV_FILES",
    "JSON_LIST_LIMIT",
    "GapOutputs",
    "ReportFigures",
    "cap_lists",
    "figures_of",
    "gaps_json",
    "render_report",
    "write_csvs",
    "write_gap_outputs",
    "write_gaps_json",
]
