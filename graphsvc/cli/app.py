"""The ``tsunagari`` Typer application and what every command shares (the container, error output).

Start-up budget: ``tsunagari --help`` must stay under 0.3 s (``tests/unit/cli/test_startup.py``). This module
and the command modules import only typer, rich's console and the light domain modules (enums, errors, ids) at
the top; everything heavier (the container and its stores, pandas, scikit-learn, networkx, folium, FastAPI,
numpy, scipy, neo4j, the pydantic records) is imported inside the command that needs it.

:func:`run` is the error boundary every command runs inside: no traceback reaches a user. A located
:class:`TsunagariError` is printed problem by problem; bad options and arguments, undecodable or malformed files,
input nested too deeply, files that cannot be opened and any other exception become a Japanese message (with the
English) and exit status 2 (``TSUNAGARI_DEBUG=1`` adds the traceback). :func:`open_container` leaves nothing
behind: a town store the command created and left empty (a dry run, an unknown town, a failed load) is removed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from graphsvc.domain.errors import TsunagariError

if TYPE_CHECKING:
    from graphsvc.bootstrap import Container

__all__ = ["app", "console", "err_console", "handle_errors", "open_container", "run"]

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
            _print_problems(err)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def printable(text: object) -> str:
    """Text that any terminal encoding can take (lone surrogates from undecodable arguments escaped)."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def _print_problems(err: TsunagariError) -> None:
    err_console.print(f"[bold red]エラー (error):[/] {len(err.problems)}件")
    for p in err.problems[:200]:
        err_console.print(f"  - {printable(p)}", markup=False, highlight=False)
    if len(err.problems) > 200:
        err_console.print(f"  … 他 {len(err.problems) - 200} 件 (and more)")
    err_console.print("何も書き込んでいません (nothing was written)")


def _store_files(container: Container) -> set[Path]:
    s = container.settings
    if s.store != "embedded" or not s.data_dir.is_dir():
        return set()
    return set(s.data_dir.glob("*.sqlite3"))


def _is_empty_store(path: Path) -> bool:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return all(
                conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] == 0
                for t in ("nodes", "rels")
                if t in tables
            )
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _remove_new_empty_stores(container: Container, before: set[Path], data_dir_existed: bool) -> None:
    for path in sorted(_store_files(container) - before):
        if _is_empty_store(path):
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
                p.unlink(missing_ok=True)
    d = container.settings.data_dir
    if not data_dir_existed and d.is_dir() and not any(d.iterdir()):
        d.rmdir()


@contextmanager
def open_container() -> Iterator[Container]:
    """The composition root's container for one command, closed when the command ends; town stores it created
    and left empty are removed."""
    from graphsvc.bootstrap import build

    container = build()
    data_dir_existed = container.settings.data_dir.is_dir()
    before = _store_files(container)
    try:
        yield container
    finally:
        container.close()
        _remove_new_empty_stores(container, before, data_dir_existed)


def _unexpected(err: BaseException) -> tuple[str, str]:
    """A Japanese and an English sentence for an exception no command turned into problems."""
    import json

    from pydantic import ValidationError

    if isinstance(err, UnicodeError):
        return (
            "文字コードを読めません。UTF-8 (または CP932) で保存したテキストファイルを指定してください",
            f"cannot decode the input ({err}); give a text file saved as UTF-8 (or CP932)",
        )
    if isinstance(err, json.JSONDecodeError):
        return (
            f"JSON として読めません ({err.lineno}行目 {err.colno}文字目)。ファイルが壊れているか途中で切れています",
            f"not valid JSON at line {err.lineno} column {err.colno}: {err.msg}",
        )
    if isinstance(err, RecursionError):
        return "入れ子が深すぎて読めません", "the input is nested too deeply to read"
    if isinstance(err, MemoryError):
        return "入力が大きすぎて読めません", "the input is too large to read"
    if isinstance(err, IsADirectoryError):
        return f"ファイルではなくフォルダです: {err.filename}", f"a folder, not a file: {err.filename}"
    if isinstance(err, FileNotFoundError):
        return f"ファイルがありません: {err.filename}", f"no such file: {err.filename}"
    if isinstance(err, PermissionError):
        return f"ファイルを開く権限がありません: {err.filename}", f"permission denied: {err.filename}"
    if isinstance(err, OSError):
        return f"ファイルを読み書きできません: {err.strerror or err}", f"cannot read or write a file: {err}"
    if isinstance(err, ValidationError):
        from graphsvc.domain.codec import problems_from_validation

        shown = "; ".join(str(p) for p in problems_from_validation(err)[:5])
        return f"入力の形が正しくありません: {shown}", f"the input does not have the expected shape: {err}"
    if isinstance(err, (ValueError, TypeError, KeyError, IndexError, AttributeError)):
        return (
            f"入力を処理できません ({type(err).__name__}: {str(err)[:300]})。入力ファイルと指定した値を確かめてください",
            f"cannot process the input ({type(err).__name__}: {str(err)[:300]}); check the input file and options",
        )
    return (
        f"予期しないエラーです ({type(err).__name__}: {str(err)[:300]})",
        f"unexpected error ({type(err).__name__}: {str(err)[:300]})",
    )


def run(argv: Sequence[str] | None = None) -> None:
    """Run the CLI inside the error boundary (see the module docstring); exits with the command's status."""
    for stream in (sys.stdout, sys.stderr):  # never fail on printing what a user typed (undecodable bytes)
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        code = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except SystemExit:
        raise
    except typer.Exit as e:
        code = e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("中断しました (interrupted)")
        sys.exit(130)
    except typer.TyperException as e:  # click's usage errors (typer vendors click)
        if type(e).__name__ == "NoArgsIsHelpError":
            help_text = e.format_message() if hasattr(e, "format_message") else str(e)
            console.print(help_text, markup=False, highlight=False)
            sys.exit(0)
        message = printable(e.format_message() if hasattr(e, "format_message") else str(e))
        err_console.print(
            f"[bold red]エラー (error):[/] コマンドの指定が正しくありません (invalid command line): {message}",
            highlight=False,
        )
        ctx = getattr(e, "ctx", None)
        if ctx is not None:
            err_console.print(f"使い方 (usage): {ctx.get_usage()}", markup=False, highlight=False)
            err_console.print(f"詳しくは (help): {ctx.command_path} --help", markup=False, highlight=False)
        sys.exit(2)
    except TsunagariError as e:
        _print_problems(e)
        sys.exit(2)
    except BrokenPipeError:  # the output was piped into a program that stopped reading
        sys.stderr.close()
        sys.exit(1)
    except Exception as e:  # the boundary: no traceback reaches a user
        ja, en = (printable(t) for t in _unexpected(e))
        err_console.print("[bold red]エラー (error):[/] " + ja.replace("[", "\\["), highlight=False)
        err_console.print(f"  ({en})", markup=False, highlight=False)
        err_console.print("何も書き込んでいません (nothing was written)")
        if os.environ.get("TSUNAGARI_DEBUG"):
            import traceback

            traceback.print_exc()
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


@app.callback()
def _root() -> None:
    """つながり: 重層的支援体制整備事業のためのグラフサービス."""
