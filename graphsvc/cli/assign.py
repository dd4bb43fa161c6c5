"""``tsunagari assign``: capacity-limited batch assignment of a town's candidates, written as a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container

__all__ = ["assign_cmd"]


@app.command("assign")
@handle_errors
def assign_cmd(
    town: Annotated[str | None, typer.Option("--town", "-t", help="町 (town)")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="CSV の出力先 (default out/<town>/assignment.csv)")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="1人あたりの最大件数 (placements per person)")] = 1,
    max_per_host: Annotated[
        int | None, typer.Option("--max-per-host", min=1, help="受け入れ先ごとの上限 (spread across hosts)")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="対象者の上限 (first N candidates)")
    ] = None,
) -> None:
    """参加メニューへの一括割り当て (exact optimum; greedy as the baseline) を CSV に書き出す."""
    from graphsvc.domain.ids import check_town_name
    from graphsvc.domain.spreadsheet import csv_writer
    from graphsvc.services.matching import MatchingService, consent_on_record

    with open_container() as c:
        town = check_town_name(town or c.settings.default_town)
        svc = MatchingService(c.store(town), consents=consent_on_record(c.system().consents, town))
        ids = svc.candidates(limit=limit)
        res = svc.assign(ids, k=k, max_per_host=max_per_host)
        path = out or c.settings.out_dir / town / "assignment.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv_writer(f)
        w.writerow(["person_id", "opportunity_id", "title", "score"])
        for row in res.rows():
            w.writerow([row["person_id"], row["opportunity_id"], row["title"], f"{row['score']:.6f}"])
        w.writerow([])
        w.writerow(["# objective (exact)", f"{res.exact.objective:.6f}", res.exact.solver])
        w.writerow(["# objective (greedy baseline)", f"{res.greedy.objective:.6f}", "greedy"])
    ratio = res.greedy.objective / res.exact.objective if res.exact.objective else 1.0
    console.print(
        f"{len(ids)}人・{len(res.opening_ids)}メニュー: 割り当て {len(res.exact.pairs)}件, "
        f"目的関数 {res.exact.objective:.4f} (最適, {res.exact.solver}) / 貪欲法 {res.greedy.objective:.4f} "
        f"(比 {ratio:.4f}) → {path}",
        highlight=False,
    )
