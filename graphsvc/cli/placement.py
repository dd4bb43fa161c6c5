"""``tsunagari assign`` (batch assignment to a CSV) and ``tsunagari placement`` (the referral lifecycle)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graphsvc.cli.app import app, console, handle_errors, open_container
from graphsvc.domain.enums import PlacementOutcome, PlacementStatus
from graphsvc.domain.spreadsheet import csv_writer
from graphsvc.services.matching import MatchingService
from graphsvc.services.placements import PlacementService

__all__ = ["assign_cmd", "placement_app"]

placement_app = typer.Typer(help="参加の提案と経過 (placements: propose, update, list)", no_args_is_help=True)
app.add_typer(placement_app, name="placement")


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
    with open_container() as c:
        town = town or c.settings.default_town
        svc = MatchingService(c.store(town))
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


@app.command("learn")
@handle_errors
def learn_cmd(town: Annotated[str | None, typer.Option("--town", "-t", help="町 (town)")] = None) -> None:
    """記録された参加の結果で学習モデルを更新 (refit the learned scorer on the town's recorded outcomes)."""
    from graphsvc.services.learning import refit

    with open_container() as c:
        town = town or c.settings.default_town
        report = refit(c.store(town), scorer_path(c.settings.data_dir, town))
    console.print(str(report), highlight=False)


def scorer_path(data_dir: Path, town: str) -> Path:
    """Where a town's learned scorer lives (next to its data; written by `tsunagari learn`)."""
    return data_dir / f"{town}.scorer.joblib"


def _show(p: object) -> None:
    console.print_json(json.dumps(p, ensure_ascii=False, default=str))


@placement_app.command("propose")
@handle_errors
def propose(
    person: Annotated[str, typer.Option("--person", help="本人ID")],
    opportunity: Annotated[str, typer.Option("--opportunity", help="参加メニューID")],
    by: Annotated[str, typer.Option("--by", help="記録する人 (who records it)")],
    town: Annotated[str | None, typer.Option("--town", "-t")] = None,
    note: Annotated[str | None, typer.Option("--note", help="メモ")] = None,
) -> None:
    """提案を記録 (record a proposal)."""
    with open_container() as c:
        p = PlacementService(c.store(town)).propose(person, opportunity, by=by, note=note)
    _show({"person_id": p.person_id, "opportunity_id": p.opportunity_id, **p.props.model_dump(mode="json")})


@placement_app.command("update")
@handle_errors
def update(
    person: Annotated[str, typer.Option("--person", help="本人ID")],
    opportunity: Annotated[str, typer.Option("--opportunity", help="参加メニューID")],
    status: Annotated[PlacementStatus, typer.Option("--status", help="新しい段階 (new status)")],
    by: Annotated[str, typer.Option("--by", help="記録する人")],
    town: Annotated[str | None, typer.Option("--town", "-t")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    host_notes: Annotated[str | None, typer.Option("--host-notes", help="受け入れ先の悩み・メモ")] = None,
    outcome: Annotated[PlacementOutcome | None, typer.Option("--outcome", help="3か月時点の結果")] = None,
) -> None:
    """段階を進める (move a placement along its lifecycle)."""
    with open_container() as c:
        p = PlacementService(c.store(town)).transition(
            person, opportunity, status, by=by, note=note, host_notes=host_notes, outcome=outcome
        )
    _show({"person_id": p.person_id, "opportunity_id": p.opportunity_id, **p.props.model_dump(mode="json")})


@placement_app.command("list")
@handle_errors
def list_cmd(
    town: Annotated[str | None, typer.Option("--town", "-t")] = None,
    person: Annotated[str | None, typer.Option("--person")] = None,
    status: Annotated[PlacementStatus | None, typer.Option("--status")] = None,
) -> None:
    """参加の一覧 (list placements)."""
    with open_container() as c:
        items = PlacementService(c.store(town)).find(person_id=person, status=status)
    table = Table(title=f"参加 (placements) {len(items)}件")
    for col in ("本人", "参加メニュー", "段階", "結果", "更新"):
        table.add_column(col)
    for p in items:
        table.add_row(
            p.person_id,
            p.opportunity_id,
            p.props.status.ja,
            p.props.outcome.ja if p.props.outcome else "",
            p.props.updated_at or "",
        )
    console.print(table)
