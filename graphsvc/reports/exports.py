"""``gaps.json`` (the :class:`GapReport` with lists capped) and the CSVs of the gap report, with Japanese
headers, UTF-8 with a BOM so that Excel opens them as UTF-8."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from graphsvc.analysis import GapReport
from graphsvc.analysis.agency_network import AgencyNetworkResult
from graphsvc.analysis.common import sector_ja
from graphsvc.analysis.reachability import Chain, ReachabilityResult
from graphsvc.domain.enums import HouseholdFlag
from graphsvc.domain.spreadsheet import write_rows

__all__ = [
    "CSV_FILES",
    "JSON_LIST_LIMIT",
    "cap_lists",
    "gaps_json",
    "write_csvs",
    "write_gaps_json",
    "write_path_csvs",
]

JSON_LIST_LIMIT = 200
"""The most items ``gaps.json`` keeps of any list (the CSVs keep every row)."""

CSV_FILES = (
    "agency_components.csv",
    "agency_cuts.csv",
    "agency_sectors.csv",
    "reachability.csv",
    "isolated_clusters.csv",
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
    """One CSV through the project's safe writer (formula cells neutralised), UTF-8 with a BOM for Excel (the
    BOM written once: Python's utf-8-sig codec would wrap every write in Python code)."""
    with path.open("w", newline="", encoding="utf-8", buffering=1 << 20) as f:
        f.write("\ufeff")
        write_rows(f, header, (["" if v is None else v for v in r] for r in rows))
    return path


def _hops(n: int | None) -> str | int:
    return "届かない" if n is None else n


def _chain(c: Chain | None) -> str:
    return "" if c is None else c.text_ja


def _flag_ja(code: str) -> str:
    try:
        return HouseholdFlag(code).ja
    except ValueError:
        return code


def _ja_list(values: Iterable[str]) -> str:
    return "、".join(values)


