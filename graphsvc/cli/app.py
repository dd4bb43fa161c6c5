"""The ``tsunagari`` Typer application and what every command shares (the container, error output).

Start-up budget: ``tsunagari --help`` must stay under 0.3 s (``tests/unit/cli/test_startup.py``). This module
and the command modules import only typer, rich's console and the light domain modules (enums, errors, ids) at
the top; everything heavier (the container and its stores, pandas, scikit-learn, networkx, folium, FastAPI,
numpy, scipy, neo4j, the pydantic records) is imported inside the command that needs it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from graphsvc.domain.errors import TsunagariError

if TYPE_CHECKING:
    from graphsvc.bootstrap import Container

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
    """The composition root's container for one command, closed when the command ends."""
    from graphsvc.bootstrap import build

    container = build()
    try:
        yield container
    finally:
        container.close()


@app.callback()
def _root() -> None:
    """つながり: 重層的支援体制整備事業のためのグラフサービス."""
