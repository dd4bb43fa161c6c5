"""The demo: build a demo town into its store and write what each user looks at under ``out/<town>/``.

The steps are one explicit, ordered tuple (:data:`STEPS`): each :class:`DemoStep` has a name, a Japanese
label and a function of the town being built (:class:`DemoTown`). Nothing registers itself by being imported;
a new output is a new function and a new entry here. ``tsunagari demo`` runs :func:`run_demo`.

====================  ============================================================================
step                  writes
====================  ============================================================================
``build``             the town into its store (cleared first), the summary kept for the next steps
``summary``           ``summary.json``, ``summary.md``
``matches``           ``matches.csv``: the best placements, with reasons, for a few people of each situation
``map``               ``resource-map.html`` (offline, one file) and ``resource-map-online.html`` (地理院タイル)
``gaps``              ``gap-report.html``, ``gaps.json`` and the gap CSVs (linking the map beside them)
``linkage``           ``caselists/`` (the town's agency lists, as agencies keep them, and ``truth.csv``),
                      loaded as caselists into the town ``<town>-linked`` and linked there (名寄せ);
                      ``linkage.json`` and ``linkage.md``: precision/recall against the truth, the review
                      queue, and the missing-agency-link finding on linked data vs on the truth
``shigen``            資源開発: the town's jobs (``loaders/demo/jobs/<town>.csv``) stored and sliced into プチ勤務
                      (accepted as drafts), ``unmet-need.html`` / ``.json`` / ``.csv`` (足りない参加メニュー, with
                      before / naive / optimised figures), ``unmet-need-map.html``, ``slicing.json`` and
                      ``petit-catalogue.html`` (プチ勤務カタログ with the proposals)
====================  ============================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.spreadsheet import write_rows
from graphsvc.store.port import GraphStore, NodeRef

if TYPE_CHECKING:
    import networkx as nx

    from graphsvc.access.system import SystemDB
    from graphsvc.analysis import GapReport
    from graphsvc.maps import MapData
    from loaders.demo.build import TownSummary

__all__ = [
    "DEMO_TOWNS",
    "MATCH_GROUPS",
    "STEPS",
    "DemoStep",
    "DemoTown",
    "ProgressFn",
    "check_demo_towns",
    "demo_towns",
    "run_demo",
    "step_names",
]

DEMO_TOWNS: tuple[str, ...] = ("toba", "takasu")
"""What ``--town all`` builds (``synthetic`` is built only when asked for by name)."""

ProgressFn = Callable[[str, str, int, int | None], None]
"""``progress(key, label, done, total)``: ``key`` is ``"<town>/<step>"``; ``total`` ``None`` while unknown."""

MATCH_GROUPS: tuple[str, ...] = ("ひきこもり", "障害 (サービス対象外を含む)", "8050世帯の子")
"""The situations ``matches.csv`` shows a few people of."""

MATCHES_HEADER = ("group", "person_id", "rank", "opportunity_id", "title", "score", "reasons", "excluded")


@dataclass
class DemoTown:
    """One town in the making: where it is stored and written, and what the steps before have left for the next."""

    town: str
    store: GraphStore
    out_dir: Path
    seed: int = 0
    households: int | None = None
    progress: ProgressFn | None = None
    summary: TownSummary | None = None
    written: list[Path] = field(default_factory=list)
    store_of: Callable[[str], GraphStore] | None = None
    """Other towns' stores (the ``linkage`` step links the agency lists in ``<town>-linked``)."""
    system: SystemDB | None = None
    """The system database the linkage run, its queue and its audit entries go to (a temporary one if None)."""
    linkage: dict[str, Any] | None = None
    _graph: nx.MultiDiGraph | None = field(default=None, repr=False)
    _report: GapReport | None = field(default=None, repr=False)
    _map_data: MapData | None = field(default=None, repr=False)

    def report(self, step: str, label: str, done: int, total: int | None) -> None:
        """Tell the caller how far ``step`` has got (no-op without a progress function)."""
        if self.progress is not None:
            self.progress(f"{self.town}/{step}", label, done, total)

    def analysis(self) -> tuple[nx.MultiDiGraph, GapReport]:
        """The town's projection and its gap analysis, computed once for the steps that need them."""
        if self._graph is None or self._report is None:
            from graphsvc.analysis import analyse_all

            self._graph = self.store.projection()
            self._report = analyse_all(self._graph)
        return self._graph, self._report

    def map_data(self) -> MapData:
        """What the map and the gap report draw (computed once)."""
        if self._map_data is None:
            from graphsvc.maps import collect_map_data

            G, rep = self.analysis()
            self._map_data = collect_map_data(G, rep, town=self.town)
        return self._map_data

    def require_summary(self) -> TownSummary:
        if self.summary is None:
            raise RuntimeError(f"demo {self.town}: the build step has not run before this step")
        return self.summary


