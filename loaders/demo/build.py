"""Build a demo town into a store, and summarise it while the rows stream past.

How it writes: the store is cleared first (so a rerun gives the same state). A town whose rows fit
``atomic_rows`` (both demo towns at their real size) is then written as ONE ``WriteBatch``: one transaction, so a
failure leaves the store empty, never half a town. A larger town is written block by block (each block is
atomic and self-consistent); a failure there leaves the blocks written so far, and a rerun repairs it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from graphsvc.domain.enums import HouseholdFlag, NodeLabel, RelType, Sector
from graphsvc.store.port import GraphStore, WriteBatch
from loaders.demo import sources as src
from loaders.demo.generator import generate_town
from loaders.demo.spec import TownSpec

__all__ = ["AreaStats", "Summariser", "TownSummary", "build_town"]

ProgressFn = Callable[[int, int], None]
"""progress(households_done, households_total)."""

_TIE_RELS = {
    RelType.SUPPORTED_BY,
    RelType.KNOWS,
    RelType.NEIGHBOUR_OF,
    RelType.VISITS,
    RelType.ATTENDS,
    RelType.ABOUT,
    RelType.PLACED_IN,
}


@dataclass
class AreaStats:
    name: str = ""
    households: int = 0
    people: int = 0
    aged65: int = 0
    alone65: int = 0
    isolated_households: int = 0
    flags: dict[str, int] = field(default_factory=dict)


@dataclass
class TownSummary:
    """What a build produced: counts per kind, sector and area, the rates against their targets."""

    town: str
    name: str
    seed: int
    households: int
    nodes: dict[str, int]
    rels: dict[str, int]
    agencies_by_sector: dict[str, int]
    supported_by_by_sector: dict[str, int]
    areas: dict[str, AreaStats]
    cases: dict[str, float]
    rates: dict[str, float]
    targets: dict[str, float]
    seconds: float = 0.0
    atomic: bool = True

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    def overview_ja(self) -> str:
        r = self.rates
        return (
            f"{self.name} ({self.town}): 世帯 {self.nodes.get('Household', 0):,} / 人 {self.nodes.get('Person', 0):,}"
            f" / 高齢化率 {r['aging_rate']:.1%} (目標 {self.targets['aging_rate']:.1%})"
            f" / 高齢単身 男 {r['alone65_men']:.1%}・女 {r['alone65_women']:.1%}"
            f" / 障害 {r['disability_rate']:.1%} / ひきこもり(15〜64歳) {r['hikikomori_rate_15_64']:.2%}"
            f" / 民生委員1人あたり {r['households_per_minsei']:.0f}世帯"
            f" / 困難事例の要因 平均 {self.cases['mean_factors_hard']:.2f}"
            f" / 孤立世帯 {int(r['isolated_households']):,}"
        )

    def to_markdown(self) -> str:
        lines = [
            f"# {self.name} ({self.town}) デモの概要",
            "",
            f"seed {self.seed}, 世帯 {self.households:,}, "
            f"{self.seconds:.1f} 秒, {'一括書き込み' if self.atomic else 'ブロック書き込み'}",
            "",
        ]
        lines += ["## 率と目標 (rates vs targets)", "", "| 指標 (metric) | 値 | 目標 |", "|---|---:|---:|"]
        for k, v in self.rates.items():
            t = self.targets.get(k)
            lines.append(f"| {RATE_LABELS.get(k, k)} ({k}) | {_fmt(v)} | {'' if t is None else _fmt(t)} |")
        lines += ["", "## ノード (nodes)", "", "| 種類 | 件数 |", "|---|---:|"]
        lines += [f"| {NodeLabel(k).ja} ({k}) | {v:,} |" for k, v in sorted(self.nodes.items())]
        lines += ["", "## 関係 (relationships)", "", "| 種類 | 件数 |", "|---|---:|"]
        lines += [f"| {RelType(k).ja} ({k}) | {v:,} |" for k, v in sorted(self.rels.items())]
        lines += [
            "",
            "## 分野別 (by sector)",
            "",
            "| 分野 | 機関数 | 支援関係 (SUPPORTED_BY) |",
            "|---|---:|---:|",
        ]
        for s in Sector:
            a, b = self.agencies_by_sector.get(s.value, 0), self.supported_by_by_sector.get(s.value, 0)
            if a or b:
                lines.append(f"| {s.ja} | {a} | {b:,} |")
        lines += [
            "",
            "## 地区別 (by area)",
            "",
            "| 地区 | 世帯 | 人 | 65歳以上 | 高齢単身 | 孤立世帯 | フラグ |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for st in self.areas.values():
            fl = ", ".join(f"{HouseholdFlag(k).ja} {v}" for k, v in sorted(st.flags.items()))
            lines.append(
                f"| {st.name} | {st.households:,} | {st.people:,} | {st.aged65:,} | {st.alone65:,} | "
                f"{st.isolated_households:,} | {fl} |"
            )
        lines += ["", "## 相談ケース (cases)", ""]
        lines += [f"- {k}: {_fmt(v)}" for k, v in self.cases.items()]
        lines += ["", "出典: " + " / ".join(src.SOURCES_JA), ""]
        return "\n".join(lines)


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.4g}"


class Summariser:
    """Accumulates a :class:`TownSummary` from the batches of :func:`generate_town` as they pass."""

    def __init__(self, spec: TownSpec, *, seed: int, households: int):
        self.spec = spec
        self.seed = seed
        self.households = households
        self.nodes: Counter[str] = Counter()
        self.rels: Counter[str] = Counter()
        self.agencies_by_sector: Counter[str] = Counter()
        self.supported: Counter[str] = Counter()
        self.areas: dict[str, AreaStats] = {}
        self.area_names: dict[str, str] = {}
        self.people = self.aged65 = self.men65 = self.women65 = self.alone_men = self.alone_women = 0
        self.disabled = self.aged15_64 = self.hikikomori = self.needs_support = 0
        self.minsei = 0
        self.cases = self.hard = self.factors = self.hard_factors = self.multi = 0
        self.poverty_cases = self.poverty_multi = 0
        self.isolated = 0

    def observe(self, batch: WriteBatch) -> None:
        hh_area: dict[str, str] = {}
        hh_size: dict[str, int] = {}
        touched: set[str] = set()
        person_hh: dict[str, str] = {}
        for n in batch.nodes:
            self.nodes[n.label.value] += 1
            p = n.props
            if n.label is NodeLabel.AREA:
                self.area_names[n.id] = str(p["name"])
            elif n.label is NodeLabel.AGENCY:
                for s in p.get("sectors", []):  # type: ignore[union-attr]
                    self.agencies_by_sector[str(s)] += 1
            elif n.label is NodeLabel.SUPPORTER and p.get("kind") == "minsei_iin":
                self.minsei += 1
            elif n.label is NodeLabel.HOUSEHOLD:
                area = str(p["area_id"])
                st = self.areas.setdefault(area, AreaStats(name=self.area_names.get(area, area)))
                st.households += 1
                for f in p.get("flags", []):  # type: ignore[union-attr]
                    st.flags[str(f)] = st.flags.get(str(f), 0) + 1
                hh_area[n.id] = area
                hh_size[n.id] = int(p["size"])  # type: ignore[arg-type]
            elif n.label is NodeLabel.PERSON:
                self._person(n.id, p, hh_area, hh_size)
                person_hh[n.id] = str(p["household_id"])
            elif n.label is NodeLabel.CASE:
                self._case(p)
        for r in batch.rels:
            self.rels[r.type.value] += 1
            if r.type is RelType.SUPPORTED_BY:
                self.supported[str(r.props.get("sector", ""))] += 1
            if r.type in _TIE_RELS:
                for end in (r.src, r.dst):
                    if end.label is NodeLabel.HOUSEHOLD:
                        touched.add(end.id)
                    elif end.label is NodeLabel.PERSON and end.id in person_hh:
                        touched.add(person_hh[end.id])
        for hid, area in hh_area.items():
            if hid not in touched:
                self.isolated += 1
                self.areas[area].isolated_households += 1

    def _person(self, pid: str, p: dict[str, Any], hh_area: dict[str, str], hh_size: dict[str, int]) -> None:
        self.people += 1
        hid = str(p["household_id"])
        st = self.areas[hh_area[hid]]
        st.people += 1
        age = src.REFERENCE_YEAR - int(p["birth_year"])
        if p.get("disability"):
            self.disabled += 1
        if p.get("needs_support"):
            self.needs_support += 1
        if 15 <= age <= 64:
            self.aged15_64 += 1
            self.hikikomori += bool(p.get("hikikomori"))
        if age >= 65:
            self.aged65 += 1
            st.aged65 += 1
            alone = hh_size[hid] == 1
            st.alone65 += alone
            if p["sex"] == "female":
                self.women65 += 1
                self.alone_women += alone
            else:
                self.men65 += 1
                self.alone_men += alone

    def _case(self, p: dict[str, Any]) -> None:
        k = len(p.get("factors", []))
        self.cases += 1
        self.factors += k
        self.multi += k >= 2
        if p.get("hard"):
            self.hard += 1
            self.hard_factors += k
        if "financial_hardship" in p.get("factors", []) or "debt" in p.get("factors", []):
            self.poverty_cases += 1
            self.poverty_multi += k >= 2

    def summary(self, *, seconds: float = 0.0, atomic: bool = True) -> TownSummary:
        def ratio(a: float, b: float) -> float:
            return a / b if b else 0.0

        hh = self.nodes.get("Household", 0)
        return TownSummary(
            town=self.spec.town,
            name=self.spec.name,
            seed=self.seed,
            households=self.households,
            nodes=dict(sorted(self.nodes.items())),
            rels=dict(sorted(self.rels.items())),
            agencies_by_sector=dict(sorted(self.agencies_by_sector.items())),
            supported_by_by_sector=dict(sorted(self.supported.items())),
            areas=dict(sorted(self.areas.items())),
            cases={
                "cases": self.cases,
                "hard_cases": self.hard,
                "mean_factors_all": ratio(self.factors, self.cases),
                "mean_factors_hard": ratio(self.hard_factors, self.hard),
                "multi_issue_share": ratio(self.multi, self.cases),
                "multi_issue_share_poverty": ratio(self.poverty_multi, self.poverty_cases),
            },
            rates={
                "population": self.people,
                "aging_rate": ratio(self.aged65, self.people),
                "alone65_men": ratio(self.alone_men, self.men65),
                "alone65_women": ratio(self.alone_women, self.women65),
                "disability_rate": ratio(self.disabled, self.people),
                "hikikomori_rate_15_64": ratio(self.hikikomori, self.aged15_64),
                "needs_support_rate": ratio(self.needs_support, self.people),
                "households_per_minsei": ratio(hh, self.minsei),
                "mean_household_size": ratio(self.people, hh),
                "isolated_households": self.isolated,
            },
            targets={
                "population": float(self.spec.population),
                "aging_rate": self.spec.mix.aging_rate,
                "alone65_men": src.ALONE_RATE_65_MEN,
                "alone65_women": src.ALONE_RATE_65_WOMEN,
                "disability_rate": src.DISABILITY_RATE,
                "hikikomori_rate_15_64": src.HIKIKOMORI_RATE_15_64,
                "households_per_minsei": float(self.spec.households_per_minsei),
            },
            seconds=seconds,
            atomic=atomic,
        )


RATE_LABELS: dict[str, str] = {
    "population": "人口",
    "aging_rate": "高齢化率 (65歳以上)",
    "alone65_men": "65歳以上男性のひとり暮らし率",
    "alone65_women": "65歳以上女性のひとり暮らし率",
    "disability_rate": "障害のある人の割合",
    "hikikomori_rate_15_64": "ひきこもりの割合 (15〜64歳)",
    "needs_support_rate": "要援護者台帳の登載率",
    "households_per_minsei": "民生委員1人あたりの世帯数",
    "mean_household_size": "平均世帯人員",
    "isolated_households": "つながりのない世帯",
}
"""Japanese names of the summary's rates (what a user reads in ``summary.md``)."""


