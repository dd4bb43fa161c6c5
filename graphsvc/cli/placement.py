"""``tsunagari placement propose|update|list``: the referral lifecycle of one placement."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container
from graphsvc.domain.enums import PlacementOutcome, PlacementStatus

__all__ = ["placement_app"]

placement_app = typer.Typer(help="参加の提案と経過 (placements: propose, update, list)", no_args_is_help=True)
app.add_typer(placement_app, name="placement")


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
    from graphsvc.services.placements import PlacementService

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
    from graphsvc.services.placements import PlacementService

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
    from rich.table import Table

    from graphsvc.services.placements import PlacementService

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
