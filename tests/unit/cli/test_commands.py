"""Every command module is imported explicitly; a broken one fails loudly; every command and its help work."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap

import pytest
import typer
from typer.testing import CliRunner

import graphsvc.cli
from graphsvc.cli import COMMAND_MODULES, app

EXPECTED = {
    "info",
    "demo",
    "load",
    "link",
    "export",
    "match",
    "schema",
    "assign",
    "learn",
    "placement",
    "evaluate",
    "gaps",
    "map",
    "keys",
    "serve",
}


def _commands(t: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [(*prefix, c.name or c.callback.__name__) for c in t.registered_commands]  # type: ignore[union-attr]
    for g in t.registered_groups:
        assert g.name and g.typer_instance is not None
        out.append((*prefix, g.name))
        out.extend(_commands(g.typer_instance, (*prefix, g.name)))
    return out


def test_every_module_of_the_package_is_a_registered_command_module() -> None:
    names = {m.name for m in pkgutil.iter_modules(graphsvc.cli.__path__)} - {"app"}
    assert names == {m.__name__.rsplit(".", 1)[1] for m in COMMAND_MODULES}


def test_help_lists_every_command() -> None:
    top = {c[0] for c in _commands(app)}
    assert top == EXPECTED
    res = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    for name in EXPECTED:
        assert f" {name} " in res.output, name
    assert "つながり" in res.output


@pytest.mark.parametrize("path", _commands(app), ids=" ".join)
def test_every_command_has_help_in_japanese(path: tuple[str, ...]) -> None:
    res = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert any("\u3040" <= ch <= "\u9fff" for ch in res.output), res.output  # kana or kanji


def test_a_command_module_that_fails_to_import_fails_the_cli() -> None:
    """Not skipped silently: `import graphsvc.cli` raises, and so does `tsunagari`."""
    code = textwrap.dedent(
        """
        import importlib.abc, sys

        class Broken(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "graphsvc.cli.gaps":
                    raise ModuleNotFoundError("No module named 'graphsvc.cli.gaps'", name=name)
                return None

        sys.meta_path.insert(0, Broken())
        from graphsvc.cli import main
        main()
        """
    )
    res = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True, timeout=60)
    assert res.returncode != 0
    assert "ImportError" in res.stderr and "gaps" in res.stderr


def test_evaluate_shows_the_protocols_defaults() -> None:
    """`tsunagari evaluate` spells its defaults out (no scikit-learn at start-up); they are the protocol's."""
    from graphsvc.cli import evaluate as command
    from matching import evaluate as protocol

    assert (command.DEFAULT_SEED, command.DEFAULT_PEOPLE, command.DEFAULT_OPENINGS) == (
        protocol.DEFAULT_SEED,
        protocol.DEFAULT_PEOPLE,
        protocol.DEFAULT_OPENINGS,
    )
