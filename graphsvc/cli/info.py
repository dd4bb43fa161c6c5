"""``tsunagari info``: what the store holds, per town."""

from __future__ import annotations

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container
from graphsvc.domain.enums import NodeLabel, RelType


@app.command()
@handle_errors
def info(
    town: str = typer.Option(None, "--town", "-t", help="町 (省略時はすべて) / town, all if omitted"),
) -> None:
    """格納されているデータの件数を表示 (show what the store holds)."""
    from rich.table import Table

    with open_container() as c:
        console.print(f"store: [bold]{c.settings.store}[/]  data: {c.settings.data_dir}")
        towns = [town] if town else c.towns()
        if not towns:
            console.print(
                "データがありません。まず `make demo` か `tsunagari demo` を実行してください (no data yet)."
            )
            return
        for t in towns:
            counts = c.store(t).counts()
            table = Table(title=f"{t}")
            table.add_column("種類 (kind)")
            table.add_column("件数 (count)", justify="right")
            for label in NodeLabel:
                if label.value in counts.nodes:
                    table.add_row(f"{label.ja} ({label.value})", f"{counts.nodes[label.value]:,}")
            for rel in RelType:
                if rel.value in counts.rels:
                    table.add_row(f"{rel.ja} ({rel.value})", f"{counts.rels[rel.value]:,}")
            console.print(table)
