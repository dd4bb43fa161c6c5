"""``tsunagari demo``: build the demo towns into the store and write what each user looks at under ``out/<town>/``.

The steps (build, summary, matches, map, gaps) are the explicit list :data:`graphsvc.services.demo.STEPS`;
this command only parses its options, shows progress and prints where things went.
"""

from __future__ import annotations

from pathlib import Path

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container

__all__ = ["demo"]


@app.command()
@handle_errors
def demo(
    town: str = typer.Option("all", "--town", "-t", help="toba | takasu | all (synthetic も可)"),
    seed: int = typer.Option(0, "--seed", help="乱数の種 (同じ種なら同じ町) / seed"),
    households: int = typer.Option(
        None, "--households", min=1, help="世帯数 (省略時は実際の人口相当) / households"
    ),
) -> None:
    """デモの町を生成して格納し, out/<town>/ に概要を書き出す (build the demo towns)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from graphsvc.services.demo import check_demo_towns, demo_towns, run_demo

    towns = demo_towns(town)
    check_demo_towns(towns)
    with (
        open_container() as c,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        tasks: dict[str, TaskID] = {}

        def on_progress(key: str, label: str, done: int, total: int | None) -> None:
            if key not in tasks:
                tasks[key] = progress.add_task(label, total=total)
            progress.update(tasks[key], completed=done, total=total)

        built = run_demo(
            towns,
            c.store,
            Path(c.settings.out_dir),
            seed=seed,
            households=households,
            progress=on_progress,
        )
    for t in built:
        if t.summary is not None:
            console.print(t.summary.overview_ja(), highlight=False)
        names = ", ".join(p.name for p in t.written)
        console.print(f"  → {t.out_dir}/ {names}", highlight=False)
