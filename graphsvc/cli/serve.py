"""``tsunagari serve``: run the application (the HTTP API and the staff pages, :mod:`graphsvc.app`) with uvicorn."""

from __future__ import annotations

import typer

from graphsvc.cli.app import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="待ち受けアドレス (bind address)"),
    port: int = typer.Option(8000, help="ポート (port)"),
    workers: int = typer.Option(1, help="ワーカープロセス数 (worker processes)"),
) -> None:
    """HTTP API とスタッフ画面を起動 (start the HTTP API and the staff pages: graphsvc.app)."""
    import uvicorn

    uvicorn.run("graphsvc.app:app", host=host, port=port, workers=workers, log_level="info")
