"""``tsunagari load KIND PATH`` and ``tsunagari export hsds DIR``: municipal files in, HSDS out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container
from graphsvc.domain.errors import DomainValidationError, Problem

__all__ = ["LOAD_KINDS", "export_app"]

LOAD_KINDS = (
    "persons",
    "households",
    "areas",
    "agencies",
    "venues",
    "employers",
    "supporters",
    "opportunities",
    "cases",
    "ties",
    "kaigo-opendata",
    "hsds",
)

export_app = typer.Typer(help="データの書き出し (export data)", no_args_is_help=True)
app.add_typer(export_app, name="export")

_TOWN = typer.Option("--town", "-t", help="町 (省略時は既定の町) / town, the default if omitted")


_BLANK = typer.Option(
    "--blank",
    help="空欄の扱い: keep (既定、保存済みの値を残す) か clear (その項目を消す)。セルに #消去 と書いてもその項目だけ消せます "
    "/ empty cells: keep the stored value (default) or clear the field; a cell holding #消去 (#clear) clears it",
    case_sensitive=False,
)


def _print_report(report: object) -> None:
    from rich.table import Table

    from loaders.common import LoadReport

    if not isinstance(report, LoadReport):  # the HSDS loader returns its own summary
        console.print(str(report), markup=False, highlight=False)
        return
    title = "読み込み結果 (load report)" + (" — 試行のみ、書き込みなし (dry run)" if report.dry_run else "")
    table = Table(title=title)
    table.add_column("項目 (item)")
    table.add_column("値 (value)", justify="right")
    for k, v in report.rows():
        table.add_row(k, v)
    console.print(table)
    if report.approximate_sources:
        shown = "、".join(f"{k}: {v}" for k, v in sorted(report.approximate_sources.items()))
        console.print(f"概略の位置の内訳 (approximate locations by source): {shown}")
    head = (
        "書き込む内容 (what this load writes)"
        if not report.dry_run
        else "書き込むはずの内容 (what a load would write)"
    )
    console.print(head, highlight=False)
    for line in report.change_lines():
        console.print(f"  {line}", markup=False, highlight=False)
    for w in report.warnings:
        console.print(f"[yellow]警告 (warning):[/] {w}", highlight=False)
    for credit in report.credits:
        console.print(credit, highlight=False)


@app.command()
@handle_errors
def load(
    kind: Annotated[str, typer.Argument(help=f"種類 (kind): {' | '.join(LOAD_KINDS)}")],
    path: Annotated[
        Path, typer.Argument(help="CSV / Excel (.xlsx) ファイル、hsds はディレクトリ (file or directory)")
    ],
    town: Annotated[str | None, _TOWN] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Excel のシート名 (省略時は先頭) / sheet name")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="検査して、書き込む内容を表示するだけ (validate and show the changes only)"
        ),
    ] = False,
    blank: Annotated[str, _BLANK] = "keep",
) -> None:
    """ファイルを読み込む: すべての行か、何も書かないか (load a file: all rows or none)."""
    if kind not in LOAD_KINDS:
        raise DomainValidationError(
            [
                Problem(
                    f"種類「{kind}」は使えません。次のいずれか: {'、'.join(LOAD_KINDS)}",
                    f"unknown kind {kind!r}; one of {', '.join(LOAD_KINDS)}",
                    field="kind",
                )
            ]
        )
    if blank.lower() not in ("keep", "clear"):
        raise DomainValidationError(
            [
                Problem(
                    "--blank は keep か clear です",
                    f"--blank must be keep or clear, not {blank!r}",
                    field="--blank",
                )
            ]
        )
    if not path.exists():
        raise DomainValidationError([Problem("ファイルがありません", "file not found", file=str(path))])
    with open_container() as c:
        store = c.store(town)
        if kind == "hsds":
            from graphsvc.hsds import load_hsds

            _print_report(load_hsds(store, path, dry_run=dry_run, blank=blank.lower()))
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from loaders import load_file

        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task(f"検査中 (validating) {path.name}", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = load_file(
                store, kind, path, sheet=sheet, dry_run=dry_run, progress=on_progress, blank=blank.lower()
            )
        _print_report(report)


@export_app.command("hsds")
@handle_errors
def export_hsds(
    out_dir: Annotated[Path, typer.Argument(help="書き出し先ディレクトリ (output directory)")],
    town: Annotated[str | None, _TOWN] = None,
) -> None:
    """HSDS 3.0 形式で書き出す (export as Open Referral HSDS 3.0)."""
    from graphsvc.hsds import export_hsds as export

    with open_container() as c:
        result = export(c.store(town), out_dir)
    console.print(str(result), markup=False, highlight=False)
