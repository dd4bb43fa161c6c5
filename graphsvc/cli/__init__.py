"""Command-line interface ``tsunagari``. Each command lives in its own module and registers on ``app``.

Every command module is imported here, explicitly: one that fails to import is a bug and fails loudly (the
tests import this package), never a command that silently goes missing. The modules are cheap to import (see
:mod:`graphsvc.cli.app`), so ``tsunagari --help`` lists every command without loading what they use.
"""

from __future__ import annotations

from graphsvc.cli.app import app, run

# The order of these imports is the order of the commands in `tsunagari --help`.
# isort: off
from graphsvc.cli import info, demo, load, link, match, assign, learn, placement, evaluate, gaps, keys, serve
# isort: on

__all__ = ["COMMAND_MODULES", "app", "main"]

COMMAND_MODULES = (info, demo, load, link, match, assign, learn, placement, evaluate, gaps, keys, serve)
"""The modules that register commands on :data:`app` (all of ``graphsvc.cli`` except ``app`` itself)."""


def main() -> None:
    """The ``tsunagari`` entry point, inside the error boundary (:func:`graphsvc.cli.app.run`)."""
    run()