def build_town(
    store: GraphStore,
    spec: TownSpec,
    *,
    seed: int = 0,
    households: int | None = None,
    progress: ProgressFn | None = None,
    atomic_rows: int = 400_000,
) -> TownSummary:
    """Clear ``store`` and write the town into it; return its summary.

    The rows are generated twice only in the sense that the first batches are held until it is clear whether
    the town fits ``atomic_rows``: then it is written in one transaction, else block by block.
    """
    n = spec.default_households if households is None else households
    t0 = time.perf_counter()
    summ = Summariser(spec, seed=seed, households=n)
    store.clear()
    pending: list[WriteBatch] = []
    rows = 0
    done = 0
    atomic = True
    for i, batch in enumerate(generate_town(spec, seed=seed, households=n)):
        summ.observe(batch)
        if i > 0:
            done = min(n, done + sum(1 for x in batch.nodes if x.label is NodeLabel.HOUSEHOLD))
        if atomic:
            pending.append(batch)
            rows += len(batch)
            if rows > atomic_rows:
                atomic = False
                for b in pending:
                    store.write(b)
                pending.clear()
        else:
            store.write(batch)
        if progress:
            progress(done, n)
    if atomic:
        merged = WriteBatch()
        for b in pending:
            merged.nodes.extend(b.nodes)
            merged.rels.extend(b.rels)
        store.write(merged)
    if progress:
        progress(n, n)
    return summ.summary(seconds=time.perf_counter() - t0, atomic=atomic)
