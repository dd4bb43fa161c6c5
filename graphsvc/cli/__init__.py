"""Command-line interface ``tsunagari``. Each command lives in its own module and registers on ``app``."""

from __future__ import annotations

import importlib

from graphsvc.cli.app import app, run

__all__ = ["app", "main"]

# Command modules; a module that is missing (a feature not installed yet) is skipped.
_COMMAND_MODULES = ("info", "demo", "load", "match", "placement", "evaluate", "gaps", "keys", "serve")


def _register() -> None:
    for name in _COMMAND_MODULES:
        try:
            importlib.import_module(f"graphsvc.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"graphsvc.cli.{name}":
                raise


def main() -> None:
    _register()
    run()