Step = Callable[[DemoTown], None]


@dataclass(frozen=True)
class DemoStep:
    """One step of the demo: a stable name, what it does in Japanese, and the function."""

    name: str
    label_ja: str
    run: Step


def build(t: DemoTown) -> None:
    """Generate the town and write it into its (cleared) store."""
    from loaders.demo import build_town, get_spec

    spec = get_spec(t.town, t.households)
    total = spec.default_households if t.households is None else t.households
    label = f"{spec.name} ({t.town}) を生成・書き込み中"
    t.report("build", label, 0, total)

    def progress(done: int, _total: int) -> None:
        t.report("build", label, done, total)

    t.summary = build_town(t.store, spec, seed=t.seed, households=t.households, progress=progress)
    t._graph = t._report = t._map_data = None  # the store changed


def write_summary(t: DemoTown) -> None:
    """``summary.json`` and ``summary.md``: what the town holds."""
    summary = t.require_summary()
    t.out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (("summary.json", summary.to_json() + "\n"), ("summary.md", summary.to_markdown())):
        path = t.out_dir / name
        path.write_text(text, encoding="utf-8")
        t.written.append(path)


def _match_group(props: dict[str, Any]) -> str:
    if props.get("hikikomori"):
        return MATCH_GROUPS[0]
    if props.get("disability"):
        return MATCH_GROUPS[1]
    return MATCH_GROUPS[2]


def write_matches(t: DemoTown, *, per_group: int = 2, top: int = 5) -> None:
    """``matches.csv``: the best placements, with reasons, for ``per_group`` people of each situation."""
    from graphsvc.services.matching import MatchingService
    from matching import Reason

    svc = MatchingService(t.store)
    groups: dict[str, list[str]] = {g: [] for g in MATCH_GROUPS}
    for pid in svc.candidates():
        row = t.store.get_node(NodeRef(NodeLabel.PERSON, pid))
        if row is None:
            continue
        ids = groups[_match_group(row.props)]
        if len(ids) < per_group:
            ids.append(pid)
        if all(len(v) >= per_group for v in groups.values()):
            break
    rows: list[Sequence[Any]] = []
    for group, ids in groups.items():
        for pid in ids:
            res = svc.match(pid, top=top, explain=top)
            excluded = "、".join(f"{Reason(k).ja} {v}件" for k, v in res.exclusion_counts.items())
            if not res.ranked:
                rows.append([group, pid, "", "", "", "", res.message, excluded])
            for item in res.ranked:
                # penalties too: a limit the person named is why an opening sits lower
                reasons = " / ".join(fa.reason for fa in item.factors if abs(fa.contribution) > 0.02)
                rows.append(
                    [
                        group,
                        pid,
                        item.rank,
                        item.opening_id,
                        item.title,
                        f"{item.score:.3f}",
                        reasons,
                        excluded,
                    ]
                )
    t.out_dir.mkdir(parents=True, exist_ok=True)
    path = t.out_dir / "matches.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        write_rows(f, MATCHES_HEADER, rows)
    t.written.append(path)


