"""``tsunagari demo``: build the demo towns into the store and write their summaries under ``out/<town>/``.

The command is a list of steps, each ``step(ctx)`` for one town: later issues append theirs (matches.csv, maps)
with :func:`register_step`, and they run in order after the town is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graphsvc.bootstrap import Container
from graphsvc.cli.app import app, console, handle_errors, open_container
from graphsvc.store.port import GraphStore, NodeRef

__all__ = ["STEPS", "DemoContext", "register_step"]


@dataclass
class DemoContext:
    """What a step gets: the container, the town's store, its summary, its output folder, shared extras."""

    container: Container
    town: str
    store: GraphStore
    out_dir: Path
    seed: int
    households: int | None
    progress: Progress
    summary: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


Step = Callable[[DemoContext], None]
STEPS: list[tuple[str, Step]] = []


def register_step(name: str) -> Callable[[Step], Step]:
    """Register a step of ``tsunagari demo`` (run per town, in registration order)."""

    def deco(fn: Step) -> Step:
        STEPS.append((name, fn))
        return fn

    return deco


@register_step("build")
def _build(ctx: DemoContext) -> None:
    from loaders.demo import build_town, get_spec

    spec = get_spec(ctx.town, ctx.households)
    total = spec.default_households if ctx.households is None else ctx.households
    task = ctx.progress.add_task(f"{spec.name} ({ctx.town}) を生成・書き込み中", total=total)

    def progress(done: int, _total: int) -> None:
        ctx.progress.update(task, completed=done)

    ctx.summary = build_town(ctx.store, spec, seed=ctx.seed, households=ctx.households, progress=progress)


@register_step("summary")
def _summary(ctx: DemoContext) -> None:
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    (ctx.out_dir / "summary.json").write_text(ctx.summary.to_json() + "\n", encoding="utf-8")
    (ctx.out_dir / "summary.md").write_text(ctx.summary.to_markdown(), encoding="utf-8")


@register_step("matches")
def _matches(ctx: DemoContext, per_group: int = 2, top: int = 5) -> None:
    """``matches.csv``: the best placements, with reasons, for a few people of each situation."""
    from graphsvc.domain import NodeLabel
    from graphsvc.domain.spreadsheet import csv_writer
    from graphsvc.services.matching import MatchingService
    from matching import Reason

    svc = MatchingService(ctx.store)
    groups: dict[str, list[str]] = {"ひきこもり": [], "障害 (サービス対象外を含む)": [], "8050世帯の子": []}
    for pid in svc.candidates():
        row = ctx.store.get_node(NodeRef(NodeLabel.PERSON, pid))
        if row is None:
            continue
        key = (
            "ひきこもり"
            if row.props.get("hikikomori")
            else "障害 (サービス対象外を含む)"
            if row.props.get("disability")
            else "8050世帯の子"
        )
        if len(groups[key]) < per_group:
            groups[key].append(pid)
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.out_dir / "matches.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv_writer(f)
        w.writerow(["group", "person_id", "rank", "opportunity_id", "title", "score", "reasons", "excluded"])
        for group, ids in groups.items():
            for pid in ids:
                res = svc.match(pid, top=top, explain=top)
                excluded = "、".join(f"{Reason(k).ja} {v}件" for k, v in res.exclusion_counts.items())
                if not res.ranked:
                    w.writerow([group, pid, "", "", "", "", res.message, excluded])
                for item in res.ranked:
                    reasons = " / ".join(fa.reason for fa in item.factors if fa.contribution > 0.02)
                    w.writerow(
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


@app.command()
@handle_errors
def demo(
    town: str = typer.Option("all", "--town", "-t", help="toba | takasu | all (synthetic も可)"),
    seed: int = typer.Option(0, "--seed", help="乱数の種 (同じ種なら同じ町) / seed"),
    households: int = typer.Option(None, "--households", help="世帯数 (省略時は実際の人口相当) / households"),
) -> None:
    """デモの町を生成して格納し, out/<town>/ に概要を書き出す (build the demo towns)."""
    towns = ["toba", "takasu"] if town == "all" else [town]
    _check_towns(towns, households)
    with open_container() as c:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            contexts = []
            for t in towns:
                ctx = DemoContext(
                    container=c,
                    town=t,
                    store=c.store(t),
                    out_dir=Path(c.settings.out_dir) / t,
                    seed=seed,
                    households=households,
                    progress=progress,
                )
                for _name, step in STEPS:
                    step(ctx)
                contexts.append(ctx)
        for ctx in contexts:
            console.print(ctx.summary.overview_ja(), highlight=False)
            console.print(f"  → {ctx.out_dir}/summary.json, summary.md", highlight=False)


def _check_towns(towns: list[str], households: int | None) -> None:
    """An unknown demo town is refused before any store is opened (so none is left behind)."""
    from graphsvc.domain.errors import DomainValidationError, Problem
    from loaders.demo import get_spec

    for t in towns:
        try:
            get_spec(t, households)
        except KeyError:
            raise DomainValidationError(
                [
                    Problem(
                        f"デモの町「{t}」はありません。toba・takasu・synthetic・all のいずれかを指定してください",
                        f"unknown demo town {t!r}: give toba, takasu, synthetic or all",
                        field="--town",
                        value=t[:80],
                    )
                ]
            ) from None
