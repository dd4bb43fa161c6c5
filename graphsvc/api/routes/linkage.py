"""名寄せ (record linkage): load an agency's caselist, start a run, read the review queue and decide pairs.

Caselist loads are admin only; runs, the queue and decisions are admin and coordinator
(:data:`graphsvc.access.policy.LINKAGE_ROLES`). The handlers only parse, call
:class:`graphsvc.services.linkage.Linkage` (which checks the role again and writes the audit entry) and render.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ConfigDict, Field

from graphsvc.access.policy import CASELIST_WRITERS, LINKAGE_ROLES
from graphsvc.api.contract import BODY_ERRORS, TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import TownDep, require
from graphsvc.api.schemas.strict import NON_BLANK_PATTERN, SPACE_CHARS, JsonDate, StrictIn
from graphsvc.domain.errors import DomainValidationError
from graphsvc.domain.ids import RECORD_ID_PATTERN

__all__ = ["CASELIST_EXAMPLE", "CASELIST_FILENAME_PATTERN", "ROW_ID_PATTERN", "router"]

router = APIRouter(prefix="/v1/towns/{town}", tags=["名寄せ (linkage)"], route_class=ApiRoute)
_linkers = [Depends(require(*LINKAGE_ROLES))]
MAX_CASELIST_BYTES = 50 * 1024 * 1024
CASELIST_EXAMPLE = "ケース番号,氏名,フリガナ,生年月日,性別,住所\r\nHK000001,髙橋 和子,タカハシ カズコ,S15.4.1,女,鳥羽市鳥羽3-4-6\r\n"
"""A caselist of one row (synthetic), the example of the request body."""
ROW_ID_PATTERN = (
    RECORD_ID_PATTERN.removesuffix("$") + rf":{NON_BLANK_PATTERN}(?:[\s\S]*{NON_BLANK_PATTERN})?$"
)
"""A caselist row: ``機関ID:ケース番号`` (the agency's id, a colon, the case number as the list gives it)."""
CASELIST_FILENAME_PATTERN = (
    rf"^[^\\/.{SPACE_CHARS}][^\\/]*\.(?:[Cc][Ss][Vv]|[Tt][Ss][Vv]|[Tt][Xx][Tt]|[Xx][Ll][Ss][XxMm])$"
)
"""A file's name (no folder): CSV (``.csv``, ``.tsv``, ``.txt``) or Excel (``.xlsx``, ``.xlsm``), by its suffix."""
RowId = Annotated[str, Field(pattern=ROW_ID_PATTERN, max_length=300, examples=["AG-01:HK000001"])]


class RunIn(StrictIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "basis": "support_meeting",
                    "reference": "第3回支援会議 (2026-12-01)",
                    "reference_date": None,
                }
            ]
        }
    )
    basis: Literal["support_meeting", "consent"] = Field(
        description="法的根拠: support_meeting (支援会議、社会福祉法第106条の6) か consent (本人同意)"
    )
    reference: str = Field(
        description="根拠の記録 (会議の名称と開催日、同意書の番号など)",
        min_length=1,
        max_length=500,
        pattern=NON_BLANK_PATTERN,
    )
    reference_date: JsonDate | None = Field(
        default=None, description="基準日: 名簿の年齢・日付を読む日 (名簿を書き出した日; 省略時は今日)"
    )


class DecisionIn(StrictIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"a": "AG-01:HK000001", "b": "AG-02:2400000001", "decision": "accept"}]
        }
    )
    a: RowId = Field(description="行A (機関ID:ケース番号)", examples=["AG-01:HK000001"])
    b: RowId = Field(description="行B (機関ID:ケース番号; 行A と別の行)", examples=["AG-02:2400000001"])
    decision: Literal["accept", "reject", "unsure", "undo"] = Field(
        description="accept (同一人物) / reject (別人) / unsure (保留) / undo (取り消し)"
    )
    note: str | None = Field(default=None, max_length=500)


