"""``tsunagari link run|runs|queue``: 名寄せ (record linkage) of the agencies' caselists from the command line.

The caselists are loaded first (``tsunagari load caselist --agency ID FILE``). The commands act as the operator at
the server (an all-towns admin, :func:`graphsvc.services.admin.local_operator`), through the same use case as the
API (:class:`graphsvc.services.linkage.Linkage`): a run records its legal basis and who ran it, is audited, and
never undoes a reviewer's decision. Nothing here prints a name: runs and the queue show row ids
(``機関ID:ケース番号``) and figures only; the review itself is on the staff pages (``/app/towns/{town}/linkage``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container
from graphsvc.domain.errors import DomainValidationError

if TYPE_CHECKING:
    from graphsvc.access.context import AccessContext
    from graphsvc.bootstrap import Container
    from graphsvc.services.linkage import Linkage

__all__ = ["link_app"]

link_app = typer.Typer(help="名寄せ: 機関の名簿を結ぶ (record linkage of caselists)", no_args_is_help=True)
app.add_typer(link_app, name="link")

TOWN = typer.Option(..., "--town", "-t", help="町 / town")


def _service(c: Container, town: str) -> tuple[Linkage, AccessContext]:
    from graphsvc.access.context import AccessContext
    from graphsvc.cli.gaps import require_town
    from graphsvc.services.admin import local_operator
    from graphsvc.services.linkage import Linkage

    store = require_town(c, town)
    return Linkage(store, c.system()), AccessContext(town, local_operator(), None)


def _date(text: str | None) -> dt.date | None:
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise DomainValidationError.one(
            f"基準日「{text}」は YYYY-MM-DD の形で指定してください (例 2026-11-30)",
            f"reference date {text!r} must be YYYY-MM-DD (e.g. 2026-11-30)",
            field="reference_date",
            value=text[:64],
        ) from None


def _figure_lines(figures: dict[str, Any]) -> list[str]:
    keys = (
        ("lists", "名簿 (lists)"),
        ("records", "行 (records)"),
        ("pairs_scored", "比べた組 (pairs scored)"),
        ("persons", "人 (persons)"),
        ("households", "世帯 (households)"),
        ("review", "確認待ち (to review)"),
        ("decisions_applied", "反映した判断 (decisions kept)"),
        ("seconds", "秒 (seconds)"),
    )
    return [f"  {label}: {figures[k]}" for k, label in keys if k in figures]


@link_app.command("run")
@handle_errors
def run_command(
    town: str = TOWN,
    basis: str = typer.Option(
        ...,
        "--basis",
        help="法的根拠: 支援会議 (support_meeting, 社会福祉法第106条の6) か 同意 (consent)",
    ),
    reference: str = typer.Option(
        ..., "--reference", help="根拠の記録 (支援会議の名称と開催日、同意書の番号など)"
    ),
    reference_date: str | None = typer.Option(
        None,
        "--reference-date",
        help="基準日 YYYY-MM-DD: 名簿の年齢・日付を読む日 (名簿を書き出した日; 省略時は今日)",
    ),
) -> None:
    """名寄せを実行 (link every agency's latest caselist; writes linked persons and households)."""
    from graphsvc.services.linkage import LegalBasis

    b = LegalBasis.parse(basis)  # checked before any store is opened
    day = _date(reference_date)
    with open_container() as c:
        svc, ctx = _service(c, town)
        summary = svc.run(ctx, b, reference, today=day)
    console.print(
        f"名寄せ {summary.run_id} ({summary.at}): 根拠 {b.ja}「{summary.reference}」",
        highlight=False,
        soft_wrap=True,
    )
    for line in _figure_lines(summary.figures):
        console.print(line, highlight=False, soft_wrap=True)
    withheld = summary.figures.get("withheld_no_consent")
    if withheld is not None:
        console.print(
            f"  同意のない行 (withheld, no consent): {sum(withheld.values())} 行は名寄せしていません",
            highlight=False,
            soft_wrap=True,
        )
    failed = summary.figures.get("weight_checks_failed") or []
    if failed:
        console.print(
            f"  [yellow]学習した重みの確認で {len(failed)} 件が外れました (weight checks failed):[/] "
            + ", ".join(map(str, failed)),
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"確認は職員画面 /app/towns/{town}/linkage で (review the queue on the staff pages)",
        highlight=False,
        soft_wrap=True,
    )


@link_app.command("runs")
@handle_errors
def runs_command(town: str = TOWN) -> None:
    """これまでの名寄せの実行 (the runs: when, who, basis, figures)."""
    with open_container() as c:
        svc, ctx = _service(c, town)
        runs = svc.runs(ctx)
    if not runs:
        console.print(
            f"町「{town}」の名寄せの実行はまだありません (no runs yet)", highlight=False, soft_wrap=True
        )
        return
    for r in runs:
        f = r.figures
        console.print(
            f"{r.run_id}  {r.at}  {r.basis}「{r.reference}」  {r.key_name}  "
            f"行 {f.get('records', '?')} → 人 {f.get('persons', '?')}・世帯 {f.get('households', '?')}・"
            f"確認待ち {f.get('review', '?')}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )


@link_app.command("queue")
@handle_errors
def queue_command(
    town: str = TOWN,
    top: int = typer.Option(50, "--top", min=1, help="表示する組の数 / pairs to show"),
) -> None:
    """確認待ちの組 (the review queue: row ids, weight, why; no names)."""
    with open_container() as c:
        svc, ctx = _service(c, town)
        queue = svc.queue(ctx)
    pending = [q for q, decision in queue if decision is None]
    console.print(
        f"確認待ち {len(pending)} 組 (ほかに保留 {len(queue) - len(pending)} 組) / "
        f"{len(pending)} pairs to review ({len(queue) - len(pending)} marked unsure)",
        highlight=False,
        soft_wrap=True,
    )
    for q in pending[:top]:
        console.print(
            f"  {q.a}  ↔  {q.b}  重み {q.weight:+.1f}  確率 {q.probability:.2f}  {q.reason}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    if len(pending) > top:
        console.print(f"  … 他 {len(pending) - top} 組 (and more)", highlight=False, soft_wrap=True)
