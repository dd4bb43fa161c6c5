"""``tsunagari match``: rank participation openings for one person (what-if mode), and ``tsunagari schema``.

What-if mode reads a profile and a list of openings from JSON files and touches no store::

    tsunagari match --profile person.json --opportunities opportunities.json --top 5 --explain
    tsunagari match --profile person.json --opportunities opportunities.json --format json
    tsunagari schema profile

The store-backed form (``match --person ID``) calls :func:`matching.rank` the same way with openings read
from the store, and the person's consent from the consent register (``tsunagari``'s one record of consent, the
one the API's matching and proposals read): the consent scope written inside a stored profile does not count.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphsvc.cli.app import app, console, err_console, handle_errors, open_container
from graphsvc.domain.errors import DomainValidationError, Problem

if TYPE_CHECKING:
    from matching.rank import RankResult

__all__ = ["match", "schema"]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class SchemaName(StrEnum):
    PROFILE = "profile"
    OPPORTUNITY = "opportunity"
    OPENING = "opening"


def _print_table(result: RankResult, *, explain: bool) -> None:
    from rich.table import Table

    console.print(result.message, highlight=False)
    table = Table(title="参加メニューの候補 (ranked openings)")
    table.add_column("順位", justify="right")
    table.add_column("ID")
    table.add_column("名称 (title)")
    table.add_column("点 (score)", justify="right")
    for item in result.ranked:
        table.add_row(str(item.rank), item.opening_id, item.title, f"{item.score:.3f}")
    console.print(table)
    if explain:
        console.print("要素ごとの寄与/満点 (each factor's contribution / its full weight)", highlight=False)
        for item in result.ranked:
            if not item.factors:
                continue
            console.print(f"[bold]{item.rank}. {item.title}[/] ({item.opening_id}) 点 {item.score:.3f}")
            for f in item.factors:
                if f.contribution:
                    # the contribution against the factor's full weight (満点), so a partly met factor reads as such
                    console.print(
                        f"   {f.contribution:+.3f}/{f.weight:.3f} {f.label_ja}: {f.reason}", highlight=False
                    )
    if result.exclusions:
        console.print(f"[bold]除外 (excluded) {len(result.exclusions)}件[/]")
        for e in result.exclusions:
            why = "; ".join(f"[{r.code}] {r.message}: {r.detail}" for r in e.reasons)
            console.print(f"  - {e.opening_id} {e.title}: {why}", markup=False, highlight=False)
    for w in result.warnings:
        err_console.print(f"注意 (warning): {w}", markup=False, highlight=False)


@app.command()
@handle_errors
def match(
    person_id: Annotated[
        str | None, typer.Option("--person", help="本人ID: 町のデータから照合 (a stored person)")
    ] = None,
    town: Annotated[
        str | None, typer.Option("--town", "-t", help="町 (town; default TSUNAGARI_TOWN)")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", "-p", help="本人のプロフィール JSON (profile file; what-if)")
    ] = None,
    opportunities: Annotated[
        Path | None,
        typer.Option(
            "--opportunities", "-o", help="参加メニューの一覧 JSON (openings file; default: the town's)"
        ),
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", "-n", min=1, help="上位N件だけ表示 (show the best N)")
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="要素ごとの理由を表示 (show each factor's reason)")
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table か json")
    ] = OutputFormat.TABLE,
    vocabulary: Annotated[
        list[Path] | None,
        typer.Option("--vocabulary", help="追加の語彙辞書 JSON (extra vocabulary file; repeatable)"),
    ] = None,
    scorer_name: Annotated[
        str,
        typer.Option(
            "--scorer", help="expert (専門家の重み, 既定) か learned (`tsunagari learn` で学習したモデル)"
        ),
    ] = "expert",
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="プロフィールが候補にないIDを参照していればエラー (unknown ids are errors)"
        ),
    ] = False,
) -> None:
    """本人に合う参加メニューを順位付け (rank openings for one person).

    `--person ID [--town T]` reads the person and the town's opportunities from the store;
    `--profile FILE --opportunities FILE` is the what-if mode and touches no store.
    """
    from graphsvc.domain.ids import check_town_name
    from graphsvc.services.matching import MatchingService, consent_on_record
    from matching.rank import check_references, rank
    from matching.records import load_openings, load_profile
    from matching.vocabulary import load_vocabulary, set_default_vocabulary

    if vocabulary:  # profiles and openings validate needs against the extended vocabulary
        set_default_vocabulary(load_vocabulary(vocabulary))
    if (person_id is None) == (profile is None):
        raise DomainValidationError(
            [
                Problem(
                    "--person (町のデータの本人) か --profile (ファイル) のどちらか一方を指定してください",
                    "give exactly one of --person or --profile",
                    field="--person",
                )
            ]
        )
    if scorer_name not in ("expert", "learned"):
        raise DomainValidationError(
            [Problem("--scorer は expert か learned です", "--scorer is expert or learned", field="--scorer")]
        )
    with open_container() as c:
        scorer = None
        if scorer_name == "learned":
            from graphsvc.services.learning import load_learned_scorer

            scorer = load_learned_scorer(c.settings.data_dir, town or c.settings.default_town)
        svc = None
        if person_id is not None or opportunities is None:
            # a stored person's consent is the consent register's (as the API's matching reads it), not the
            # scope written in the stored profile
            town_name = check_town_name(town or c.settings.default_town)
            svc = MatchingService(
                c.store(town_name), scorer=scorer, consents=consent_on_record(c.system().consents, town_name)
            )
        person = svc.profile(person_id) if person_id is not None and svc else load_profile(profile)  # type: ignore[arg-type]
        openings = load_openings(opportunities) if opportunities is not None else svc.catalogue()  # type: ignore[union-attr]
    result = rank(
        person,
        openings,
        scorer=scorer,
        top=top,
        explain=(top or 10) if explain or output == OutputFormat.JSON else 0,
    )
    problems = [replace(p, file=str(profile or person_id)) for p in check_references(person, result.index)]
    if strict and problems:
        raise DomainValidationError(problems)
    result.warnings = problems
    if output == OutputFormat.JSON:
        sys.stdout.write(result.to_json() + "\n")
    else:
        _print_table(result, explain=explain)
    if result.empty:
        raise typer.Exit(code=1)


@app.command()
def schema(name: Annotated[SchemaName, typer.Argument(help="profile または opportunity")]) -> None:
    """入力ファイルの JSON Schema を表示 (print the JSON Schema of an input file)."""
    from matching.records import Opening, Profile

    model = Profile if name == SchemaName.PROFILE else Opening
    sys.stdout.write(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n")