def _safe_name(name: str) -> str:
    """The file's name without folders, other characters than word characters, ``.`` and ``-`` replaced, at most
    120 characters with its suffix kept (the suffix says CSV or Excel)."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = re.sub(r"[^\w.\-ぁ-んァ-ヶ一-龠ー]", "_", base)
    if len(base) > 120:
        stem, dot, suffix = base.rpartition(".")
        base = f"{stem[: 119 - len(suffix)]}.{suffix}" if dot and len(suffix) < 20 else base[:120]
    if not base or base.startswith("."):
        raise DomainValidationError.one(
            "filename にファイル名 (例 houkatsu.csv) を指定してください",
            "give the file's name in filename (e.g. houkatsu.csv)",
            field="filename",
        )
    return base


@router.post(
    "/caselists",
    summary="機関の名簿 (caselist) の読み込み: 本文にファイルをそのまま (CSV / xlsx)、すべての行か何も書かないか",
    description="ファイルの形式は filename の拡張子で決まります (.csv/.tsv/.txt は CSV、.xlsx/.xlsm は Excel)。"
    "sheet は Excel のときだけ指定できます。名簿の中身の誤り (見出し・日付など) は 422 で行と列を示します。"
    "agency が登録されていない機関なら 409。 (the file's type is its name's suffix; sheet for Excel only; "
    "problems in the file: 422 naming row and column; an agency not registered: 409)",
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    dependencies=[Depends(require(*CASELIST_WRITERS))],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string", "minLength": 1, "description": "CSV (UTF-8 / Shift_JIS)"},
                    "example": CASELIST_EXAMPLE,
                },
                "application/octet-stream": {
                    "schema": {
                        "type": "string",
                        "format": "binary",
                        "minLength": 1,
                        "description": "CSV または .xlsx のファイルそのもの (the file as it is)",
                    },
                    "example": CASELIST_EXAMPLE,
                },
            },
        }
    },
)
async def load_caselist(
    ctx: TownDep,
    request: Request,
    agency: Annotated[
        str, Query(pattern=RECORD_ID_PATTERN, max_length=128, description="名簿を出した機関のID (登録済み)")
    ],
    filename: Annotated[
        str,
        Query(
            pattern=CASELIST_FILENAME_PATTERN,
            max_length=200,
            description="ファイル名 (拡張子で CSV か Excel かを判断)",
            examples=["houkatsu.csv"],
        ),
    ],
    dry_run: Annotated[bool, Query(description="検査だけして書き込まない")] = False,
    sheet: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Excel のシート名 (Excel のファイルだけ; 省略時は最初のシート)",
        ),
    ] = None,
) -> dict[str, Any]:
    name = _safe_name(filename)
    body = await request.body()
    if len(body) > MAX_CASELIST_BYTES:
        raise DomainValidationError.one(
            "ファイルが大きすぎます (50MB まで)", "the file is too large (50 MB at most)", field="body"
        )
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(body)
        report = ctx.t.linkage.load_caselist(ctx.ctx, agency, path, sheet=sheet, dry_run=dry_run)
    return {
        "file": report.file,
        "agency": agency,
        "dry_run": report.dry_run,
        "rows_read": report.rows_read,
        "changes": report.changes.counts(),
        "warnings": report.warnings,
    }


@router.post(
    "/linkage/runs",
    summary="名寄せの実行 (法的根拠を記録)",
    description="名簿がまだ読み込まれていなければ 409 (no caselists loaded yet: 409)。本人同意 (consent) を根拠にすると、"
    "名簿の同意の列 (「情報共有の同意」など: 有/無) が同意ありの行だけを名寄せし、ほかの行は機関ごとの件数を "
    "withheld_no_consent に示します。どの名簿にも同意の列がなければ 409 (under consent only the rows whose "
    "consent column says yes are linked, the others counted per agency in withheld_no_consent; no consent column "
    "in any list: 409)。",
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    dependencies=_linkers,
)
def start_run(ctx: TownDep, body: RunIn) -> dict[str, Any]:
    s = ctx.t.linkage.run(ctx.ctx, body.basis, body.reference, today=body.reference_date)
    return {
        "run_id": s.run_id,
        "at": s.at,
        "basis": s.basis,
        "reference": s.reference,
        "by": s.by,
        **s.figures,
    }


@router.get(
    "/linkage/runs", summary="名寄せの実行記録", responses=responses(*TOWN_ERRORS), dependencies=_linkers
)
def list_runs(ctx: TownDep) -> list[dict[str, Any]]:
    return [
        {
            "run_id": r.run_id,
            "at": r.at,
            "by": r.key_name,
            "role": r.role,
            "basis": r.basis,
            "reference": r.reference,
            "figures": r.figures,
        }
        for r in ctx.t.linkage.runs(ctx.ctx)
    ]


@router.get(
    "/linkage/queue",
    summary="確認待ちの組 (行IDと確率、理由)",
    responses=responses(*TOWN_ERRORS),
    dependencies=_linkers,
)
def review_queue(ctx: TownDep) -> list[dict[str, Any]]:
    return [
        {
            "a": p.a,
            "b": p.b,
            "weight": p.weight,
            "probability": p.probability,
            "reason": p.reason,
            "decision": d.decision if d else None,
        }
        for p, d in ctx.t.linkage.queue(ctx.ctx)
    ]


@router.get(
    "/linkage/pair",
    summary="2行の比較 (モデルの段階)",
    responses=responses(*TOWN_ERRORS),
    dependencies=_linkers,
)
def pair(
    ctx: TownDep,
    a: Annotated[str, Query(pattern=ROW_ID_PATTERN, max_length=300, description="行A (機関ID:ケース番号)")],
    b: Annotated[str, Query(pattern=ROW_ID_PATTERN, max_length=300, description="行B (機関ID:ケース番号)")],
) -> dict[str, Any]:
    v = ctx.t.linkage.pair(ctx.ctx, a, b)

    def rec(r: Any) -> dict[str, Any]:
        return {"id": r.uid, "agency_id": r.agency_id, "agency_name": r.agency_name, "file": r.file_name,
                "row": r.row, "fields": [{"header": h, "value": c} for h, c in r.fields],
                "person_id": r.person_id}  # fmt: skip

    return {
        "a": rec(v.a),
        "b": rec(v.b),
        "weight": v.weight,
        "probability": v.probability,
        "reason": v.reason,
        "levels": {k: {"level": lv, "label_ja": ja} for k, (lv, ja) in v.levels.items()},
        "decision": v.decision.decision if v.decision else None,
        "history": [
            {"decision": d.decision, "at": d.at, "by": d.key_name, "note": d.note} for d in v.history
        ],
    }


@router.post(
    "/linkage/decisions",
    summary="判断の記録 (取り消し可能)",
    description="a と b は別の行 (同じ行は 422)。名簿にない行は 404、取り消す判断がない undo は 409。",
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    dependencies=_linkers,
)
def decide(ctx: TownDep, body: DecisionIn) -> dict[str, Any]:
    d, counts = ctx.t.linkage.decide(ctx.ctx, body.a, body.b, body.decision, body.note)
    return {"seq": d.seq, "a": d.a, "b": d.b, "decision": d.decision, "at": d.at, **counts}
