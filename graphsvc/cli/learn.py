"""``tsunagari learn``: refit a town's learned scorer on its recorded outcomes (``match --scorer learned`` uses it)."""

from __future__ import annotations

from typing import Annotated

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container

__all__ = ["learn_cmd"]


@app.command("learn")
@handle_errors
def learn_cmd(town: Annotated[str | None, typer.Option("--town", "-t", help="町 (town)")] = None) -> None:
    """記録された参加の結果で学習モデルを更新 (refit the learned scorer on the town's recorded outcomes)."""
    from graphsvc.services.learning import refit, scorer_path

    with open_container() as c:
        town = town or c.settings.default_town
        report = refit(c.store(town), scorer_path(c.settings.data_dir, town))
    console.print(str(report), highlight=False)
