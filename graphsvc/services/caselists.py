"""``tsunagari load caselist --agency ID FILE``: one agency's caselist, kept as it came.

A caselist is one row per person an agency serves, with that agency's own case id and whatever it has of 氏名,
ふりがな, 生年月日 (和暦 or 西暦), 性別, 住所, 電話 and 世帯主 under its own headers (CSV in UTF-8/CP932 or
Excel). Each row becomes one :class:`~graphsvc.domain.records.CaselistRecord`: the file's headers and the row's
cells exactly as written, with the agency, the file name, the file's SHA-256 and the row number. Rows are never
edited: a later version of the list is another file, whose rows are other records; the linkage service
(:mod:`graphsvc.services.linkage`) reads each agency's latest file.

It lives among the services because it joins two capabilities that stay independent of each other: the
ingestion contract of :mod:`loaders` (reader, drafts, change set) and :mod:`linkage`'s caselist checks. The
ingestion contract (:mod:`loaders.contract`) holds: the whole file is read and checked before anything is
written (the reader refuses damaged files; :func:`linkage.caselist.check_caselist` finds a missing case-id or
identifying column, a shifted column, impossible dates and repeated case ids), every problem names the file,
row and column in Japanese, one error means nothing is written, and the write is one atomic batch. Loading the
same file again changes nothing (the rows' ids hold the file's hash). An agency id the town does not have is
refused before the file is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.ids import RECORD_ID_PATTERN
from graphsvc.store.port import GraphStore, NodeRef
from loaders.common import LoadReport, ProgressFn
from loaders.contract import NodeDraft, Origin, finalize

__all__ = ["KIND", "CaselistLoader", "latest_files", "load_caselist", "record_id"]

KIND = "caselist"


def record_id(agency_id: str, sha256: str, row: int) -> str:
    """The id of a caselist row: agency, the first 16 hex digits of the file's hash, the file's row number."""
    return f"{agency_id}:{sha256[:16]}:{row}"


def _problem(file: str, message_ja: str, message_en: str, **where: object) -> Problem:
    return Problem(message_ja, message_en, file=file, **where)  # type: ignore[arg-type]


class CaselistLoader:
    """Reads, checks and writes one caselist file of one agency (see the module docstring)."""

    kind = KIND

    def __init__(
        self,
        store: GraphStore,
        *,
        agency: str,
        progress: ProgressFn | None = None,
        today: dt.date | None = None,
        now: dt.datetime | None = None,
    ):
        self.store = store
        self.agency = agency
        self.progress = progress
        self.today = today
        self.now = now

    def check_agency(self) -> None:
        import re

        a = self.agency.strip()
        if not a or not re.match(RECORD_ID_PATTERN, a):
            raise DomainValidationError(
                [
                    Problem(
                        "機関IDは英数字で始まり、英数字と _ . : - のみで指定してください",
                        "an agency id is letters, digits, _ . : -, starting with a letter or digit",
                        field="--agency",
                        value=a[:80],
                    )
                ]
            )
        if self.store.get_node(NodeRef(NodeLabel.AGENCY, a)) is None:
            raise DomainValidationError(
                [
                    Problem(
                        f"機関「{a}」はこの町に登録されていません。先に機関の一覧を読み込むか、機関IDを確かめてください",
                        f"no agency {a!r} in this town: load the agencies first or check the id",
                        field="--agency",
                        value=a,
                    )
                ]
            )

    def load(self, path: str | Path, *, sheet: str | None = None, dry_run: bool = False) -> LoadReport:
        from linkage.caselist import check_caselist
        from linkage.features import HEADER_ALIASES
        from loaders.tabular import read_table

        self.check_agency()
        p = Path(path)
        raw = read_table(p, sheet=sheet, known_headers=[h for hs in HEADER_ALIASES.values() for h in hs])
        file = raw.file
        if not raw.rows:
            raise DomainValidationError(
                [
                    _problem(
                        file,
                        "データの行がありません (見出しだけのファイルです)。ファイルが途中で切れていないか確かめてください",
                        "no data rows (only a header): check that the file was not cut short",
                        row=raw.header_row,
                    )
                ]
            )
        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        header = list(raw.header)
        dicts = [
            {h: (cells[j] if j < len(cells) else "") for j, h in enumerate(header) if h}
            for _n, cells in raw.rows
        ]
        found = check_caselist(header, dicts, today=self.today)
        problems: list[Problem] = []
        report = LoadReport(kind=self.kind, file=file, dry_run=dry_run)
        for cp in found:
            file_row = raw.rows[cp.row - 1][0] if cp.row is not None else None
            if cp.severity == "error":
                problems.append(
                    _problem(
                        file, cp.message_ja, cp.message_en, row=file_row, column=cp.column, value=cp.value
                    )
                )
            else:
                where = f"{file_row}行目" if file_row is not None else ""
                col = f"「{cp.column}」" if cp.column else ""
                report.warn(f"{where}{col}: {cp.message_ja}", f"row {file_row} {cp.column}: {cp.message_en}")
        if problems:
            raise DomainValidationError(problems)
        report.rows_read = len(raw.rows)

        from linkage.features import map_headers

        case_col = map_headers(header)["case_id"]
        ci = header.index(case_col)
        already = self.store.find_nodes(
            NodeLabel.CASELIST_RECORD, {"agency_id": self.agency, "file_sha256": sha}, limit=1
        )
        loaded_at = (
            str(already[0].props["loaded_at"])
            if already
            else (self.now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        )
        drafts: dict[NodeRef, NodeDraft] = {}
        total = len(raw.rows)
        for i, (num, cells) in enumerate(raw.rows):
            ref = NodeRef(NodeLabel.CASELIST_RECORD, record_id(self.agency, sha, num))
            drafts[ref] = NodeDraft(
                ref,
                given={
                    "agency_id": self.agency,
                    "case_id": cells[ci].strip(),
                    "file_name": file,
                    "file_sha256": sha,
                    "row": num,
                    "headers": header,
                    "cells": list(cells),
                    "loaded_at": loaded_at,
                    "encoding": raw.encoding,
                    "sheet": raw.sheet,
                },
                origin=Origin(file=file, row=num),
            )
            if self.progress and (i % 500 == 0 or i == total - 1):
                self.progress(i + 1, total)
        done = finalize(self.store, drafts)
        if done.problems:
            raise DomainValidationError(done.problems)
        report.changes = done.changes
        for n in done.batch.nodes:
            report.nodes[n.label.value] = report.nodes.get(n.label.value, 0) + 1
        if already:
            report.warn(
                "このファイルは読み込み済みです (何も変わりません)",
                "this file was loaded before (nothing changes)",
            )
        if not dry_run and len(done.batch):
            report.result = self.store.write(done.batch)
        return report


def load_caselist(
    store: GraphStore,
    agency: str,
    path: str | Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
) -> LoadReport:
    """Load one caselist file of ``agency`` (see :class:`CaselistLoader`)."""
    return CaselistLoader(store, agency=agency, progress=progress, today=today).load(
        path, sheet=sheet, dry_run=dry_run
    )


def latest_files(store: GraphStore) -> dict[str, str]:
    """{agency id: SHA-256 of its latest caselist file} (latest by load time, then by hash)."""
    best: dict[str, tuple[str, str]] = {}
    for n in store.iter_nodes(NodeLabel.CASELIST_RECORD):
        a, sha, at = str(n.props["agency_id"]), str(n.props["file_sha256"]), str(n.props["loaded_at"])
        if a not in best or (at, sha) > best[a]:
            best[a] = (at, sha)
    return {a: v[1] for a, v in best.items()}
