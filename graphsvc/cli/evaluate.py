"""``tsunagari evaluate``: offline evaluation of the expert scorer against the learned scorer.

Deterministic by seed; synthetic outcomes only (no store, no real data)::

    tsunagari evaluate
    tsunagari evaluate --seed 3 --people 1200 --format json

Exits with status 1 when the learned model does not beat the expert weights on AUC, nDCG@5 and hit@1 of the
held-out split (so it can guard a change in CI). The same report: ``python -m matching.evaluate``.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from graphsvc.cli.app import app, console

__all__ = ["DEFAULT_OPENINGS", "DEFAULT_PEOPLE", "DEFAULT_SEED", "evaluate"]

# The protocol's defaults, as :mod:`matching.evaluate` has them (a test holds the two equal): spelt out here so
# that ``tsunagari --help`` need not import scikit-learn to show them.
DEFAULT_SEED = 0
DEFAULT_PEOPLE = 800
DEFAULT_OPENINGS = 200


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command()
def evaluate(
    seed: Annotated[int, typer.Option("--seed", help="乱数の種 (seed)")] = DEFAULT_SEED,
    people: Annotated[
        int, typer.Option("--people", min=50, help="合成データの人数 (number of synthetic people)")
    ] = DEFAULT_PEOPLE,
    openings: Annotated[
        int, typer.Option("--openings", min=10, help="参加メニュー数 (number of synthetic openings)")
    ] = DEFAULT_OPENINGS,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table か json")
    ] = OutputFormat.TABLE,
) -> None:
    """専門家の重みと学習モデルをオフライン評価 (offline evaluation: expert weights vs learned model)."""
    from matching.evaluate import format_report, learned_wins, run

    report = run(seed, people, openings)
    if output == OutputFormat.JSON:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(format_report(report), markup=False, highlight=False)
    if not learned_wins(report):
        raise typer.Exit(code=1)
