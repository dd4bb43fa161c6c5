"""The ``tsunagari`` Typer application and what every command shares (the container, error output)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from graphsvc.bootstrap import Container, build
from graphsvc.domain.errors import TsunagariError

__all__ = ["app", "console", "err_console", "handle_errors", "open_container"]

app = typer.Typer(
    name="tsunagari",
    help="つながり: 重層的支援体制整備事業のためのグラフサービス (graph service for multi-layered community support)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(fn: F) -> F:
    """Print a :class:`TsunagariError` as located Japanese/English lines and exit with status 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TsunagariError as err:
            err_console.print(f"[bold red]エラー (error):[/] {len(err.problems)}件")
            for p in err.problems[:200]:
                err_console.print(f"  - {p}", markup=False, highlight=False)
            if len(err.problems) > 200:
                err_console.print(f"  … 他 {len(err.problems) - 200} 件 (and more)")
            err_console.print("何も書き込んでいません (nothing was written)")
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@contextmanager
def open_container() -> Iterator[Container]:
    container = build()
    try:
        yield container
    finally:
        container.close()


@app.callback()
def _root() -> None:
    """つながり: 重層的支援体制整備事業のためのグラフサービス."""