def write_csvs(report: GapReport, out_dir: Path) -> list[Path]:
    """Write the CSVs of :data:`CSV_FILES` into ``out_dir`` (every row, household ids included: these files are
    for roles that may see households); returns their paths."""
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
        *write_path_csvs(report.reachability, report.agency_network, out_dir),
        _write(
            out_dir / "outreach.csv",
            [
                "順位",
                "世帯ID",
                "地区ID",
                "区分",
                "スコア",
                "リスク",
                "世帯員数",
                "理由",
                "リスク要因",
                "機関までの歩数",
                "機関までの経路 (誰が伝えるか)",
                "孤立したまとまり",
            ],
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
                    _ja_list(_flag_ja(f) for f in c.flags),
                    _hops(c.agency_hops),
                    c.chain_ja,
                    c.cluster_id,
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
                "共に支援する世帯ID",
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
                    _ja_list(m.household_ids),
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


def _reach_rows(reach: ReachabilityResult) -> Iterable[Sequence[object]]:
    """Every household's row of reachability.csv (from the arrays when the result has them, else from the
    households kept in ``details``)."""
    if reach.tie_graph is not None:
        flag_ja = {f.value: f.ja for f in HouseholdFlag}
        c = reach.csv_columns()

        def steps(col: list[int | None]) -> list[object]:
            return ["届かない" if x is None else x for x in col]

        def text(col: list[str | None]) -> list[str]:
            return ["" if x is None else x for x in col]

        yield from zip(
            c["household_id"],
            text(c["area_id"]),
            c["status_ja"],
            steps(c["agency_hops"]),
            steps(c["formal_hops"]),
            steps(c["informal_hops"]),
            text(c["agency_chain"]),
            c["weakest_ja"],
            text(c["formal_chain"]),
            text(c["informal_chain"]),
            text(c["cluster_id"]),
            ["、".join(flag_ja.get(f, f) for f in fl) if fl else "" for fl in c["flags"]],
            strict=True,
        )
        return
    for h in reach.details:
        yield (
            h.household_id,
            h.area_id,
            h.status_ja,
            _hops(h.agency_hops),
            _hops(h.formal_hops),
            _hops(h.informal_hops),
            _chain(h.agency),
            h.agency.weakest_ja if h.agency and h.agency.steps else "",
            _chain(h.formal),
            _chain(h.informal),
            h.cluster_id,
            _ja_list(_flag_ja(f) for f in h.flags),
        )


def write_path_csvs(reach: ReachabilityResult, net: AgencyNetworkResult, out_dir: Path) -> list[Path]:
    """The CSVs of the path findings: the agency network (components, cuts, sectors), every household's
    reachability and the isolated clusters (also without the rest of the report: the scale benchmark writes
    these for a million households)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows_components = []
    ap_names = {c.agency.agency_id for c in net.articulation_points}
    for c in net.components:
        for a in c.agencies:
            rows_components.append(
                (
                    c.component_id,
                    "主な連携網" if c.main else "切り離されている",
                    c.size,
                    a.agency_id,
                    a.name,
                    a.sector_ja,
                    a.kind_ja,
                    "はい" if a.agency_id in ap_names else "",
                )
            )
    cuts: list[tuple[object, ...]] = [
        (
            "機関",
            c.agency.name,
            c.agency.agency_id,
            "",
            len(c.cut_off),
            _ja_list(a.name for a in c.cut_off),
            c.reason_ja,
        )
        for c in net.articulation_points
    ]
    cuts += [
        (
            "連携",
            f"{b.a.name} ⇄ {b.b.name}",
            f"{b.a.agency_id} ⇄ {b.b.agency_id}",
            b.level_ja,
            len(b.cut_off),
            _ja_list(a.name for a in b.cut_off),
            b.reason_ja,
        )
        for b in net.bridges
    ]
    return [
        _write(
            out_dir / "agency_components.csv",
            ["まとまり", "区分", "機関数", "機関ID", "機関名", "分野", "種別", "欠けると網が分かれる"],
            rows_components,
        ),
        _write(
            out_dir / "agency_cuts.csv",
            ["種類", "名称", "ID", "連携段階", "切り離される機関数", "切り離される機関", "説明"],
            cuts,
        ),
        _write(
            out_dir / "agency_sectors.csv",
            [
                "分野",
                "機関数",
                "切り離されている機関",
                "分野内の連携",
                "分野をまたぐ連携",
                "欠けると網が分かれる機関",
                "連携のある分野",
            ],
            (
                (
                    s.sector_ja,
                    s.agencies,
                    s.cut_off,
                    s.internal,
                    s.external,
                    s.articulation_points,
                    _ja_list(sector_ja(x) for x in s.linked_sectors),
                )
                for s in net.sectors
            ),
        ),
        _write(
            out_dir / "reachability.csv",
            [
                "世帯ID",
                "地区ID",
                "状態",
                "機関までの歩数",
                "民生委員・専門職までの歩数",
                "住民の支援者までの歩数",
                "機関までの経路 (誰が伝えるか)",
                "最も弱いつながり",
                "民生委員・専門職までの経路",
                "住民の支援者までの経路",
                "孤立したまとまり",
                "リスク要因",
            ],
            _reach_rows(reach),
        ),
        _write(
            out_dir / "isolated_clusters.csv",
            [
                "まとまり",
                "世帯数",
                "人・場所の数",
                "入口",
                "入口の種別",
                "入口から届く世帯",
                "説明",
                "リスクのある世帯",
                "支援者",
                "居場所",
                "地区 (世帯数)",
                "世帯ID",
            ],
            (
                (
                    c.cluster_id,
                    c.households,
                    c.nodes,
                    c.entry.display_ja,
                    c.entry.kind_ja,
                    c.entry_reaches,
                    c.entry_reason_ja,
                    c.risk_households,
                    _ja_list(c.supporters),
                    _ja_list(c.venues),
                    _ja_list(f"{k} ({v})" for k, v in c.areas.items()),
                    _ja_list(c.household_ids),
                )
                for c in reach.clusters
            ),
        ),
    ]
