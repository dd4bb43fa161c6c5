"""``tsunagari gaps`` (the gap report, gaps.json and CSVs) and ``tsunagari map`` (the resource map).

The demo writes the same files through its own steps (:mod:`graphsvc.services.demo`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container
from graphsvc.domain.errors import NotFoundError, Problem
from graphsvc.domain.ids import check_town_name

if TYPE_CHECKING:
    from graphsvc.bootstrap import Container
    from graphsvc.store.port import GraphStore

__all__ = ["gaps", "map_command", "require_town"]


def require_town(container: Container, town: str) -> GraphStore:
    """The store of an existing town; a town with no data is an error naming the towns there are (exit 2).

    Checked before :meth:`Container.store`, which would create an empty database for a new name.
    """
    check_town_name(town)
    towns = container.towns()
    if town not in towns:
        listed = "、".join(towns) if towns else "(なし: `tsunagari demo` か `tsunagari load` で作成できます)"
        raise NotFoundError(
            [
                Problem(
                    f"町「{town}」のデータがありません。利用できる町: {listed}",
                    f"no data for town {town!r}; available: {', '.join(towns) or 'none'}",
                    field="town",
                    value=town,
                )
            ]
        )
    return container.store(town)


def _analyse(store: GraphStore) -> tuple[Any, Any]:
    """The town's projection and its gap analysis."""
    from graphsvc.analysis import analyse_all

    G = store.projection()
    return G, analyse_all(G)


def _out_dir(container: Container, town: str, out: Path | None) -> Path:
    return Path(out) if out is not None else Path(container.settings.out_dir) / town


@app.command("gaps")
@handle_errors
def gaps(
    town: str = typer.Option(..., "--town", "-t", help="町 (toba, takasu など) / town"),
    top: int = typer.Option(
        30, "--top", help="報告の各一覧の件数 (CSV は全件) / rows per list in the report"
    ),
    out: Annotated[
        Path | None, typer.Option("--out", help="出力先 (既定: out/<town>/) / output folder")
    ] = None,
) -> None:
    """ギャップ報告 (gap-report.html, gaps.json, CSV) を書き出す (write the gap report)."""
    from graphsvc.reports import write_gap_outputs

    with open_container() as c:
        store = require_town(c, town)
        G, rep = _analyse(store)
        res = write_gap_outputs(store, _out_dir(c, town, out), analysis=rep, graph=G, top=top)
    console.print(f"→ {res.report}", highlight=False)
    console.print(f"→ {res.json}", highlight=False)
    console.print(f"→ {', '.join(p.name for p in res.csvs)}", highlight=False)


@app.command("map")
@handle_errors
def map_command(
    town: str = typer.Option(..., "--town", "-t", help="町 (toba, takasu など) / town"),
    offline: bool = typer.Option(
        False, "--offline", help="背景地図なしの単独HTML (ネット接続不要) / one self-contained file, no tiles"
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="出力ファイル (既定: out/<town>/resource-map.html) / output file"),
    ] = None,
) -> None:
    """資源マップ (resource-map.html) を書き出す (write the resource map)."""
    from graphsvc.maps import write_map

    with open_container() as c:
        store = require_town(c, town)
        G, rep = _analyse(store)
        path = out if out is not None else _out_dir(c, town, None) / "resource-map.html"
        write_map(store, path, offline=offline, analysis=rep, graph=G)
    console.print(f"→ {path} ({'オフライン版' if offline else '地理院タイル版'})", highlight=False)
