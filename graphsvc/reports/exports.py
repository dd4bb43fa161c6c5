"""``gaps.json`` (the :class:`GapReport` with lists capped) and the CSVs of the gap report, with Japanese
headers, UTF-8 with a BOM so that Excel opens them as UTF-8."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from graphsvc.analysis import GapReport
from graphsvc.analysis._common import sector_ja
from graphsvc.domain.enums import HouseholdFlag
from graphsvc.domain.spreadsheet import csv_writer

__all__ = ["CSV_FILES", "JSON_LIST_LIMIT", "cap_lists", "gaps_json", "write_csvs", "write_gaps_json"]

JSON_LIST_LIMIT = 200
"""The most items ``gaps.json`` keeps of any list (the CSVs keep every row)."""

CSV_FILES = (
    "outreach.csv",
    "overlap.csv",
    "missing_links.csv",
    "concentration.csv",
    "single_points.csv",
    "coverage_areas.csv",
    "sector_matrix.csv",
)


def cap_lists(value: Any, limit: int, path: str = "", cut: dict[str, int] | None = None) -> Any:
    """A copy of JSON-ready data with every list cut to ``limit`` items; ``cut`` collects path → original
    length of each list that was cut (``[]`` stands for every item of a list).

    >>> cut: dict[str, int] = {}
    >>> cap_lists({"a": [1, 2, 3], "b": [{"c": [1, 2]}]}, 2, cut=cut), cut
    ({'a': [1, 2], 'b': [{'c': [1, 2]}]}, {'a': 3})
    """
    cut = {} if cut is None else cut
    if isinstance(value, dict):
        return {k: cap_lists(v, limit, f"{path}.{k}" if path else str(k), cut) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > limit:
            cut[path] = max(cut.get(path, 0), len(value))
        return [cap_lists(v, limit, f"{path}[]", cut) for v in value[:limit]]
    return value


def gaps_json(
    report: GapReport, *, town: str, extra: dict[str, Any] | None = None, limit: int = JSON_LIST_LIMIT
) -> dict[str, Any]:
    """The report as a dict for ``gaps.json``: ``limits`` says how lists were capped and which were cut."""
    cut: dict[str, int] = {}
    data = cap_lists(report.to_dict(), limit, cut=cut)
    out: dict[str, Any] = {
        "town": town,
        "limits": {
            "max_items_per_list": limit,
            "note_ja": f"どの一覧も先頭{limit}件までです (全件は CSV に)。truncated は元の件数です。",
            "note_en": f"every list keeps its first {limit} items (the CSVs have every row); truncated gives the original lengths",
            "truncated": dict(sorted(cut.items())),
        },
    }
    if extra:
        out.update(extra)
    out.update(data)
    return out


def write_gaps_json(report: GapReport, path: Path, *, town: str, extra: dict[str, Any] | None = None) -> Path:
    path.write_text(
        json.dumps(gaps_json(report, town=town, extra=extra), ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return path


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv_writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    return path


def _flag_ja(code: str) -> str:
    try:
        return HouseholdFlag(code).ja
    except ValueError:
        return code


def _ja_list(values: Iterable[str]) -> str:
    return "、".join(values)


def write_csvs(report: GapReport, out_dir: Path) -> list[Path]:
    """Write the seven CSVs of :data:`CSV_FILES` into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    iso, ovl, mls, con, fra, cov = (
        report.isolation,
        report.overlap,
        report.missing_links,
        report.concentration,
        report.fragility,
        report.coverage,
    )
    paths = [
        _write(
            out_dir / "outreach.csv",
            ["順位", "世帯ID", "地区ID", "区分", "スコア", "リスク", "世帯員数", "理由", "リスク要因"],
            (
                (
                    n,
                    c.household_id,
                    c.area_id,
                    c.gap_ja,
                    c.score,
                    c.risk,
                    c.members,
                    c.reasons_ja,
                    _ja_list(c.flags),
                )
                for n, c in enumerate(iso.outreach, 1)
            ),
        ),
        _write(
            out_dir / "overlap.csv",
            [
                "順位",
                "世帯ID",
                "地区ID",
                "課題の分野",
                "支援機関の分野",
                "不足する分野",
                "関わる機関",
                "困難事例ID",
                "理由",
            ],
            (
                (
                    n,
                    c.household_id,
                    c.area_id,
                    _ja_list(sector_ja(s) for s in c.need_sectors),
                    _ja_list(sector_ja(s) for s in c.served_sectors),
                    _ja_list(c.missing_sectors_ja),
                    _ja_list(a.name or a.agency_id for a in c.agencies),
                    _ja_list(c.hard_case_ids),
                    c.reason_ja,
                )
                for n, c in enumerate(ovl.candidates, 1)
            ),
        ),
        _write(
            out_dir / "missing_links.csv",
            [
                "順位",
                "機関AのID",
                "機関A",
                "機関Aの分野",
                "機関BのID",
                "機関B",
                "機関Bの分野",
                "共に支援する世帯数",
                "うち困難事例の世帯数",
                "現在の連携段階",
                "理由",
            ],
            (
                (
                    n,
                    m.agency_a.agency_id,
                    m.agency_a.name,
                    m.agency_a.sector_ja,
                    m.agency_b.agency_id,
                    m.agency_b.name,
                    m.agency_b.sector_ja,
                    m.shared_households,
                    len(m.hard_household_ids),
                    m.level_ja or "記録なし",
                    m.reason_ja,
                )
                for n, m in enumerate(mls.links, 1)
            ),
        ),
        _write(
            out_dir / "concentration.csv",
            [
                "機関ID",
                "機関名",
                "分野",
                "困難事例数",
                "うち主担当",
                "担当ケース数",
                "困難事例に占める割合",
                "全ケースに占める割合",
                "偏り (割合の比)",
                "担当ケース数の目安",
                "要注意",
                "理由",
            ],
            (
                (
                    a.agency_id,
                    a.name,
                    a.sector_ja,
                    a.hard_cases,
                    a.lead_hard_cases,
                    a.cases,
                    a.share,
                    a.case_share,
                    a.lift,
                    a.caseload_limit,
                    "要注意" if a.flagged else "",
                    _ja_list(a.reasons_ja),
                )
                for a in con.agencies
            ),
        ),
        _write(
            out_dir / "single_points.csv",
            [
                "順位",
                "種別",
                "ID",
                "名称",
                "支援を失う世帯数",
                "唯一の担い手である世帯数",
                "うちリスクのある世帯",
                "理由",
            ],
            (
                (
                    n,
                    s.provider.label_ja,
                    s.provider.id,
                    s.provider.name,
                    s.households,
                    s.sole_provider,
                    s.risk_households,
                    s.reason_ja,
                )
                for n, s in enumerate(fra.single_points, 1)
            ),
        ),
        _write(
            out_dir / "coverage_areas.csv",
            [
                "地区ID",
                "地区名",
                "要配慮世帯",
                "徒歩圏内",
                "徒歩圏外",
                "位置不明",
                "位置が概略",
                "徒歩圏外の割合",
            ],
            (
                (
                    a.area_id,
                    a.name,
                    a.at_risk,
                    a.near,
                    a.far,
                    a.no_location,
                    a.approximate_location,
                    a.far_share,
                )
                for a in cov.areas
            ),
        ),
        _write(
            out_dir / "sector_matrix.csv",
            ["分野", *ovl.matrix.sectors_ja],
            ((ovl.matrix.sectors_ja[i], *row) for i, row in enumerate(ovl.matrix.counts)),
        ),
    ]
    return paths