def write_maps(t: DemoTown) -> None:
    """The offline map as ``resource-map.html`` (the demo needs no network) and the online one beside it."""
    from graphsvc.maps import build_map_from_data, render_map

    _, rep = t.analysis()
    data = t.map_data()
    t.out_dir.mkdir(parents=True, exist_ok=True)
    for name, offline in (("resource-map.html", True), ("resource-map-online.html", False)):
        path = t.out_dir / name
        path.write_text(render_map(build_map_from_data(data, rep, offline=offline)), encoding="utf-8")
        t.written.append(path)


def write_gaps(t: DemoTown) -> None:
    """The gap report, ``gaps.json`` and the gap CSVs."""
    from graphsvc.reports import write_gap_outputs

    G, rep = t.analysis()
    res = write_gap_outputs(t.store, t.out_dir, analysis=rep, graph=G, data=t.map_data())
    t.written.extend([res.report, res.json, *res.csvs])


LINKED_SUFFIX = "-linked"


def _resource_batch(store: GraphStore) -> Any:
    """The town's areas and agencies and the ties among them (no person, no household) as one batch."""
    from graphsvc.domain.enums import RelType
    from graphsvc.store.port import WriteBatch

    nodes = [*store.iter_nodes(NodeLabel.AREA), *store.iter_nodes(NodeLabel.AGENCY)]
    keep = {n.ref for n in nodes}
    rels = [
        r
        for t in (RelType.IN_AREA, RelType.COLLABORATES_WITH)
        for r in store.iter_rels(t)
        if r.src in keep and r.dst in keep
    ]
    return WriteBatch(nodes=nodes, rels=rels)


def _agency_of_list(store: GraphStore, keys: Sequence[str]) -> dict[str, str]:
    """Each generated list's agency: one of the list's kind, else the first one left (by id)."""
    from linkage.synth import PROFILES

    agencies = sorted(store.iter_nodes(NodeLabel.AGENCY), key=lambda n: n.id)
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        kind = PROFILES[key].agency_kind
        pick = next((a.id for a in agencies if a.props.get("kind") == kind and a.id not in used), None)
        pick = pick or next((a.id for a in agencies if a.id not in used), None)
        if pick is not None:
            out[key] = pick
            used.add(pick)
    return out


def _missing_pairs(store: GraphStore) -> dict[tuple[str, str], int]:
    from graphsvc.analysis.missing_links import missing_links

    res = missing_links(store.projection())
    return {
        tuple(sorted((m.agency_a.agency_id, m.agency_b.agency_id))): m.shared_households  # type: ignore[misc]
        for m in res.links
    }


def link_caselists(t: DemoTown) -> None:
    """Write the town's agency lists (``caselists/``), load them as caselists into ``<town>-linked`` (with the
    town's areas, agencies and their ties), link them under 支援会議, and compare with the truth."""
    import json
    import tempfile

    from graphsvc.access.context import AccessContext
    from graphsvc.access.system import SystemDB
    from graphsvc.services.admin import local_operator
    from graphsvc.services.linkage import Linkage, build_graph
    from graphsvc.store.embedded import EmbeddedStore
    from linkage.evaluate import pair_scores
    from linkage.synth import REFERENCE_DATE, generate_lists

    if t.store_of is None:
        raise RuntimeError("demo linkage step: no store_of for the linked town")
    tmp = tempfile.TemporaryDirectory()
    system = t.system or SystemDB.open(Path(tmp.name) / "system.sqlite3")
    try:
        lists = generate_lists(t.town, seed=t.seed, households=t.households)
        list_dir = t.out_dir / "caselists"
        paths = lists.write(list_dir)
        t.written.append(list_dir)
        linked_town = f"{t.town}{LINKED_SUFFIX}"
        store = t.store_of(linked_town)
        store.clear()
        store.write(_resource_batch(t.store))
        agency_of = _agency_of_list(store, list(lists.rows))
        svc = Linkage(store, system)
        ctx = AccessContext(linked_town, local_operator(), None)
        for key, agency in agency_of.items():
            svc.load_caselist(ctx, agency, paths[key])
        run = svc.run(
            ctx, "支援会議", "デモ: 合成データの機関名簿 (synthetic demo lists)", today=REFERENCE_DATE
        )
        state = system.linkage.state(linked_town)
        assert state is not None
        clusters = state[1]
        truth_p = {
            f"{agency_of[r['list']]}:{r['case_id']}": r["person_id"]
            for r in lists.truth
            if r["list"] in agency_of
        }
        truth_h = {
            f"{agency_of[r['list']]}:{r['case_id']}": r["household_id"]
            for r in lists.truth
            if r["list"] in agency_of
        }
        persons = pair_scores({u: c[0] for u, c in clusters.items()}, truth_p)
        households = pair_scores({u: c[1] for u, c in clusters.items()}, truth_h)
        linked = _missing_pairs(store)
        # the same finding on the truth: the same rows, clustered as they really are
        rows = svc._rows().nodes
        with EmbeddedStore(
            Path(tmp.name) / "truth.sqlite3", f"{t.town}-truth", synchronous="NORMAL"
        ) as truth_store:
            truth_store.write(_resource_batch(t.store))
            nodes, rels = build_graph(rows, truth_p, truth_h)
            from graphsvc.store.port import WriteBatch

            truth_store.write(WriteBatch(nodes=[*rows.values(), *nodes], rels=rels))
            truth = _missing_pairs(truth_store)
        both = set(linked) & set(truth)
        figures = {
            "town": linked_town,
            "run_id": run.run_id,
            "basis": run.basis,
            "lists": {k: {"agency": agency_of.get(k), "rows": len(v)} for k, v in lists.rows.items()},
            "records": run.figures["records"],
            "true_persons": len(set(truth_p.values())),
            "linked_persons": run.figures["persons"],
            "linked_households": run.figures["households"],
            "review_queue": run.figures["review"],
            "review_share": run.figures["review"] / max(1, run.figures["records"]),
            "person_pairs": {"precision": persons.precision, "recall": persons.recall, "f1": persons.f1},
            "household_pairs": {
                "precision": households.precision,
                "recall": households.recall,
                "f1": households.f1,
            },
            "blocking": run.figures["blocking"],
            "missing_links": {
                "linked": len(linked),
                "truth": len(truth),
                "agree": len(both),
                "only_linked": sorted("|".join(k) for k in set(linked) - set(truth)),
                "only_truth": sorted("|".join(k) for k in set(truth) - set(linked)),
                "shared_households_linked": sum(linked[k] for k in both),
                "shared_households_truth": sum(truth[k] for k in both),
            },
            "seconds": run.figures["seconds"],
        }
        t.linkage = figures
        (t.out_dir / "linkage.json").write_text(
            json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        ml = figures["missing_links"]
        md = [
            f"# 名寄せ (record linkage): {t.town}",
            "",
            f"機関の名簿 {len(agency_of)} 件・{figures['records']} 行を町「{linked_town}」で名寄せしました"
            f" (法的根拠: {run.basis}、実行 {run.run_id}、{figures['seconds']} 秒)。",
            "",
            "| 指標 | 適合率 (precision) | 再現率 (recall) | F1 |",
            "|---|---|---|---|",
            f"| 本人の組 (person pairs) | {persons.precision:.4f} | {persons.recall:.4f} | {persons.f1:.4f} |",
            f"| 世帯の組 (household pairs) | {households.precision:.4f} | {households.recall:.4f} | {households.f1:.4f} |",
            "",
            f"- 名寄せ後の本人 {figures['linked_persons']} 人 (正解 {figures['true_persons']} 人)、世帯 {figures['linked_households']}",
            f"- 確認待ち (review queue): {figures['review_queue']} 組 ({figures['review_share']:.2%} of records)",
            f"- 連携のない機関の組 (missing agency links): 名寄せ後 {ml['linked']} 組 / 正解 {ml['truth']} 組、"
            f"一致 {ml['agree']} 組 (共有世帯 {ml['shared_households_linked']} / {ml['shared_households_truth']})",
            "",
        ]
        (t.out_dir / "linkage.md").write_text("\n".join(md), encoding="utf-8")
        t.written += [t.out_dir / "linkage.json", t.out_dir / "linkage.md"]
    finally:
        if t.system is None:
            system.close()
        tmp.cleanup()


def write_development(t: DemoTown) -> None:
    """資源開発: unmet need across the waiting list, the jobs sliced into プチ勤務, and the catalogue."""
    import json
    from importlib import resources

    from graphsvc.maps.unmet_map import unmet_map_html
    from graphsvc.reports.development import render_catalogue, render_unmet
    from graphsvc.services.development import accept_proposals, location_of, store_jobs, waiting_list
    from graphsvc.services.matching import MatchingService
    from loaders.jobs import load_jobs
    from matching.slicing import slice_jobs
    from matching.unmet import report_rows, unmet_need

    jobs_file = resources.files("loaders.demo") / "jobs" / f"{t.town}.csv"
    jobs = []
    if jobs_file.is_file():
        with resources.as_file(jobs_file) as path:
            jobs = [
                j for j in load_jobs(path) if t.store.get_node(NodeRef(j.host_label, j.host_id)) is not None
            ]
    if jobs:
        store_jobs(t.store, jobs)
    eng = MatchingService(t.store)
    w = waiting_list(t.store, eng)
    existing = eng.opportunities()
    rep = unmet_need(w.profiles, eng.catalogue(), areas=w.areas)
    res = slice_jobs(
        jobs, w.profiles, existing, locations={j.id: loc for j in jobs if (loc := location_of(t.store, j))}
    )
    slicing = res.to_dict(people=False)
    report = rep.to_dict()
    t.out_dir.mkdir(parents=True, exist_ok=True)
    out = t.out_dir
    (out / "unmet-need.json").write_text(
        json.dumps(
            {
                "report": report,
                "slicing_metrics": res.metrics,
                "slicing_status": res.status,
                "slicing_quality_ja": res.quality_ja(),
                "slicing_solver": res.solver,
                "slicing_bounds": res.bounds,
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    with (out / "unmet-need.csv").open("w", newline="", encoding="utf-8") as f:
        rows = report_rows(report)
        write_rows(
            f,
            ("section", "key", "label", "count"),
            [[r[k] for k in ("section", "key", "label", "count")] for r in rows],
        )
    (out / "unmet-need.html").write_text(
        render_unmet(t.town, report, slicing=slicing, map_href="unmet-need-map.html"), encoding="utf-8"
    )
    no_good = set(rep.no_good_ids)
    openings = [(o.location.lat, o.location.lon, o.title) for o in existing if o.location is not None]
    (out / "unmet-need-map.html").write_text(
        unmet_map_html(
            t.town, list(w.homes.values()), [h for p, h in w.homes.items() if p in no_good], openings
        ),
        encoding="utf-8",
    )
    (out / "slicing.json").write_text(
        json.dumps(slicing, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    hosts = {
        r.id: str(r.props.get("name") or r.id)
        for label in (NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY)
        for r in t.store.iter_nodes(label)
    }
    from graphsvc.domain.enums import OpportunityKind

    petit = [o for o in existing if o.kind is OpportunityKind.PETIT_WORK]
    (out / "petit-catalogue.html").write_text(
        render_catalogue(t.town, petit, hosts, proposals=res), encoding="utf-8"
    )
    # the proposals become draft openings (下書き) a coordinator publishes from the staff pages
    for j in jobs:
        mine = [p.to_dict(people=False) for p in res.proposals if p.piece.job_id == j.id]
        if mine:
            accept_proposals(t.store, j, mine)
    t.written.extend(
        out / n
        for n in (
            "unmet-need.json",
            "unmet-need.csv",
            "unmet-need.html",
            "unmet-need-map.html",
            "slicing.json",
            "petit-catalogue.html",
        )
    )


STEPS: tuple[DemoStep, ...] = (
    DemoStep("build", "町を生成して格納 (build the town)", build),
    DemoStep("summary", "概要 (summary.json, summary.md)", write_summary),
    DemoStep("matches", "参加メニューの候補 (matches.csv)", write_matches),
    DemoStep("map", "資源マップ (resource-map.html)", write_maps),
    DemoStep("gaps", "ギャップ報告 (gap-report.html, gaps.json, CSV)", write_gaps),
    DemoStep("linkage", "機関の名簿を名寄せ (caselists/, linkage.json, linkage.md)", link_caselists),
    DemoStep("shigen", "資源開発 (unmet-need.html, petit-catalogue.html, slicing.json)", write_development),
)
"""Every step of ``tsunagari demo``, in the order they run for each town."""


def step_names() -> list[str]:
    """The names of :data:`STEPS`, in order."""
    return [s.name for s in STEPS]


def demo_towns(town: str) -> list[str]:
    """The towns that ``--town`` names: ``all`` is :data:`DEMO_TOWNS`; anything else is that one town."""
    return list(DEMO_TOWNS) if town == "all" else [town]


def check_demo_towns(towns: Iterable[str]) -> None:
    """Raise :class:`DomainValidationError` (field ``--town``) for a name that is not a demo town."""
    from loaders.demo import TOWNS

    known = [*TOWNS, "synthetic"]
    bad = [t for t in towns if t not in known]
    if bad:
        raise DomainValidationError(
            [
                Problem(
                    f"デモの町「{t}」はありません。次のいずれか: {'、'.join([*known, 'all'])}",
                    f"unknown demo town {t!r}; one of {', '.join([*known, 'all'])}",
                    field="--town",
                    value=t,
                )
                for t in bad
            ]
        )


def run_demo(
    towns: Iterable[str],
    store_of: Callable[[str], GraphStore],
    out_root: Path,
    *,
    seed: int = 0,
    households: int | None = None,
    progress: ProgressFn | None = None,
    steps: Sequence[DemoStep] = STEPS,
    system: SystemDB | None = None,
) -> list[DemoTown]:
    """Run ``steps`` (default every step, in order) for each town; the towns as built, with what each wrote.

    Parameters
    ----------
    towns : iterable of str
        Demo town names (``toba``, ``takasu``, ``synthetic``); an unknown one is a
        :class:`~graphsvc.domain.errors.DomainValidationError` naming the choices, raised before anything is written.
    store_of : callable
        The store of a town (``Container.store``).
    out_root : Path
        Each town's files go to ``out_root / town``.
    seed, households
        As in :func:`loaders.demo.build_town`.
    progress : ProgressFn, optional
        Told when each step starts and ends, and how far the build has got.
    steps : sequence of DemoStep
        The steps to run (a prefix or subset of :data:`STEPS`, in their order).
    system : SystemDB, optional
        Where the linkage step records its run and queue (``Container.system()``; a temporary one if None).
    """
    names = list(towns)
    check_demo_towns(names)  # every name checked before any store is cleared
    built: list[DemoTown] = []
    for name in names:
        t = DemoTown(
            town=name,
            store=store_of(name),
            out_dir=Path(out_root) / name,
            seed=seed,
            households=households,
            progress=progress,
            store_of=store_of,
            system=system,
        )
        for step in steps:
            label = f"{name}: {step.label_ja}"
            if step.name != "build":  # the build reports its own progress, household by household
                t.report(step.name, label, 0, 1)
            step.run(t)
            if step.name != "build":
                t.report(step.name, label, 1, 1)
        built.append(t)
    return built
